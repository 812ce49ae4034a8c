from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "switchboard.connections"
    label = "connections"
    verbose_name = "Connections"
