"""A tiny second connector for platform tests: the platform must not depend on Ashby specifics,
and registering this one proves a new connector is one registry call."""

from __future__ import annotations

from contextlib import contextmanager

from connectors.base import AuthSetting, AuthSpec, Connector, CredentialCheck, OperationSpec
from connectors.errors import InvalidCredentials

GOOD_KEY = "good-key-0123456789"
LIMITED_KEY = "limited-key-0123456789"


class FakeConnector(Connector):
    id = "fake"
    name = "Fake ATS"
    default_base_url = "http://127.0.0.1:9"
    auth = AuthSpec(kind="apiKey", settings=(AuthSetting("apiKey", "API key", secret=True),))
    operation_specs = (
        OperationSpec("atsJob", "list", permissions=("jobsRead",)),
        OperationSpec("atsJob", "retrieve", permissions=("jobsRead",)),
        OperationSpec("atsJob", "create", permissions=("jobsWrite",)),
        OperationSpec("atsJob", "delete", supported=False, note="Archive the job instead."),
        OperationSpec("genericContact", "list", permissions=("candidatesRead",)),
    )

    def __init__(self):
        self.checked: list[str] = []

    def check_credentials(self, ctx):
        key = ctx.credentials.get("apiKey")
        self.checked.append(key)
        if key == GOOD_KEY:
            return CredentialCheck(["jobsRead", "jobsWrite", "candidatesRead"], {"title": "good"})
        if key == LIMITED_KEY:
            return CredentialCheck(["jobsRead"], {"title": "limited"})
        raise InvalidCredentials("The API key is not valid.")


@contextmanager
def registered(connector: Connector):
    """Register `connector` for the duration of a test, restoring whatever held its id before."""
    from connectors import registry

    registry._load()
    previous = registry._REGISTRY.get(connector.id)
    registry.register(connector)
    try:
        yield connector
    finally:
        if previous is None:
            registry._REGISTRY.pop(connector.id, None)
        else:
            registry._REGISTRY[connector.id] = previous
