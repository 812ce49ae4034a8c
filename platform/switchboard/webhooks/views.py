"""`/v1/webhooks` (subscriptions), `/v1/events` (list, retrieve, replay, deliveries) and the
provider receiver `POST /hooks/{connectorId}/{token}`. Thin: the work is in services."""

from __future__ import annotations

import base64
import binascii

from django.db import transaction
from django.http import JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from switchboard.api.errors import ApiError, bad_request
from switchboard.api.views import TenantAPIView
from switchboard.connections.services import connector_or_404, find_connection
from switchboard.webhooks import catalog, inbound, services, urlsafety
from switchboard.webhooks.models import Delivery, Event, Subscription

DEFAULT_LIMIT, MAX_LIMIT = 50, 100

# OpenAPI shapes (documentation only: the views build their JSON from the models' to_json).
_S, _L = serializers, serializers.ListField
_WEBHOOK_FIELDS = {
    "object": _S.CharField(default="webhook"), "id": _S.CharField(), "url": _S.URLField(),
    "events": _L(child=_S.CharField()), "connectorId": _S.CharField(allow_null=True),
    "ownerId": _S.CharField(allow_null=True), "active": _S.BooleanField(),
    "disabledReason": _S.CharField(required=False), "createdAt": _S.DateTimeField(), "updatedAt": _S.DateTimeField(),
    "secretRotatedAt": _S.DateTimeField(required=False, help_text="Set once the secret has been rotated."),
    "previousSecretExpiresAt": _S.DateTimeField(
        required=False, allow_null=True, help_text="Until then deliveries also carry a signature made with the "
                                                   "previous secret.")}
_Webhook = inline_serializer("WebhookSubscription", _WEBHOOK_FIELDS)
_WebhookCreated = inline_serializer("WebhookSubscriptionCreated", {
    **_WEBHOOK_FIELDS, "secret": _S.CharField(help_text="whsec_...: shown once; verify deliveries with it.")})
_WebhookRotate = inline_serializer("WebhookSecretRotate", {
    "previousSecretTtl": _S.IntegerField(
        required=False, min_value=0, max_value=7 * 86400,
        help_text="Seconds the old secret keeps signing deliveries next to the new one (default 86400; "
                  "0 retires it at once).")})
_WebhookList = inline_serializer("WebhookSubscriptionList", {"data": _Webhook.__class__(many=True),
                                                             "next": _S.CharField(allow_null=True)})
_WebhookCreate = inline_serializer("WebhookSubscriptionCreate", {
    "url": _S.URLField(), "events": _L(child=_S.CharField()), "connectorId": _S.CharField(required=False),
    "ownerId": _S.CharField(required=False), "active": _S.BooleanField(required=False)})
_WebhookUpdate = inline_serializer("WebhookSubscriptionUpdate", {
    "url": _S.URLField(required=False), "events": _L(child=_S.CharField(), required=False),
    "active": _S.BooleanField(required=False)})
_Event = inline_serializer("Event", {
    "id": _S.CharField(), "type": _S.CharField(help_text='"<model>::<created|updated|deleted>" or "connection::..."'),
    "connectorId": _S.CharField(), "ownerId": _S.CharField(), "createdAt": _S.DateTimeField(),
    "data": _S.DictField(help_text="The resource as the resources API returns it (a resourceRef for deletions).")})
_EventList = inline_serializer("EventList", {"data": _Event.__class__(many=True), "next": _S.CharField(allow_null=True)})
_Replay = inline_serializer("EventReplay", {"object": _S.CharField(default="event"), "id": _S.CharField(),
                                            "queued": _S.IntegerField()})
_Deliveries = inline_serializer("DeliveryList", {"data": _L(child=_S.DictField()), "next": _S.CharField(allow_null=True)})


def _body(request) -> dict:
    data = request.data
    if data in (None, "") or (hasattr(data, "__len__") and len(data) == 0):
        return {}
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    return data


def _limit(request) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"limit must be an integer between 1 and {MAX_LIMIT}.") from None
    if not 1 <= value <= MAX_LIMIT:
        raise bad_request(f"limit must be an integer between 1 and {MAX_LIMIT}.")
    return value


def _encode_cursor(value) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_request("cursor is not valid; pass the `next` value of the previous page.") from None


def _validated_url(url) -> str:
    try:
        urlsafety.check(url)
    except urlsafety.UnsafeURL as exc:
        raise bad_request(f"url refused: {exc}") from None
    return url.strip()


def _validated_events(events, tenant) -> list[str]:
    try:
        return catalog.validate_events(events, tenant)
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def _active(value) -> bool:
    if not isinstance(value, bool):
        raise bad_request("active must be true or false.")
    return value


class SubscriptionListView(TenantAPIView):
    @extend_schema(summary="List webhook subscriptions", tags=["webhooks"], operation_id="webhooks_list",
                   responses=_WebhookList,
                   parameters=[OpenApiParameter("limit", int), OpenApiParameter("cursor", str)])
    def get(self, request):
        qs = self.scoped(Subscription.objects.all()).order_by("-created_at", "-id")
        limit = _limit(request)
        # Subscriptions are few per project: an offset cursor is simple and stable enough.
        cursor = request.query_params.get("cursor")
        offset = 0
        if cursor:
            raw = _decode_cursor(cursor)
            if not raw.isdigit():
                raise bad_request("cursor is not valid; pass the `next` value of the previous page.")
            offset = int(raw)
        page = list(qs[offset:offset + limit + 1])
        nxt = _encode_cursor(offset + limit) if len(page) > limit else None
        return Response({"data": [s.to_json() for s in page[:limit]], "next": nxt})

    @extend_schema(summary="Subscribe a URL to events", tags=["webhooks"], operation_id="webhooks_create",
                   request=_WebhookCreate, responses={201: _WebhookCreated},
                   description="`events`: a list of `\"<model>::<created|updated|deleted>\"`, connection events "
                               "(`\"connection::authorized\"`, ...) or `\"*\"`. Give `connectorId` and `ownerId` to "
                               "limit the subscription to one connection. The answer carries the signing secret "
                               "(`whsec_...`) once; deliveries are signed per Standard Webhooks.")
    def post(self, request):
        body = _body(request)
        unknown = sorted(set(body) - {"url", "events", "connectorId", "ownerId", "active"})
        if unknown:
            raise bad_request(f"Unknown fields: {', '.join(unknown)}.")
        url = _validated_url(body.get("url"))
        events = _validated_events(body.get("events"), self.tenant)
        connector_id, owner_id = body.get("connectorId"), body.get("ownerId")
        if bool(connector_id) != bool(owner_id):
            raise bad_request("Give both connectorId and ownerId (one connection), or neither (all connections).")
        if connector_id:
            if not isinstance(connector_id, str) or not isinstance(owner_id, str):
                raise bad_request("connectorId and ownerId must be strings.")
            connector_or_404(connector_id)
            find_connection(self.tenant, connector_id, owner_id)
        with transaction.atomic():
            sub = Subscription.objects.create(
                tenant=self.tenant, url=url, events=events, connector_id=connector_id or "", owner_id=owner_id or "",
                is_active=_active(body.get("active", True)), secret=services.new_signing_secret())
            services.subscriptions_changed(sub)
        return Response(sub.to_json(with_secret=True), status=201)


class _SubscriptionView(TenantAPIView):
    def _get(self, id) -> Subscription:
        sub = self.scoped(Subscription.objects.all()).filter(pk=id).first()
        if sub is None:
            raise ApiError("MORPH::NOT_FOUND", f"No webhook subscription {id!r} in this project.", 404)
        return sub


class SubscriptionDetailView(_SubscriptionView):
    @extend_schema(summary="Retrieve a webhook subscription", tags=["webhooks"], operation_id="webhooks_retrieve",
                   responses=_Webhook)
    def get(self, request, id):
        return Response(self._get(id).to_json())

    @extend_schema(summary="Update a webhook subscription", tags=["webhooks"], operation_id="webhooks_update",
                   request=_WebhookUpdate, responses=_Webhook,
                   description="Change `url`, `events` or `active`. Setting `active` to true again clears the "
                               "automatic-disable reason and the failure streak.")
    def patch(self, request, id):
        sub = self._get(id)
        body = _body(request)
        unknown = sorted(set(body) - {"url", "events", "active"})
        if unknown:
            raise bad_request(f"Unknown or read-only fields: {', '.join(unknown)}.")
        if "url" in body:
            sub.url = _validated_url(body["url"])
        if "events" in body:
            sub.events = _validated_events(body["events"], self.tenant)
        if "active" in body:
            active = _active(body["active"])
            if active and not sub.is_active:
                sub.disabled_reason, sub.disabled_at, sub.failure_streak, sub.failing_since = "", None, 0, None
            sub.is_active = active
        with transaction.atomic():
            sub.save()
            services.subscriptions_changed(sub)
        return Response(sub.to_json())

    @extend_schema(summary="Delete a webhook subscription", tags=["webhooks"], operation_id="webhooks_delete",
                   responses={204: None})
    def delete(self, request, id):
        sub = self._get(id)
        with transaction.atomic():
            sub.delete()
            services.subscriptions_changed(sub)
        return Response(status=204)


DEFAULT_SECRET_GRACE, MAX_SECRET_GRACE = 86400, 7 * 86400


class SubscriptionRotateSecretView(_SubscriptionView):
    @extend_schema(summary="Rotate a webhook subscription's signing secret", tags=["webhooks"],
                   operation_id="webhooks_rotate_secret", request=_WebhookRotate, responses={200: _WebhookCreated},
                   description="Issues a new signing secret (shown once, in this answer). For "
                               "`previousSecretTtl` seconds (default one day) every delivery carries two "
                               "signatures in `webhook-signature`, one per secret, so your receiver keeps "
                               "accepting deliveries while you deploy the new secret; then only the new one.")
    def post(self, request, id):
        sub = self._get(id)
        body = _body(request)
        unknown = sorted(set(body) - {"previousSecretTtl"})
        if unknown:
            raise bad_request(f"Unknown fields: {', '.join(unknown)}.")
        grace = body.get("previousSecretTtl", DEFAULT_SECRET_GRACE)
        if isinstance(grace, bool) or not isinstance(grace, int) or not 0 <= grace <= MAX_SECRET_GRACE:
            raise bad_request(f"previousSecretTtl must be a whole number of seconds from 0 to {MAX_SECRET_GRACE} "
                              "(7 days).")
        sub.rotate_secret(services.new_signing_secret(), grace)
        sub.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "secret_rotated_at",
                                "updated_at"])
        return Response(sub.to_json(with_secret=True))


class EventListView(TenantAPIView):
    @extend_schema(summary="List events", tags=["events"], operation_id="events_list", responses=_EventList,
                   description="Newest first. Filters: `type` (comma-separated), `connectorId`, `ownerId`, "
                               "`createdAfter`/`createdBefore` (ISO-8601); `limit` (max 100) and `cursor`.",
                   parameters=[OpenApiParameter(p, str) for p in
                               ("type", "connectorId", "ownerId", "createdAfter", "createdBefore", "cursor")]
                   + [OpenApiParameter("limit", int)])
    def get(self, request):
        params = request.query_params
        qs = self.scoped(Event.objects.all())
        if params.get("type"):
            qs = qs.filter(type__in=[t.strip() for t in params["type"].split(",") if t.strip()])
        if params.get("connectorId"):
            qs = qs.filter(connector_id=params["connectorId"])
        if params.get("ownerId"):
            qs = qs.filter(owner_id=params["ownerId"])
        for name, lookup in (("createdAfter", "created_at__gt"), ("createdBefore", "created_at__lt")):
            if params.get(name):
                when = parse_datetime(params[name])
                if when is None:
                    raise bad_request(f"{name} must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z.")
                qs = qs.filter(**{lookup: when})
        if params.get("cursor"):
            seq = _decode_cursor(params["cursor"])
            if not seq.isdigit():
                raise bad_request("cursor is not valid; pass the `next` value of the previous page.")
            qs = qs.filter(seq__lt=int(seq))
        limit = _limit(request)
        page = list(qs.order_by("-seq")[:limit + 1])
        nxt = _encode_cursor(page[limit - 1].seq) if len(page) > limit else None
        return Response({"data": [e.to_json() for e in page[:limit]], "next": nxt})


class _EventView(TenantAPIView):
    def _get(self, id) -> Event:
        event = self.scoped(Event.objects.all()).filter(id=id).first()
        if event is None:
            raise ApiError("MORPH::NOT_FOUND", f"No event {id!r} in this project.", 404)
        return event


class EventDetailView(_EventView):
    @extend_schema(summary="Retrieve an event", tags=["events"], operation_id="events_retrieve", responses=_Event)
    def get(self, request, id):
        return Response(self._get(id).to_json())


class EventReplayView(_EventView):
    @extend_schema(summary="Deliver an event again", tags=["events"], operation_id="events_replay",
                   request=None, responses={202: _Replay}, description="Queues the event for every active subscription that matches it, "
                                             "with a fresh retry budget. Answers 202 with the number queued.")
    def post(self, request, id):
        event = self._get(id)
        queued = services.replay(event)
        return Response({"object": "event", "id": event.id, "queued": queued}, status=202)


class EventDeliveriesView(_EventView):
    @extend_schema(summary="Deliveries of an event, with every attempt", tags=["events"],
                   operation_id="events_deliveries", responses=_Deliveries)
    def get(self, request, id):
        event = self._get(id)
        deliveries = Delivery.objects.filter(event=event).select_related("event").prefetch_related("attempt_log")
        return Response({"data": [d.to_json(attempts=True) for d in deliveries], "next": None})


@csrf_exempt
@require_POST
def receive(request, connector_id: str, token: str):
    """Provider webhooks in. Answers only after the delivery is stored (or known)."""
    try:
        answer = inbound.receive(connector_id, token, request.body, request.headers)
    except inbound.Rejected as exc:
        return JsonResponse({"ok": False, "message": exc.message}, status=exc.status)
    return JsonResponse(answer, status=200)
