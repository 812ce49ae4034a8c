from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "switchboard.webhooks"
    label = "webhooks"
    verbose_name = "Events and webhooks"
