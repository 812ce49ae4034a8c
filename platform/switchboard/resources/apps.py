from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "switchboard.resources"
    label = "resources"
    verbose_name = "Resources"
