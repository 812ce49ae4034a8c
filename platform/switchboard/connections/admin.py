from django import forms
from django.contrib import admin, messages

from switchboard.connections.models import Connection, ConnectorConfig


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["connector_id", "owner_id", "tenant", "status", "missing_count", "authorized_at", "updated_at"]
    list_filter = ["status", "connector_id", "tenant"]
    search_fields = ["owner_id", "tenant__name"]
    readonly_fields = ["granted_permissions", "missing_operations", "credential_info", "authorized_at",
                       "permissions_checked_at", "created_at", "updated_at", "has_credentials"]
    exclude = ["credentials"]
    actions = ["recheck"]

    @admin.display(description="missing operations")
    def missing_count(self, obj):
        return len(obj.missing_operations)

    @admin.display(boolean=True, description="credentials stored")
    def has_credentials(self, obj):
        return bool(obj.credentials)

    @admin.action(description="Re-check permissions with the provider")
    def recheck(self, request, queryset):
        from switchboard.connections.services import recheck_permissions

        for connection in queryset:
            try:
                recheck_permissions(connection)
            except Exception as exc:
                messages.error(request, f"{connection}: {exc}")
        messages.success(request, "Permissions re-checked.")


class ConnectorConfigForm(forms.ModelForm):
    # Write-only: the stored secret is never rendered back into the page.
    oauth_client_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                                          help_text="Leave empty to keep the stored secret.")

    class Meta:
        model = ConnectorConfig
        fields = ["tenant", "connector_id", "oauth_client_id", "oauth_client_secret", "brand_name",
                  "brand_logo_url", "brand_color", "settings"]

    def clean_oauth_client_secret(self):
        value = self.cleaned_data.get("oauth_client_secret")
        return value or (self.instance.oauth_client_secret if self.instance.pk else "")


@admin.register(ConnectorConfig)
class ConnectorConfigAdmin(admin.ModelAdmin):
    form = ConnectorConfigForm
    list_display = ["connector_id", "tenant", "brand_name", "oauth_client_id", "updated_at"]
    list_filter = ["connector_id"]
    search_fields = ["tenant__name", "brand_name"]
