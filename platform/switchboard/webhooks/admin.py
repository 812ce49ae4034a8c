"""The operator's view of events and webhooks: subscriptions (with why one was disabled),
events with their deliveries, every attempt, inbound provider events and the sync log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from switchboard.webhooks import services
from switchboard.webhooks.models import (
    Delivery,
    DeliveryAttempt,
    Event,
    InboundEndpoint,
    InboundEvent,
    RemoteWebhook,
    Subscription,
    SyncRun,
    SyncState,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "status_code", "latency_ms", "succeeded", "error", "response_excerpt",
              "remote_ip"]
    readonly_fields = fields
    show_change_link = False


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fk_name = "event"
    fields = ["id", "subscription", "status", "attempts", "last_status_code", "last_error", "next_attempt_at",
              "delivered_at"]
    readonly_fields = fields


def _requeue(queryset) -> int:
    count = 0
    for delivery in queryset:
        services.replay_delivery(delivery)
        count += 1
    return count


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "url", "tenant", "scope", "event_list", "is_active", "failure_streak", "last_success_at",
                    "disabled_reason_short", "created_at"]
    list_filter = ["is_active", "tenant", "connector_id"]
    search_fields = ["id", "url", "owner_id", "tenant__name"]
    readonly_fields = ["id", "tenant", "connector_id", "owner_id", "disabled_reason", "disabled_at", "failure_streak",
                       "failing_since", "last_success_at", "created_at", "updated_at"]
    exclude = ["secret"]
    actions = ["enable", "disable_selected", "sync_provider_webhooks"]

    @admin.display(description="events")
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description="disabled because")
    def disabled_reason_short(self, obj):
        return (obj.disabled_reason[:80] + "...") if len(obj.disabled_reason) > 80 else obj.disabled_reason

    @admin.action(description="Enable (clear the failure streak)")
    def enable(self, request, queryset):
        n = queryset.update(is_active=True, disabled_reason="", disabled_at=None, failure_streak=0, failing_since=None)
        messages.success(request, f"{n} subscription(s) enabled.")

    @admin.action(description="Disable")
    def disable_selected(self, request, queryset):
        n = queryset.update(is_active=False, disabled_at=timezone.now(),
                            disabled_reason=f"Disabled by operator {request.user} in the admin.")
        messages.success(request, f"{n} subscription(s) disabled.")

    @admin.action(description="Register / remove provider webhooks now")
    def sync_provider_webhooks(self, request, queryset):
        for sub in queryset:
            services.subscriptions_changed(sub)
        messages.success(request, "Queued.")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "connector_id", "owner_id", "record_id", "source", "tenant", "created_at",
                    "delivery_summary"]
    list_filter = ["source", "type", "connector_id", "tenant", "created_at"]
    search_fields = ["id", "record_id", "owner_id", "type"]
    readonly_fields = ["id", "tenant", "connection", "connector_id", "owner_id", "type", "record_id", "data",
                       "source", "sync_run", "created_at"]
    inlines = [DeliveryInline]
    actions = ["replay"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description="deliveries")
    def delivery_summary(self, obj):
        statuses = [d.status for d in obj.deliveries.all()]
        return ", ".join(f"{statuses.count(s)} {s}" for s in sorted(set(statuses))) or "-"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    @admin.action(description="Replay to every matching subscription")
    def replay(self, request, queryset):
        total = sum(services.replay(event) for event in queryset)
        messages.success(request, f"{total} deliveries queued.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event_type", "subscription", "status", "attempts", "last_status_code", "next_attempt_at",
                    "delivered_at", "created_at"]
    list_filter = ["status", "last_status_code", "subscription__tenant"]
    search_fields = ["id", "event__id", "subscription__id", "subscription__url", "last_error"]
    readonly_fields = ["id", "event", "subscription", "status", "attempts", "next_attempt_at", "queued_at",
                       "locked_until", "last_status_code", "last_error", "replays", "created_at", "updated_at",
                       "delivered_at"]
    list_select_related = ["event", "subscription"]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="event")
    def event_type(self, obj):
        return obj.event.type

    @admin.action(description="Retry now (fresh retry budget)")
    def retry_now(self, request, queryset):
        messages.success(request, f"{_requeue(queryset)} deliveries queued.")


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ["action", "action_id", "connection", "status", "attempts", "duplicates", "received_at",
                    "processed_at", "sync_run"]
    list_filter = ["status", "action", "connection__connector_id"]
    search_fields = ["action_id", "action", "connection__owner_id", "error"]
    readonly_fields = ["connection", "action_id", "action", "payload", "status", "attempts", "error", "duplicates",
                       "received_at", "processed_at", "queued_at", "locked_until", "sync_run"]
    actions = ["reprocess"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Process again")
    def reprocess(self, request, queryset):
        from switchboard.webhooks import tasks

        ids = list(queryset.values_list("pk", flat=True))
        queryset.update(status=InboundEvent.Status.RECEIVED, locked_until=None, queued_at=timezone.now())
        for pk in ids:
            services.queue(tasks.process_inbound, pk)
        messages.success(request, f"{len(ids)} inbound event(s) queued.")


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["id", "type", "record_id", "created_at"]
    readonly_fields = fields


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "connection", "model", "mode", "status", "baseline", "seen", "created", "updated",
                    "deleted", "unchanged", "pages", "duration_display", "error_count"]
    list_filter = ["status", "mode", "model", "baseline", "connection__connector_id"]
    search_fields = ["connection__owner_id", "model"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]
    inlines = [EventInline]
    date_hierarchy = "started_at"
    actions = ["run_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="duration")
    def duration_display(self, obj):
        d = obj.duration
        return f"{d.total_seconds():.1f} s" if d else "-"

    @admin.display(description="errors")
    def error_count(self, obj):
        return format_html('<span style="color:#b00">{}</span>', len(obj.errors)) if obj.errors else 0

    @admin.action(description="Run this model again now (full pass)")
    def run_again(self, request, queryset):
        from switchboard.webhooks import tasks

        pairs = {(r.connection_id, r.model) for r in queryset if r.mode != SyncRun.Mode.WEBHOOK}
        for connection_id, model in pairs:
            services.queue(tasks.poll_model, connection_id, model, True)
        messages.success(request, f"{len(pairs)} pass(es) queued.")


@admin.register(SyncState)
class SyncStateAdmin(admin.ModelAdmin):
    list_display = ["connection", "model", "baseline_at", "last_full_at", "last_incremental_at", "next_incremental_at",
                    "next_full_at", "has_token", "unsupported", "last_error"]
    list_filter = ["model", "unsupported"]
    search_fields = ["connection__owner_id", "model"]
    readonly_fields = ["connection", "model", "sync_token", "baseline_at", "last_full_at", "last_incremental_at"]
    actions = ["force_full"]

    @admin.display(boolean=True, description="sync token")
    def has_token(self, obj):
        return bool(obj.sync_token)

    @admin.action(description="Make the next pass a full pass")
    def force_full(self, request, queryset):
        n = queryset.update(next_full_at=timezone.now(), next_incremental_at=timezone.now())
        messages.success(request, f"{n} model(s) will get a full pass on the next beat tick.")


@admin.register(RemoteWebhook)
class RemoteWebhookAdmin(admin.ModelAdmin):
    list_display = ["connection", "webhook_type", "remote_id", "last_error", "updated_at"]
    list_filter = ["webhook_type"]
    search_fields = ["connection__owner_id", "remote_id"]
    readonly_fields = ["connection", "webhook_type", "remote_id", "request_url", "last_error", "created_at",
                       "updated_at"]


@admin.register(InboundEndpoint)
class InboundEndpointAdmin(admin.ModelAdmin):
    list_display = ["connection", "created_at", "last_received_at"]
    search_fields = ["connection__owner_id"]
    readonly_fields = ["connection", "created_at", "last_received_at"]
    exclude = ["token", "secret"]
