"""Houtai settings. Every value comes from the environment (DESIGN §6); all are optional."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else None)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "treebeard",
    "axes",
    "csp",
    "shop",
    "catalog",
    "inventory",
    "orders",
    "payments",
    "marketing",
    "customers",
    "aftersales",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "shop.middleware.IdleSessionMiddleware",
    "axes.middleware.AxesMiddleware",
    "shop.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.backoffice",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if env("DATABASE_REPLICA_URL", default=""):  # reports read from it (reports/routers.py); writes stay on default
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASE_ROUTERS = ["reports.routers.ReplicaRouter"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves a small store's concurrent traffic: WAL lets readers run beside the
    # one writer; every transaction.atomic starts BEGIN IMMEDIATE, so a writer takes the write lock up
    # front and waits its turn (a DEFERRED one that reads first and writes later fails at once with
    # "database is locked" instead of waiting); `timeout` is the busy timeout in seconds. A lock that
    # still times out answers 503 + Retry-After (shop.api / shop.middleware), never a 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A kept connection that the server dropped (PostgreSQL restarted) is checked and replaced at the start of
    # the next request instead of failing it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compiles short OLTP queries for longer than they run (measured on the low-stock scan).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes), each for AXES_COOLOFF_MINUTES: a username after AXES_FAILURE_LIMIT failures from
# any addresses (a password guessed from a botnet), and an address after AXES_IP_FAILURE_LIMIT failures across any
# usernames (one client trying many accounts). The address limit is higher so an office behind one NAT address is not
# locked out by a few colleagues' typos. Two separate parameters (not the ["username", "ip_address"] combination,
# which a changing address or username walked around); shop.axes counts each against its own limit.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "shop.axes.UsernameOrAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Numbers render plainly (ids in forms and URLs stay digits); money and figures are grouped by
# the `money` filter and intcomma, in the locale's way (shop/formats).
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["shop.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Exports (shop.exports): more rows than this go to a background run; its file is kept this many hours.
EXPORT_SYNC_ROWS = env.int("EXPORT_SYNC_ROWS", default=5000)
EXPORT_EXPIRE_HOURS = env.int("EXPORT_EXPIRE_HOURS", default=24)

BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="houtai@localhost")

# Celery: with REDIS_URL a real broker and worker; without it tasks run in-process (eagerly).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host, or kombu warns on every eager task
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Flash sales: "database" is the guarded UPDATE alone (the default: it measured faster, BENCHMARKS.md
# "Marketing — flash sales"); "redis" (with REDIS_URL) puts the Lua gate of marketing/gate.py in front of it.
FLASH_SALE_GATE = env("FLASH_SALE_GATE", default="database")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A pool process killed in the middle of a task (SIGKILL, OOM) puts its message back on the queue instead of
# acking it as failed: with acks_late and idempotent tasks the retry has the one effect (reliability/).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Nothing reads a task's result (progress lives in JobRun). Storing none also keeps a page that queues a task from
# subscribing to the result backend's channel, which with Redis down retried ~20 s and then broke the process's
# result consumer for good ("must be restarted"): every later send raised RuntimeError (reliability/, Redis phase).
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="houtai")
# A page that queues a task while Redis is down waits one connection attempt (~0.8 s, not kombu's ~6.6 s of
# retries) and goes on: the task waits in shop.outbox until the `outbox_dispatch` job sends it.
# A message a dead worker took but never acked is delivered again after `visibility_timeout` seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 0,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
# A task sent from the outbox that has not run this long after (the broker lost it) is sent again (shop.outbox).
OUTBOX_REDELIVER_SECONDS = env.int("OUTBOX_REDELIVER_SECONDS", default=600)

CACHES = {
    "default": (
        {
            "BACKEND": "shop.cache.ResilientRedisCache",  # a miss, not a 500, while Redis is down
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            "KEY_PREFIX": env("CACHE_PREFIX", default="houtai"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions: a staff login lasts one working day at most (SESSION_HOURS, counted from the login, not extended by
# use), and ends sooner after SESSION_IDLE_MINUTES without a request (shop.middleware.IdleSessionMiddleware);
# both send the next request to the login page.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 3600
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=120) * 60

# Security headers; `check --deploy` is clean when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
