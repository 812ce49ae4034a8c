"""Apps that exist only once their part of the product has landed. Listing them here (rather than
editing INSTALLED_APPS from several branches at once) keeps settings.py stable."""

from importlib.util import find_spec

OPTIONAL = (
    "switchboard.resources",
    "switchboard.proxy",
    "switchboard.connect",
    "switchboard.webhooks",
    "switchboard.mappings",
)


def optional_apps() -> list[str]:
    return [name for name in OPTIONAL if find_spec(name) is not None]
