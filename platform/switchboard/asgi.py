import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")
application = get_asgi_application()

from switchboard.core.runtime import freeze_startup_objects  # noqa: E402 - needs settings configured

freeze_startup_objects()
