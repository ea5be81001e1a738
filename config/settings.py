"""Yiyang settings: one file, driven by environment variables.

SQLite and no other service by default (demo, development); set ``DATABASE_URL`` for PostgreSQL,
``CELERY_BROKER_URL`` for a Redis/RabbitMQ broker and ``YIYANG_ENV=production`` for a hardened
deployment (see docs/deployment.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YIYANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


YIYANG_ENV = os.environ.get("YIYANG_ENV", "development")
PRODUCTION = YIYANG_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789abcdef"  # noqa: S105 (development only; production refuses to start without a real key)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("DJANGO_SECRET_KEY must be set (≥ 50 characters) when YIYANG_ENV=production")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "yiyang.core",
    "yiyang.regions",
    "yiyang.accounts",
    "yiyang.audit",
    "yiyang.elders",
    "yiyang.assessments",
    "yiyang.providers",
    "yiyang.orders",
    "yiyang.dispatch",
    "yiyang.benefits",
    "yiyang.hotline",
    "yiyang.renovation",
    "yiyang.devices",
    "yiyang.planning",
    "yiyang.visits",
    "yiyang.analytics",
    "yiyang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yiyang.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yiyang.core.middleware.RequestLogMiddleware",
    "yiyang.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiyang.core.context_processors.navigation",
                "yiyang.regions.context_processors.region_breadcrumbs",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'yiyang.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["yiyang.accounts.backends.GrantBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout: after this many consecutive failures the account is locked for LOCKOUT_MINUTES.
LOGIN_MAX_FAILURES = int(os.environ.get("YIYANG_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("YIYANG_LOGIN_LOCKOUT_MINUTES", "15"))
# Failed logins from one client address within LOCKOUT_MINUTES before it gets 429 (counted in the cache:
# Redis in production, so every worker shares the count).
LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("YIYANG_LOGIN_MAX_FAILURES_PER_IP", "20"))
# Count failed logins per client address from the last X-Forwarded-For entry instead of REMOTE_ADDR.
# Only behind a reverse proxy that sets the header (nginx: $proxy_add_x_forwarded_for); without a proxy
# the header is client-controlled, so it stays off by default.
LOGIN_TRUST_X_FORWARDED_FOR = env_bool("YIYANG_LOGIN_TRUST_X_FORWARDED_FOR", False)

# Sessions expire after 30 idle minutes (and when the browser closes).
SESSION_COOKIE_AGE = int(os.environ.get("YIYANG_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
# Paginated lists count matching rows up to this cap, then say "10,000+" (API: count_capped); 0 = exact.
YIYANG_COUNT_CAP = int(os.environ.get("YIYANG_COUNT_CAP", "10000"))
# API tokens (one per login, stored hashed) expire after this many hours without use, and in any case
# API_TOKEN_MAX_HOURS after they were issued.
API_TOKEN_HOURS = int(os.environ.get("YIYANG_API_TOKEN_HOURS", "12"))
API_TOKEN_MAX_HOURS = int(os.environ.get("YIYANG_API_TOKEN_MAX_HOURS", "72"))

# Orders. The elder's 6-digit confirmation code locks after ORDERS_CONFIRMATION_MAX_TRIES wrong entries
# and expires ORDERS_CONFIRMATION_CODE_HOURS after it was issued (both renewable by the caregiver, the
# family or the dispatcher).
ORDERS_CONFIRMATION_MAX_TRIES = int(os.environ.get("YIYANG_ORDERS_CONFIRMATION_MAX_TRIES", "5"))
ORDERS_CONFIRMATION_CODE_HOURS = int(os.environ.get("YIYANG_ORDERS_CONFIRMATION_CODE_HOURS", "24"))
# A scheduled start, check-in or check-out time more than this many minutes before it reached the server
# is accepted but flagged as backdated (the order's scheduled start is refused).
ORDERS_BACKDATE_TOLERANCE_MIN = int(os.environ.get("YIYANG_ORDERS_BACKDATE_TOLERANCE_MIN", "10"))
# After this many declined or expired dispatches an order goes back to the dispatcher's queue.
ORDERS_MAX_DISPATCH_ATTEMPTS = int(os.environ.get("YIYANG_ORDERS_MAX_DISPATCH_ATTEMPTS", "3"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = os.environ.get("TZ_NAME", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected static files (production only; in development WhiteNoise serves from the apps).
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION or os.environ.get("DJANGO_STATIC_ROOT") else None
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("YIYANG_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Personal-data encryption (ID numbers, phones). One secret per key id; the first is current,
# the others are kept to read rows not yet re-encrypted (see docs/deployment.md, key rotation).
FIELD_ENCRYPTION_KEYS = env_list(
    "YIYANG_FIELD_KEYS", "" if PRODUCTION else "k1:dev-only-field-key-not-for-production"
)
BLIND_INDEX_SECRET = os.environ.get(
    "YIYANG_BLIND_INDEX_SECRET", "" if PRODUCTION else "dev-only-blind-index-secret"
)
if PRODUCTION:
    from yiyang.core.secretpolicy import secret_problems  # pure Python: no Django import

    _problems = secret_problems(
        secret_key=SECRET_KEY, field_keys=FIELD_ENCRYPTION_KEYS, blind_index_secret=BLIND_INDEX_SECRET
    )
    if _problems:  # refuse to start (check --deploy reports the same, see yiyang.core.checks)
        raise RuntimeError("生产环境密钥不合格：" + "；".join(_problems))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "yiyang.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: a form or multipart body cannot carry null, numbers or nested objects, so the schema's
    # types would not hold. Uploads declare SafeMultiPartParser on their action (orders' photo).
    "DEFAULT_PARSER_CLASSES": ["yiyang.core.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "yiyang.core.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "yiyang.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "30/min"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "颐养 Yiyang API",
    "DESCRIPTION": "智慧养老服务平台 API. Authenticate with POST /api/v1/auth/token/ then send "
    "`Authorization: Token <token>`. Errors use one envelope: {code, message, errors}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ElderStatusEnum": "yiyang.elders.choices.ElderStatus",
        "OrderStatusEnum": "yiyang.orders.choices.OrderStatus",
        "FlagStatusEnum": "yiyang.orders.choices.FlagStatus",
        "AssessmentStatusEnum": "yiyang.assessments.models.Status",
        "OrderChannelEnum": "yiyang.orders.choices.Channel",
        "OrderableChannelEnum": "yiyang.orders.choices.OrderableChannel",
        "ComplaintCategoryEnum": "yiyang.orders.choices.ComplaintCategory",
        "ComplaintChannelEnum": "yiyang.orders.choices.ComplaintChannel",
        "ComplaintStatusEnum": "yiyang.orders.choices.ComplaintStatus",
        "ComplaintOutcomeEnum": "yiyang.orders.choices.ComplaintOutcome",
        "ElderCategoryEnum": "yiyang.elders.choices.Category",
        "ServiceCategoryEnum": "yiyang.providers.choices.ServiceCategory",
        "BenefitEnrolmentStatusEnum": "yiyang.benefits.choices.EnrolmentStatus",
        "BenefitEnrolmentSourceEnum": "yiyang.benefits.choices.EnrolmentSource",
        "BenefitRunStatusEnum": "yiyang.benefits.choices.RunStatus",
        "BenefitLineKindEnum": "yiyang.benefits.choices.LineKind",
        "BenefitLineStatusEnum": "yiyang.benefits.choices.LineStatus",
        "BenefitProgrammeKindEnum": "yiyang.benefits.choices.ProgrammeKind",
        "BenefitPaymentModeEnum": "yiyang.benefits.choices.PaymentMode",
        "CallDirectionEnum": "yiyang.hotline.choices.CallDirection",
        "CallKindEnum": "yiyang.hotline.choices.CallKind",
        "IncidentKindEnum": "yiyang.hotline.choices.IncidentKind",
        "IncidentSourceEnum": "yiyang.hotline.choices.IncidentSource",
        "IncidentStatusEnum": "yiyang.hotline.choices.IncidentStatus",
        "IncidentOutcomeEnum": "yiyang.hotline.choices.IncidentOutcome",
        "WorkOrderStatusEnum": "yiyang.hotline.choices.WorkOrderStatus",
        "WorkOrderSourceEnum": "yiyang.hotline.choices.WorkOrderSource",
        "HandlerKindEnum": "yiyang.hotline.choices.HandlerKind",
        "SatisfactionEnum": "yiyang.hotline.choices.Satisfaction",
        "RenovationApplicationStatusEnum": "yiyang.renovation.choices.ApplicationStatus",
        "RenovationProgrammeStatusEnum": "yiyang.renovation.choices.ProgrammeStatus",
        "RenovationClaimStatusEnum": "yiyang.renovation.choices.ClaimStatus",
        "RenovationCatalogCategoryEnum": "yiyang.renovation.choices.CatalogCategory",
        "RenovationRuleCodeEnum": "yiyang.renovation.choices.RuleCode",
        "RenovationItemCodeEnum": "yiyang.renovation.choices.ITEM_CODE_CHOICES",
        "RenovationSignRelationEnum": "yiyang.renovation.choices.SIGN_RELATION_CHOICES",
        "OrderFlagCodeEnum": "yiyang.orders.choices.FlagCode",
        "ElderRelationEnum": "yiyang.elders.choices.Relation",
        "DeviceTypeEnum": "yiyang.devices.choices.DeviceType",
        "DeviceStatusEnum": "yiyang.devices.choices.DeviceStatus",
        "DeviceEventTypeEnum": "yiyang.devices.choices.EventType",
        "AlarmKindEnum": "yiyang.devices.choices.AlarmKind",
        "AlarmSeverityEnum": "yiyang.devices.choices.Severity",
        "AlarmStatusEnum": "yiyang.devices.choices.AlarmStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "yiyang.core.schema.add_error_responses",
        "yiyang.core.schema.state_text_rules",
    ],
}

# Celery. With no broker configured (demo, tests) tasks run in-process, so no other service is needed.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "yiyang.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "deliver-outbox": {"task": "yiyang.core.tasks.deliver_outbox", "schedule": 60.0},
}

# The outbox (yiyang.core.outbox): retries with exponential backoff, then the dead-letter list.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_BACKOFF_SECONDS = int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "30"))
OUTBOX_BACKOFF_MAX_SECONDS = int(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", str(6 * 3600)))
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
# Text messages leave through this adapter, a callable send(phone, text); the default only logs.
SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "yiyang.core.channels.log_gateway")
# For SMS_GATEWAY=yiyang.hotline.sms.http_gateway: the gateway endpoint and its bearer token.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "yiyang.core.logging.PersonalDataFilter"}},
    "formatters": {"json": {"()": "yiyang.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["scrub"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("YIYANG_LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver's access lines go through the same scrubbing handler (never logging.lastResort).
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"level": "ERROR"},
    },
}

# Security headers in every environment (the CSP and Permissions-Policy: yiyang.core.middleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Input limits (yiyang.core.validators, yiyang.elders.importing).
YIYANG_SERVICE_TIME_SKEW_SECONDS = int(os.environ.get("YIYANG_SERVICE_TIME_SKEW_SECONDS", "120"))
YIYANG_SERVICE_TIME_MAX_PAST_DAYS = int(os.environ.get("YIYANG_SERVICE_TIME_MAX_PAST_DAYS", "7"))
YIYANG_SCHEDULE_HORIZON_DAYS = int(os.environ.get("YIYANG_SCHEDULE_HORIZON_DAYS", "180"))
YIYANG_IMPORT_MAX_BYTES = int(os.environ.get("YIYANG_IMPORT_MAX_MB", "20")) * 1024 * 1024
YIYANG_IMPORT_MAX_UNCOMPRESSED = int(os.environ.get("YIYANG_IMPORT_MAX_UNCOMPRESSED_MB", "200")) * 1024 * 1024
YIYANG_IMPORT_MAX_ROWS = int(os.environ.get("YIYANG_IMPORT_MAX_ROWS", "200000"))
YIYANG_IMPORT_MAX_COLUMNS = int(os.environ.get("YIYANG_IMPORT_MAX_COLUMNS", "50"))
# Register bulk import (docs/decisions/0018-register-import-fast-path.md): processes checking rows (unset: the
# cores beyond two; 0: none) and the memory PostgreSQL may use to rebuild each index at the end.
if os.environ.get("YIYANG_IMPORT_WORKERS"):
    ELDERS_IMPORT_WORKERS = int(os.environ["YIYANG_IMPORT_WORKERS"])
ELDERS_IMPORT_INDEX_MEMORY = os.environ.get("YIYANG_IMPORT_INDEX_MEMORY", "256MB")
if os.environ.get("YIYANG_IMPORT_BULK_MIN_ROWS"):  # unset: imports take the bulk path only when asked to
    ELDERS_IMPORT_BULK_MIN_ROWS = int(os.environ["YIYANG_IMPORT_BULK_MIN_ROWS"])
# Order photos: size limit (bytes); the type is sniffed from the content (JPEG, PNG, WebP).
YIYANG_PHOTO_MAX_BYTES = int(os.environ.get("YIYANG_PHOTO_MAX_MB", "8")) * 1024 * 1024
# Evidence files of departments' entered KPI values (PDF, images, .xlsx), per file.
YIYANG_EVIDENCE_MAX_BYTES = int(os.environ.get("YIYANG_EVIDENCE_MAX_MB", "20")) * 1024 * 1024

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Smart devices (issue 13): the MQTT broker the listener (manage.py listen_devices) subscribes to.
MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")
