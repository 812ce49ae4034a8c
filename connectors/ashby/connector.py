"""The Ashby connector descriptor: identity, auth, operations with the Ashby permissions each
needs (from Ashby's spec), what Ashby has no API for, webhook capabilities, and the credential
check used when a connection is authorized."""

from __future__ import annotations

import re
from typing import Any

from connectors import errors
from connectors.ashby.api import DEFAULT_BASE_URL, AshbyApi
from connectors.ashby.client import HANDLERS, AshbyClient
from connectors.ashby.webhooks import ACCEPTED_TYPES, EVENT_SOURCES, POLLED_EVENTS
from connectors.base import AuthSetting, AuthSpec, Connector, ConnectorContext, CredentialCheck, OperationSpec


def _ops(model: str, perms: dict[str, tuple[str, ...]], unsupported: dict[str, str],
         notes: dict[str, str] | None = None) -> list[OperationSpec]:
    out = []
    for op in ("list", "retrieve", "create", "update", "delete"):
        if op in unsupported:
            out.append(OperationSpec(model, op, supported=False, note=unsupported[op]))
        else:
            out.append(OperationSpec(model, op, permissions=perms[op], note=(notes or {}).get(op, "")))
    return out


_SPECS: list[OperationSpec] = [
    *_ops("genericContact", {
        "list": ("candidatesRead",), "retrieve": ("candidatesRead",), "create": ("candidatesWrite",),
        "update": ("candidatesWrite", "candidatesRead"), "delete": ("candidatesWrite",)}, {}, {
        "delete": "Ashby cannot delete candidates; with the connection setting allow_anonymize, delete "
                  "anonymizes the candidate (irreversible, only when all applications are archived or hired), "
                  "otherwise it answers NOT_SUPPORTED."}),
    *_ops("genericUser", {"list": ("organizationRead",), "retrieve": ("organizationRead",)}, {
        "create": "Ashby has no API to create users; invite them in Ashby (Admin > Users).",
        "update": "Ashby has no API to update users; edit them in Ashby (Admin > Users).",
        "delete": "Ashby has no API to delete users; deactivate them in Ashby (Admin > Users)."}),
    *_ops("genericWorkspace", {"list": ("organizationRead",), "retrieve": ("organizationRead",)}, {
        "create": "Ashby has no API to create brands; manage brands in Ashby's admin settings.",
        "update": "Ashby has no API to update brands; manage brands in Ashby's admin settings.",
        "delete": "Ashby has no API to delete brands; manage brands in Ashby's admin settings."}),
    *_ops("scheduleCalendar", {"list": ("organizationRead",), "retrieve": ("organizationRead",),
                               "update": ("organizationWrite", "organizationRead")}, {
        "create": "Every Ashby user has exactly one interviewer calendar; there is no API to create one.",
        "delete": "Ashby has no API to delete an interviewer calendar; deactivate the user in Ashby instead."}),
    *_ops("scheduleEventType", {"list": ("interviewsRead",), "retrieve": ("interviewsRead",)}, {
        "create": "Ashby has no API to create interviews; define them in Ashby's interview settings.",
        "update": "Ashby has no API to update interviews; edit them in Ashby's interview settings.",
        "delete": "Ashby has no API to delete interviews; archive them in Ashby's interview settings."}),
    *_ops("scheduleEvent", {
        "list": ("interviewsRead",), "retrieve": ("interviewsRead",),
        "create": ("interviewsWrite", "organizationRead"),
        "update": ("interviewsWrite", "interviewsRead", "organizationRead"),
        "delete": ("interviewsWrite",)}, {}, {
        "update": "Ashby only lets an API key update schedules that the same key created.",
        "delete": "Cancels the interview event (interviewSchedule.update)."}),
    *_ops("atsJob", {"list": ("jobsRead",), "retrieve": ("jobsRead",), "create": ("jobsWrite",),
                     "update": ("jobsWrite", "jobsRead")}, {
        "delete": "Ashby has no API to delete jobs; archive the job instead (update status to archived)."}),
    *_ops("atsApplication", {"list": ("candidatesRead",), "retrieve": ("candidatesRead",),
                             "create": ("candidatesWrite",), "update": ("candidatesWrite", "candidatesRead")}, {
        "delete": "Ashby has no API to delete applications; archive one by updating its stage to an archived "
                  "stage with an archiveReasonId."}),
    *_ops("atsApplicationStage", {"list": ("interviewsRead",), "retrieve": ("interviewsRead",)}, {
        "create": "Ashby has no API to create interview stages; edit interview plans in Ashby.",
        "update": "Ashby has no API to update interview stages; edit interview plans in Ashby.",
        "delete": "Ashby has no API to delete interview stages; edit interview plans in Ashby."}),
    *_ops("atsOffer", {"list": ("offersRead",), "retrieve": ("offersRead",), "create": ("offersWrite",),
                       "update": ("offersWrite", "offersRead")}, {
        "delete": "Ashby has no API to delete offers; an offer can only be cancelled in Ashby's app."}),
]
OPERATION_SPECS: dict[str, OperationSpec] = {s.name: s for s in _SPECS}

ALL_PERMISSIONS = ("candidatesRead", "candidatesWrite", "jobsRead", "jobsWrite", "interviewsRead",
                   "interviewsWrite", "hiringProcessMetadataRead", "hiringProcessMetadataWrite",
                   "organizationRead", "organizationWrite", "offersRead", "offersWrite", "apiKeysRead",
                   "apiKeysWrite", "approvalsRead", "approvalsWrite", "reportsRead", "notetakerRead")

# A cheap read per module, used when apiKey.info cannot tell us the key's scopes.
READ_PROBES: dict[str, tuple[str, dict]] = {
    "candidatesRead": ("candidate.list", {"limit": 1}),
    "jobsRead": ("job.list", {"limit": 1}),
    "interviewsRead": ("interview.list", {"limit": 1}),
    "organizationRead": ("user.list", {"limit": 1}),
    "offersRead": ("offer.list", {"limit": 1}),
    "hiringProcessMetadataRead": ("source.list", {}),
}


def scope_to_permission(scope: str) -> str | None:
    """`candidates:read` / `hiring_process_metadata:write` / `candidatesRead` -> permission name."""
    if not isinstance(scope, str) or not scope:
        return None
    if ":" not in scope:
        return scope if scope in ALL_PERMISSIONS else None
    module, _, action = scope.partition(":")
    module = re.sub(r"[_\-\s]+(\w)", lambda m: m.group(1).upper(), module.strip())
    module = module[:1].lower() + module[1:]
    name = module + action.strip().capitalize()
    return name if name in ALL_PERMISSIONS else name


def _webhook_capabilities() -> dict[str, Any]:
    events: dict[str, list[str]] = {}
    for event in EVENT_SOURCES:
        events.setdefault(event, []).append("webhook")
    for event in POLLED_EVENTS:
        events.setdefault(event, []).append("poll")
    return {"remoteTypes": list(ACCEPTED_TYPES), "signatureHeader": "Ashby-Signature",
            "registration": "webhook.create", "permissions": ["apiKeysWrite"],
            "events": {e: sorted(set(s)) for e, s in sorted(events.items())}}


class AshbyConnector(Connector):
    id = "ashby"
    name = "Ashby"
    auth = AuthSpec(kind="apiKey", settings=(
        AuthSetting("apiKey", "API key", "Create it in Ashby: Admin > Integrations > API Keys, ticking the "
                    "permissions listed for your operations.", secret=True, required=True),))
    operation_specs = tuple(_SPECS)
    webhooks = _webhook_capabilities()
    default_base_url = DEFAULT_BASE_URL

    def client(self, ctx: ConnectorContext) -> AshbyClient:
        return AshbyClient(ctx)

    def list_omitted_fields(self, model: str) -> dict:
        handler = HANDLERS.get(model)
        return dict(handler.list_omits) if handler is not None else {}

    def check_credentials(self, ctx: ConnectorContext) -> CredentialCheck:
        """apiKey.info gives the key's title and scopes; if the key may not read that (no API Keys
        read), one cheap read per module tells which read permissions it holds. A wrong key raises
        InvalidCredentials."""
        api = AshbyApi(ctx)
        info: dict[str, Any] = {}
        granted: list[str] = []
        try:
            key_info = api.results("apiKey.info")
        except errors.InsufficientPermissions:
            key_info = None
        if isinstance(key_info, dict):
            info = {"title": key_info.get("title"), "createdAt": key_info.get("createdAt"),
                    "scopes": key_info.get("scopes") or [], "source": "apiKey.info"}
            granted = ["apiKeysRead"]
            for scope in key_info.get("scopes") or []:
                perm = scope_to_permission(scope)
                if perm and perm not in granted:
                    granted.append(perm)
        if not isinstance(key_info, dict) or not isinstance(key_info.get("scopes"), list):
            info.setdefault("source", "probe")
            probed = []
            for perm, (endpoint, body) in READ_PROBES.items():
                try:
                    api.call(endpoint, body)
                except errors.InsufficientPermissions:
                    continue
                except errors.InvalidCredentials:
                    raise
                except errors.ConnectorError:
                    continue  # the module answered something else: do not claim the permission
                probed.append(perm)
            granted += [p for p in probed if p not in granted]
            info["unverified"] = "Write permissions cannot be probed safely; grant API Keys read so their "\
                                 "scopes can be read."
        return CredentialCheck(granted_permissions=granted, info=info)
