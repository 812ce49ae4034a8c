from django.contrib import admin, messages

from switchboard.tenants.models import ApiKey, Membership, Tenant


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ["name", "public_key", "secret_hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["public_key", "secret_hint", "created_at", "last_used_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # keys are issued with the "Issue a new API key" action, which shows the secret once


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline, ApiKeyInline]
    actions = ["issue_key"]

    def save_model(self, request, obj, form, change):
        creating = obj.pk is None
        if creating and not obj.slug:
            from switchboard.tenants.services import unique_slug

            obj.slug = unique_slug(obj.name)
        super().save_model(request, obj, form, change)
        if creating:
            key, secret = ApiKey.issue(obj)
            messages.warning(request, f"API key issued. Public key: {key.public_key} — secret key: {secret} "
                                      "(copy it now; it is not shown again).")

    @admin.action(description="Issue a new API key (secret shown once)")
    def issue_key(self, request, queryset):
        for tenant in queryset:
            key, secret = ApiKey.issue(tenant, name="admin")
            messages.warning(request, f"{tenant}: public key {key.public_key} — secret key {secret} "
                                      "(copy it now; it is not shown again).")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["public_key", "tenant", "name", "secret_hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["tenant", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["public_key", "name", "tenant__name"]
    readonly_fields = ["public_key", "secret_hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for key in queryset:
            key.revoke()
        messages.success(request, f"Revoked {queryset.count()} key(s).")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email", "tenant__name"]
