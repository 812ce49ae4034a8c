from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "switchboard.connections"
    label = "connections"
    verbose_name = "Connections"

    def ready(self):
        from switchboard.connections.models import ConnectorConfig
        from switchboard.tenants import config

        config.watch(ConnectorConfig)  # API calls cache connector settings per tenant config token
