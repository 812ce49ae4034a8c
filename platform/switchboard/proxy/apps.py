from django.apps import AppConfig


class ProxyConfig(AppConfig):
    name = "switchboard.proxy"
    label = "proxy"
    verbose_name = "Proxy"
