"""One settings module, read from the environment.

Nothing set: SQLite file under ``var/``, no broker (tasks run in-process), no Redis (local memory
cache). Every variable that is set is parsed strictly: a malformed value stops the process with a
message naming the variable, rather than running with a surprise default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("AUTODCC_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("AUTODCC_VAR_DIR", BASE_DIR / "var")).resolve()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def _env_number(name: str, default: Any, cast: Any, kind: str, minimum: Any) -> Any:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = cast(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not {kind}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    return int(_env_number(name, default, int, "an integer", minimum))


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    return float(_env_number(name, default, float, "a number", minimum))


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty item; separate values with single commas.")
    return items


def env_url(name: str, schemes: set[str]) -> str:
    raw = env_str(name)
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must start with one of {sorted(schemes)}://, got {raw.split(':')[0]!r}.")
    if parsed.scheme not in {"sqlite", "memory"} and not parsed.hostname:
        raise ImproperlyConfigured(f"{name} has no host name.")
    return raw


def _secret_key(debug: bool) -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50 or len(set(key)) < 5:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with 5 distinct characters.")
        return key
    # Embedded default: a random key kept beside the SQLite file so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key(DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", {"postgres", "postgresql", "pgsql", "sqlite"})
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "autodcc.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    # a file (live-server tests share it across threads), one per test process
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # the funnel's aggregates run faster without PostgreSQL's JIT compilation (measured: bench/)
    _db.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # parameters bound by the server and statements prepared once per connection: PostgreSQL plans
    # the capture's lookups once instead of on every request (measured: planning was over half of
    # its time per capture). Off behind a transaction-pooling PgBouncer (DB_SERVER_SIDE_BINDING=0).
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        _db["OPTIONS"]["server_side_binding"] = True
        _db["OPTIONS"]["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 2, minimum=0) or None
DATABASES = {"default": _db}
# covering indexes (INCLUDE) are a PostgreSQL refinement; SQLite builds the same index without them
SILENCED_SYSTEM_CHECKS = ["models.W040"] if _db["ENGINE"] == "django.db.backends.sqlite3" else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = _db["ENGINE"].endswith("postgresql")

# --- Redis, cache, Celery ---------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", {"redis", "rediss", "unix"})
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "autodcc"}}

BROKER_CONFIGURED = bool(env_url("CELERY_BROKER_URL", {"redis", "rediss", "amqp", "pyamqp"}))
# no broker: tasks run in-process, as pretix does ("memory://" is never used then, it only keeps kombu quiet)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not BROKER_CONFIGURED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
# One schedule for celery beat and for the embedded scheduler (``manage.py serve``).
AUTODCC_SCHEDULE = {
    "dispatch-outbox": {"task": "autodcc.core.tasks.dispatch_outbox", "seconds": 15},
    "lead-sweeps": {"task": "autodcc.leads.tasks.sweep_leads", "seconds": 60},
    "lead-intakes": {"task": "autodcc.leads.tasks.process_pending_intakes", "seconds": 10},
    "testdrive-reminders": {"task": "autodcc.testdrives.tasks.send_reminders", "seconds": 300},
    "daily-reports": {"task": "autodcc.insights.tasks.send_daily_reports", "seconds": 3600},
    "catalogue-prices": {"task": "autodcc.catalog.tasks.apply_due_prices", "seconds": 600},
    "draw-rounds": {"task": "autodcc.campaigns.tasks.close_draw_rounds", "seconds": 30},
    "complaint-sweep": {"task": "autodcc.feedback.tasks.sweep_complaints", "seconds": 60},
    # deposit orders: the payment reminder, then closing the ones still unpaid at their deadline
    "unpaid-orders": {"task": "autodcc.orders.tasks.close_unpaid_orders", "seconds": 60},
    # receipt reminders after delivery: due by the day; hourly so a quiet night only delays them
    "receipt-reminders": {"task": "autodcc.orders.tasks.remind_receipts", "seconds": 3600},
    # maintenance reminders and revisit calls: once a day is enough, hourly catches a missed run
    "care-daily": {"task": "autodcc.aftercare.tasks.run_daily", "seconds": 3600},
    "channel-pulls": {"task": "autodcc.channels.tasks.pull_channels", "seconds": 300},
    "channel-feedback": {"task": "autodcc.channels.tasks.send_feedback", "seconds": 120},
    "store-analytics-flush": {"task": "autodcc.analytics.tasks.flush_events", "seconds": 10},
    "store-analytics-rollup": {"task": "autodcc.analytics.tasks.rollup_recent", "seconds": 3600},
}
CELERY_BEAT_SCHEDULE = {
    name: {"task": entry["task"], "schedule": float(entry["seconds"])} for name, entry in AUTODCC_SCHEDULE.items()
}

# --- Outbox and messaging ---------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5, minimum=1)
OUTBOX_BACKOFF_SECONDS = env_int("OUTBOX_BACKOFF_SECONDS", 30, minimum=1)
OUTBOX_BACKOFF_MAX_SECONDS = env_int("OUTBOX_BACKOFF_MAX_SECONDS", 3600, minimum=1)
# without a broker: a web process dispatches the outbox after a response at most this often (seconds)
OUTBOX_DISPATCH_INTERVAL = env_float("OUTBOX_DISPATCH_INTERVAL", 1.0, minimum=0.0)
# an agent gets at most one "new leads" message in this many seconds (the rest are summed into the next)
LEAD_NOTICE_INTERVAL = env_int("LEAD_NOTICE_INTERVAL", 60, minimum=0)
MESSAGING_SMS_PROVIDER = env_str("MESSAGING_SMS_PROVIDER", "console")
MESSAGING_WECHAT_PROVIDER = env_str("MESSAGING_WECHAT_PROVIDER", "console")
MESSAGING_PUSH_PROVIDER = env_str("MESSAGING_PUSH_PROVIDER", "console")
TELEPHONY_PROVIDER = env_str("TELEPHONY_PROVIDER", "console")  # click-to-call (leads/telephony.py)
SMS_GATEWAY_URL = env_url("SMS_GATEWAY_URL", {"http", "https"})
SMS_GATEWAY_KEY = env_str("SMS_GATEWAY_KEY")
SMS_GATEWAY_SECRET = env_str("SMS_GATEWAY_SECRET")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "autodcc")
WECHAT_API_BASE = env_url("WECHAT_API_BASE", {"http", "https"}) or "https://api.weixin.qq.com"
WECHAT_APP_ID = env_str("WECHAT_APP_ID")
WECHAT_APP_SECRET = env_str("WECHAT_APP_SECRET")
MESSAGING_HTTP_TIMEOUT = env_int("MESSAGING_HTTP_TIMEOUT", 10, minimum=1)

# --- Applications -----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    "axes",
    "autodcc.core",
    "autodcc.network",
    "autodcc.messaging",
    "autodcc.customers",
    "autodcc.campaigns",
    "autodcc.assistant",
    "autodcc.leads",
    "autodcc.channels",
    "autodcc.catalog",
    "autodcc.testdrives",
    "autodcc.storefront",
    "autodcc.analytics",
    "autodcc.orders",
    "autodcc.feedback",
    "autodcc.aftercare",
    "autodcc.insights",
    "autodcc.console",
    "autodcc.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "autodcc.core.middleware.ActorMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "autodcc.core.auth_backends.UsernameLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# a name is locked at one address after AXES_FAILURE_LIMIT failures (colleagues behind the same proxy
# keep working), and everywhere after AXES_USERNAME_FAILURE_LIMIT failures across addresses
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 30, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "console/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

ROOT_URLCONF = "autodcc.urls"
WSGI_APPLICATION = "autodcc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "autodcc.console.context_processors.console",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
if STATIC_ROOT.is_relative_to(VAR_DIR):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it; WhiteNoise wants it to exist
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
WHITENOISE_MANIFEST_STRICT = False

# --- Security ---------------------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
HTTPS = env_bool("HTTPS", not DEBUG and bool(env_str("SECRET_KEY")))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# the proxies whose X-Forwarded-For is believed (addresses or networks); a client's address is the
# last forwarded one that is not a trusted proxy. Behind the documented proxy: 127.0.0.1 by default.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1/32", "::1/128"] if BEHIND_PROXY else [])
for _net in TRUSTED_PROXIES:
    try:
        import ipaddress as _ipaddress

        _ipaddress.ip_network(_net, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_net!r} is not an address or a network.") from None
# rate limits and the login lockout key on that address
RATELIMIT_IP_META_KEY = "autodcc.core.limits.client_ip_meta"
AXES_CLIENT_IP_CALLABLE = "autodcc.core.limits.axes_client_ip"
# the JSON API: requests per key and per address, failed authentications per address (0 = no limit)
API_RATE_PER_KEY = env_str("API_RATE_PER_KEY", "600/m")
API_RATE_PER_ADDRESS = env_str("API_RATE_PER_ADDRESS", "300/m")
API_AUTH_FAILURES = env_str("API_AUTH_FAILURES", "10/m")
for _name in ("API_RATE_PER_KEY", "API_RATE_PER_ADDRESS", "API_AUTH_FAILURES"):
    try:
        from autodcc.core.limits import Rate as _Rate

        _Rate.parse(globals()[_name])
    except ValueError as _exc:
        raise ImproperlyConfigured(f"{_name}: {_exc}") from None
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- Product ----------------------------------------------------------------------------------
AUTODCC_BRAND = env_str("AUTODCC_BRAND", "澜川汽车")
# the FAQ assistant answers from this confidence (0–1) and hands over to a person below it
ASSISTANT_MIN_CONFIDENCE = env_float("ASSISTANT_MIN_CONFIDENCE", 0.4, minimum=0.0)
AUTODCC_ACTOR_RESOLVER = "autodcc.network.actors.actor_for_user"

# --- Store analytics (first party, with the visitor's consent) --------------------------------
STORE_ANALYTICS = env_bool("STORE_ANALYTICS", True)  # off: no banner, no script, nothing recorded
# without Redis a process writes its buffered events after a response once it holds this many or
# the oldest is this old (seconds); with Redis the scheduled flush writes them
ANALYTICS_FLUSH_SIZE = env_int("ANALYTICS_FLUSH_SIZE", 200, minimum=1)
ANALYTICS_FLUSH_SECONDS = env_float("ANALYTICS_FLUSH_SECONDS", 5.0, minimum=0.0)
ANALYTICS_RATE = env_str("ANALYTICS_RATE", "120/m")  # collect requests per client address
ANALYTICS_ROLLUP_DAYS = env_int("ANALYTICS_ROLLUP_DAYS", 3, minimum=0)  # days recomputed besides today
ANALYTICS_RETENTION_DAYS = env_int("ANALYTICS_RETENTION_DAYS", 180, minimum=1)  # raw events kept
try:
    from autodcc.core.limits import Rate as _Rate

    _Rate.parse(ANALYTICS_RATE)
except ValueError as _exc:
    raise ImproperlyConfigured(f"ANALYTICS_RATE: {_exc}") from None

# --- Payments ---------------------------------------------------------------------------------
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", ["sandbox"])
SANDBOX_PAY_SECRET = env_str("SANDBOX_PAY_SECRET")
SITE_URL = env_url("SITE_URL", {"http", "https"}) or "http://127.0.0.1:8000"
ALIPAY_APP_ID = env_str("ALIPAY_APP_ID")
ALIPAY_APP_PRIVATE_KEY = env_str("ALIPAY_APP_PRIVATE_KEY")  # PEM, or a path to it
ALIPAY_PUBLIC_KEY = env_str("ALIPAY_PUBLIC_KEY")  # Alipay's public key: PEM, or a path to it
ALIPAY_SANDBOX = env_bool("ALIPAY_SANDBOX", False)
ALIPAY_GATEWAY = env_url("ALIPAY_GATEWAY", {"http", "https"})
WECHATPAY_MCH_ID = env_str("WECHATPAY_MCH_ID")
WECHATPAY_APP_ID = env_str("WECHATPAY_APP_ID")
WECHATPAY_API_V3_KEY = env_str("WECHATPAY_API_V3_KEY")
WECHATPAY_PRIVATE_KEY = env_str("WECHATPAY_PRIVATE_KEY")
WECHATPAY_SERIAL_NO = env_str("WECHATPAY_SERIAL_NO")
WECHATPAY_PLATFORM_PUBLIC_KEY = env_str("WECHATPAY_PLATFORM_PUBLIC_KEY")
WECHATPAY_API_BASE = env_url("WECHATPAY_API_BASE", {"http", "https"}) or "https://api.mch.weixin.qq.com"
AUTODCC_DEPOSIT_CAP = env_str("AUTODCC_DEPOSIT_CAP", "500.00")
# campaign messages a mobile may get in seven days (checked when a wave is queued and again when
# each message goes out)
AUTODCC_MARKETING_PER_WEEK = env_int("AUTODCC_MARKETING_PER_WEEK", 2, minimum=0)
# a deposit order not paid this many minutes after it was placed is closed (its deadline is fixed
# when it is placed); one payment reminder goes out this many minutes after it was placed
ORDER_PAYMENT_MINUTES = env_int("ORDER_PAYMENT_MINUTES", 30, minimum=1)
ORDER_REMINDER_MINUTES = env_int("ORDER_REMINDER_MINUTES", 15, minimum=1)
if ORDER_REMINDER_MINUTES >= ORDER_PAYMENT_MINUTES:
    raise ImproperlyConfigured(f"ORDER_REMINDER_MINUTES={ORDER_REMINDER_MINUTES} must be less than "
                               f"ORDER_PAYMENT_MINUTES={ORDER_PAYMENT_MINUTES}: the reminder comes before the close.")

# a delivered order whose buyer has not confirmed receipt is reminded this many days after the
# delivery, and once more the same number of days after the last reminder (orders.services.milestones)
ORDER_RECEIPT_REMINDER_DAYS = env_int("ORDER_RECEIPT_REMINDER_DAYS", 3, minimum=1)

# --- Channel connectors -----------------------------------------------------------------------
# Per-connector credentials and endpoints (docs/channels.md). A connector without its secret
# refuses pushes and does not pull.


def _hmac_connector(name: str, label: str, timestamp_header: str, signature_header: str) -> dict[str, Any]:
    prefix = f"CHANNEL_{name.upper()}_"
    return {
        "app_id": env_str(prefix + "APP_ID"),
        "secret": env_str(prefix + "SECRET"),
        "api_base": env_url(prefix + "API_BASE", {"http", "https"}),
        "timestamp_header": env_str(prefix + "TIMESTAMP_HEADER", timestamp_header),
        "signature_header": env_str(prefix + "SIGNATURE_HEADER", signature_header),
        "max_skew_seconds": env_int(prefix + "MAX_SKEW_SECONDS", 300, minimum=30),
        # the consent the consumer gave on the platform's own form (recorded with the lead's consent)
        "consent_version": env_str(prefix + "CONSENT_VERSION", f"{label}平台授权"),
        "pull": env_bool(prefix + "PULL", True),
        "feedback": env_bool(prefix + "FEEDBACK", True),
    }


CHANNELS = {
    "tmall": {
        "app_key": env_str("CHANNEL_TMALL_APP_KEY"),
        "secret": env_str("CHANNEL_TMALL_APP_SECRET"),
        "session": env_str("CHANNEL_TMALL_SESSION"),  # the seller's authorisation, for the order pull
        "gateway": env_url("CHANNEL_TMALL_GATEWAY", {"http", "https"}) or "https://eco.taobao.com/router/rest",
        "max_skew_seconds": env_int("CHANNEL_TMALL_MAX_SKEW_SECONDS", 600, minimum=30),
        "consent_version": env_str("CHANNEL_TMALL_CONSENT_VERSION", "天猫平台授权"),
        "pull": env_bool("CHANNEL_TMALL_PULL_ORDERS", True),
    },
    "autohome": _hmac_connector("autohome", "汽车之家", "X-Autohome-Timestamp", "X-Autohome-Signature"),
    "yiche": _hmac_connector("yiche", "易车", "X-Yiche-Timestamp", "X-Yiche-Sign"),
    "dongchedi": _hmac_connector("dongchedi", "懂车帝", "X-Dcd-Timestamp", "X-Dcd-Signature"),
}
