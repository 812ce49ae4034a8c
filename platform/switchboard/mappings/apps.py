from django.apps import AppConfig


class MappingsConfig(AppConfig):
    name = "switchboard.mappings"
    label = "mappings"
    verbose_name = "Field mappings and custom models"

    def ready(self):
        from switchboard.mappings.models import FieldMapping
        from switchboard.tenants import config

        config.watch(FieldMapping)  # API calls cache effective mappings per tenant config token
