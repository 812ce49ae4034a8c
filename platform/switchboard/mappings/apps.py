from django.apps import AppConfig


class MappingsConfig(AppConfig):
    name = "switchboard.mappings"
    label = "mappings"
    verbose_name = "Field mappings and custom models"
