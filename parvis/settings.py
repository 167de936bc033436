"""Django settings for Parvis.

Everything an operator may change comes from the environment (see
docs/deployment.md). The defaults give the embedded single-machine mode:
SQLite in WAL mode, the database task backend, French first.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PARVIS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Read the secret key from the environment, else from a file made once per install."""
    if key := os.environ.get("PARVIS_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("PARVIS_DEBUG")
ALLOWED_HOSTS = _env_list("PARVIS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("PARVIS_CSRF_TRUSTED_ORIGINS")
# The public base URL of this Parvis (OAuth callbacks, links in e-mails).
PARVIS_BASE_URL = os.environ.get("PARVIS_BASE_URL", "http://127.0.0.1:8000")

# E-mail (alerts, review requests). Without PARVIS_EMAIL_HOST, messages are written as files
# under var/mail so nothing is lost on a machine without a mail server.
if os.environ.get("PARVIS_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["PARVIS_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("PARVIS_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("PARVIS_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("PARVIS_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("PARVIS_EMAIL_TLS", default=True)
    EMAIL_TIMEOUT = 15
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("PARVIS_EMAIL_FROM", "parvis@localhost")

# A cache shared by every process of the installation (web, workers): connectors keep
# short-lived state there (an Instagram media container between two attempts). Files under
# var/cache on one machine; Redis when PARVIS_REDIS_URL is set (several machines).
if os.environ.get("PARVIS_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["PARVIS_REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Key for credentials at rest. Defaults to one derived from SECRET_KEY; an
# operator who rotates SECRET_KEY must set PARVIS_CREDENTIALS_KEY to the old one.
PARVIS_CREDENTIALS_KEY = os.environ.get("PARVIS_CREDENTIALS_KEY", "")

# Outbound HTTP: user-supplied URLs resolving to private, loopback or
# link-local addresses are refused unless their host is listed here.
PARVIS_PRIVATE_HOSTS_ALLOWED = _env_list("PARVIS_PRIVATE_HOSTS_ALLOWED")
PARVIS_HTTP_TIMEOUT = float(os.environ.get("PARVIS_HTTP_TIMEOUT", "15"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "parvis.core",
    "parvis.networks",
    # Connector packages with onboarding pages: installed for their templates.
    "parvis.networks.connectors.mastodon",
    "parvis.networks.connectors.bluesky",
    "parvis.networks.connectors.x",
    "parvis.networks.connectors.facebook",
    "parvis.networks.connectors.instagram",
    "parvis.networks.connectors.linkedin",
    "parvis.networks.connectors.youtube",
    "parvis.networks.connectors.matrix",
    "parvis.networks.connectors.email",
    "parvis.community",
    "parvis.inbox",
    "parvis.moderation",
    "parvis.strategy",
    "parvis.publishing",
    "parvis.listening",
    "parvis.web",
    "parvis.simulator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "parvis.core.middleware.CurrentWorkspaceMiddleware",
]

ROOT_URLCONF = "parvis.urls"
WSGI_APPLICATION = "parvis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parvis.web.context_processors.workspace",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'parvis.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and the scheduler share one file;
    # IMMEDIATE transactions take the write lock up front instead of failing
    # with "database is locked" half-way through.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("PARVIS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:inbox"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parvis" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# htmx comes from the npm registry (package.json); bootstrap installs it.
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Uploads above this are refused with a clear message (bytes).
PARVIS_MAX_UPLOAD_BYTES = int(os.environ.get("PARVIS_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = PARVIS_MAX_UPLOAD_BYTES + 1024 * 1024

# How often the scheduler looks for due work (seconds).
PARVIS_SCHEDULER_TICK = float(os.environ.get("PARVIS_SCHEDULER_TICK", "2"))
# The longest one attempt may run; the worker cuts it off.
PARVIS_ACTION_RUN_TIMEOUT = int(os.environ.get("PARVIS_ACTION_RUN_TIMEOUT", "300"))
# A processing action older than this is taken back from a dead worker. Must be longer than the
# run timeout (a system check refuses otherwise); None means the run timeout + 60 s.
PARVIS_ACTION_REDELIVERY_AFTER = (
    float(os.environ["PARVIS_ACTION_REDELIVERY_AFTER"]) if "PARVIS_ACTION_REDELIVERY_AFTER" in os.environ else None
)
# A due delivery not done after this many minutes is overdue (health page, alerts).
PARVIS_OVERDUE_MINUTES = int(os.environ.get("PARVIS_OVERDUE_MINUTES", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARVIS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
