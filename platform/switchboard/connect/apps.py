from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "switchboard.connect"
    label = "connect"
    verbose_name = "Connect (sessions, connect page, OAuth)"
