"""Django settings, all read from the environment through `switchboard.env`.

Without any variable set, Switchboard runs on its embedded default (SQLite under var/, a
filesystem Celery broker, DEBUG off unless asked). `SWITCHBOARD_ENV=production` turns missing
secrets into start-up errors instead of development fallbacks.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from kombu import Queue

from switchboard.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # repository root
VAR_DIR = Path(env_str("SWITCHBOARD_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = env_str("SWITCHBOARD_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)

# Development fallbacks are fixed strings so restarts keep sessions and ciphertexts readable;
# production refuses to start without real values.
_DEV_SECRET = "dev-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
_DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="  # base64 of 32 dev bytes

SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET, required=PRODUCTION)
# A list: the first key encrypts, all of them decrypt. Prepend a new key to rotate.
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS", None if PRODUCTION else [_DEV_ENCRYPTION_KEY])
if PRODUCTION and not ENCRYPTION_KEYS:
    env_str("ENCRYPTION_KEYS", required=True)
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", None if PRODUCTION else "http://localhost:8000",
                          required=PRODUCTION).rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", None if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    env_str("ALLOWED_HOSTS", required=True)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "switchboard.core",
    "switchboard.tenants",
    "switchboard.connections",
    "switchboard.logs",
]
# Apps built by other parts of the product join when present (see `switchboard.apps_optional`).
from switchboard.apps_optional import optional_apps  # noqa: E402

INSTALLED_APPS += optional_apps()

MIDDLEWARE = [
    "switchboard.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "switchboard.logs.middleware.RequestLogMiddleware",
    "switchboard.core.middleware.ApiErrorMiddleware",
]

ROOT_URLCONF = "switchboard.urls"
WSGI_APPLICATION = "switchboard.wsgi.application"
ASGI_APPLICATION = "switchboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'switchboard.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the embedded default: wait on locks instead
    # of failing, and let WAL keep readers off writers' backs. Connections persist like on
    # PostgreSQL (autocommit holds no transaction open between requests); opening one costs a
    # connect, three PRAGMAs and Django's function registrations on every request otherwise.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
         "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state (throttle counters, rate-limit budgets, locks) must be visible to every process:
# the database cache works everywhere; Redis when CACHE_URL says so.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "switchboard_cache"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# allauth: operators and developers log in by email; no open sign-up unless an operator asks.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ALLOW_SIGNUPS = env_bool("ALLOW_SIGNUPS", False)
ACCOUNT_ADAPTER = "switchboard.tenants.adapters.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/admin/"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start otherwise
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["switchboard.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "switchboard.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["switchboard.api.throttling.TenantRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"tenant": env_str("API_RATE_LIMIT", "600/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": "Unified ATS API over Ashby (Morph-compatible). Authenticate with `x-api-key` "
                   "(public key) and `x-api-secret` (secret key), or `x-session-token` under `/v1/s/`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            "apiSecret": {"type": "apiKey", "in": "header", "name": "x-api-secret"},
            "sessionToken": {"type": "apiKey", "in": "header", "name": "x-session-token"},
        }
    },
    "SECURITY": [{"apiKey": [], "apiSecret": []}],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "switchboard.api.schema.add_unified_components"],
}

# Celery: the embedded default is kombu's filesystem transport (no server); production sets
# CELERY_BROKER_URL to Redis or RabbitMQ.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"data_folder_in": str(VAR_DIR / "broker"), "data_folder_out": str(VAR_DIR / "broker"),
     "processed_folder": str(VAR_DIR / "broker-processed"), "store_processed": False,
     # kombu otherwise writes broadcast/control files into the current directory
     "control_folder": str(VAR_DIR / "broker-control")}
    if CELERY_BROKER_URL.startswith("filesystem") else {}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A polling pass can take minutes (a full pass over a large Ashby account) and would hold the
# worker slots that webhook deliveries need: polling has its own queue. A worker started without
# -Q consumes both; production runs one worker per queue (-Q celery, -Q polling), as `rundemo`
# does, so neither waits for the other.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("polling"))
CELERY_TASK_ROUTES = {"switchboard.webhooks.tasks.poll_model": {"queue": "polling"}}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "prune-request-logs": {"task": "switchboard.logs.tasks.prune_request_logs", "schedule": 3600.0},
    "sweep-counters": {"task": "switchboard.core.tasks.sweep_counters", "schedule": 3600.0},
    # Proactive permission detection: re-check stored credentials hourly (each connection at most
    # every PERMISSION_RECHECK_HOURS); tasks exist only once the connect app is installed.
    "recheck-connection-permissions": {"task": "switchboard.connect.tasks.recheck_due_permissions",
                                       "schedule": 3600.0},
    "prune-connect-sessions": {"task": "switchboard.connect.tasks.prune_sessions", "schedule": 86400.0},
    # Events and webhooks: re-queue due deliveries the broker lost, queue due polling passes, prune.
    "webhooks-sweep": {"task": "switchboard.webhooks.tasks.sweep", "schedule": 15.0},
    "webhooks-schedule-polls": {"task": "switchboard.webhooks.tasks.schedule_polls", "schedule": 60.0},
    "webhooks-prune": {"task": "switchboard.webhooks.tasks.prune", "schedule": 3600.0},
}

ASHBY_BASE_URL = env_str("ASHBY_BASE_URL", "https://api.ashbyhq.com")
# Seconds a connection's Ashby custom-field definitions are cached (field mappings).
MAPPINGS_REMOTE_FIELDS_TTL = env_int("MAPPINGS_REMOTE_FIELDS_TTL", 300)
REQUEST_LOG_RETENTION_DAYS = env_int("REQUEST_LOG_RETENTION_DAYS", 30)
# "background": each process batches request and upstream-call log rows on one writer thread (one
# transaction per batch; see switchboard.logs.capture). "inline": written when the response closes.
REQUEST_LOG_WRITER = env_str("REQUEST_LOG_WRITER", "background")
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz and /readyz answer plain HTTP probes from the load balancer.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
