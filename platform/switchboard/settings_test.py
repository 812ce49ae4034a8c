"""Test settings: the real settings with what tests need changed, nothing else. The database and
broker still come from the environment, so CI runs the same suite on PostgreSQL and Redis."""

import os

os.environ.setdefault("SWITCHBOARD_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "var", "test"))

from switchboard.settings import *  # noqa: E402,F403
from switchboard.settings import REST_FRAMEWORK  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"tenant": "100000/min"}}
# A test's rows live in the transaction its own thread holds open; a background writer's connection
# could not see them (nor the tenants its rows point at). The writer has its own transactional tests.
REQUEST_LOG_WRITER = "inline"
