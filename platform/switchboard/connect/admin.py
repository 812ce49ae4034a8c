from django.contrib import admin, messages
from django.utils import timezone

from switchboard.connect.models import OAuthAttempt, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["public_id", "connection", "tenant", "purpose", "expires_at", "revoked_at", "last_used_at",
                    "attempts"]
    list_filter = ["purpose", "tenant"]
    search_fields = ["connection__owner_id", "tenant__name", "public_id"]
    readonly_fields = ["public_id", "tenant", "connection", "purpose", "operations", "redirect_url", "expires_at",
                       "last_used_at", "attempts", "created_at"]
    exclude = ["token_hash"]  # useless to a human, and one less thing to leak
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are shown once at creation, which only the API can do

    @admin.action(description="Revoke the selected sessions")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"Revoked {count} session(s).")


@admin.register(OAuthAttempt)
class OAuthAttemptAdmin(admin.ModelAdmin):
    list_display = ["connection", "client_id", "mode", "created_at", "expires_at", "used_at"]
    list_filter = ["mode"]
    search_fields = ["connection__owner_id", "client_id"]
    exclude = ["code_verifier", "nonce"]
    readonly_fields = ["connection", "session", "redirect_uri", "scopes", "client_id", "mode", "opener_origin",
                       "return_url", "expires_at", "used_at", "created_at"]

    def has_add_permission(self, request):
        return False
