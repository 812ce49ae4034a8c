from django.contrib import admin

from switchboard.logs.models import RequestLog, UpstreamCallLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RequestLog)
class RequestLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "method", "path", "status", "duration_ms", "tenant", "connection", "error_code",
                    "request_id"]
    list_filter = ["status", "method", "auth", "tenant", ("error_code", admin.EmptyFieldListFilter)]
    search_fields = ["path", "request_id", "error_code", "connection__owner_id"]
    date_hierarchy = "created_at"


@admin.register(UpstreamCallLog)
class UpstreamCallLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "method", "host", "path", "status", "duration_ms", "attempt", "connection",
                    "error_code", "request_id"]
    list_filter = ["status", "host", "error_code"]
    search_fields = ["path", "request_id", "upstream_request_id", "connection__owner_id"]
    date_hierarchy = "created_at"
