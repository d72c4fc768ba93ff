"""Django settings, all from the environment.

- ``MINZHENG_DATA_DIR`` (default ``./var``): the embedded database, the analytic store, uploads, secrets.
- ``MINZHENG_DATABASE_URL`` (default an SQLite file in the data directory; ``postgres://…`` in production).
- ``MINZHENG_ENV``: ``development`` (default) or ``production`` (secure cookies, HSTS, TLS redirect,
  ``MINZHENG_SECRET_KEY`` and ``MINZHENG_ALLOWED_HOSTS`` required).
- ``MINZHENG_FIELD_KEY``: the key(s) of the values encrypted at rest (bank account numbers,
  ``core/fieldcrypto.py``); without it the key file ``field_keys`` of the data directory, created on first
  use except in production, which refuses to start with neither.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

ENV = os.environ.get("MINZHENG_ENV", "development")
PRODUCTION = ENV == "production"
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MINZHENG_DATA_DIR", "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("MINZHENG_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("MINZHENG_SECRET_KEY must be set in production")
    # Development: a random key kept in the data directory, never committed.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# Keys of the values encrypted at rest (core/fieldcrypto.py reads MINZHENG_FIELD_KEY itself, so the keys never
# sit in settings). Production never creates a key file beside the database: it must be provided.
MINZHENG_FIELD_KEY_FILE = DATA_DIR / "field_keys"
if PRODUCTION and not os.environ.get("MINZHENG_FIELD_KEY", "").strip() and not MINZHENG_FIELD_KEY_FILE.exists():
    raise RuntimeError(f"MINZHENG_FIELD_KEY must be set in production (or the key file {MINZHENG_FIELD_KEY_FILE} "
                       "created beforehand; see docs/payments.md)")

DEBUG = os.environ.get("MINZHENG_DEBUG", "0") == "1" and not PRODUCTION
ALLOWED_HOSTS = [h for h in os.environ.get("MINZHENG_ALLOWED_HOSTS", "" if PRODUCTION else "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("MINZHENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "minzheng.core",
    "minzheng.authz",
    "minzheng.audit",
    "minzheng.registry",
    "minzheng.services",
    "minzheng.intake",
    "minzheng.web",
    "minzheng.assistance",
    "minzheng.institutions",
    "minzheng.monitoring",
    "minzheng.eldercare",
    "minzheng.payments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minzheng.web.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minzheng.authz.middleware.PasswordExpiryMiddleware",
]

ROOT_URLCONF = "minzheng.urls"
WSGI_APPLICATION = "minzheng.wsgi.application"

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
                "minzheng.web.context.navigation",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'minzheng.sqlite3'}"
DATABASE_URL = os.environ.get("MINZHENG_DATABASE_URL", _default_db)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60 if PRODUCTION else 0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
# Tests name their own PostgreSQL database (the CI server offers `test`).
if os.environ.get("MINZHENG_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["MINZHENG_TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "authz.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "minzheng.authz.passwords.CharacterClassValidator"},
]
# Login lockout and password ageing (GB/T 22239 level 3: 登录失败处理, 口令定期更换).
MINZHENG_LOCKOUT_THRESHOLD = int(os.environ.get("MINZHENG_LOCKOUT_THRESHOLD", "5"))
MINZHENG_LOCKOUT_MINUTES = int(os.environ.get("MINZHENG_LOCKOUT_MINUTES", "15"))
MINZHENG_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("MINZHENG_PASSWORD_MAX_AGE_DAYS", "90"))

# Sessions end after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("MINZHENG_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even when serving from finders
# WhiteNoise serves the apps' static files straight from the package (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "uploads"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("MINZHENG_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MINZHENG_LOG_LEVEL", "WARNING")},
}
