from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "switchboard.logs"
    label = "logs"
    verbose_name = "Request logs"
