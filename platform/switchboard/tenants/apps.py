from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "switchboard.tenants"
    label = "tenants"
    verbose_name = "Tenants and API keys"
