"""Settings for the console, read from the environment.

DATABASE_URL  database (default: a SQLite file in the project, the embedded default)
SECRET_KEY    required when DEBUG is off
API_KEY_HMAC_KEY  the key API key secrets are hashed with (default: derived from SECRET_KEY)
REDIS_URL     a Redis server for the cache (rate limits); the database otherwise
DEBUG         "1"/"true" turns on development mode (off by default)
ALLOWED_HOSTS comma-separated host names
EVENT_RETENTION_DAYS  how many days the activity log keeps (default 400)
DATABASE_PREPARE_THRESHOLD  PostgreSQL: after how many runs on a connection a query is kept
              prepared (default 5); "off" for a connection pooler that cannot hold them
"""

import hashlib
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# The test suite runs with development defaults so that a bare `pytest` works; the
# production defaults are covered by a test that runs `check --deploy` in a subprocess.
TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", default=TESTING)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set SECRET_KEY in the environment "
            "(or DEBUG=1 for development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

# API key secrets are stored as HMAC-SHA256 under this key. By default it is derived from
# SECRET_KEY (so rotating SECRET_KEY invalidates every API key); set API_KEY_HMAC_KEY to keep
# keys working across a SECRET_KEY rotation.
API_KEY_HMAC_KEY = os.environ.get("API_KEY_HMAC_KEY") or (
    "api-key-secrets:" + hashlib.sha256(SECRET_KEY.encode()).hexdigest()
)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, telling the session which account a page names (read with it).
    "accounts.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Not allauth's UserSessionsMiddleware: it only tracks activity, which
    # SessionLastSeenMiddleware does instead (USERSESSIONS_TRACK_ACTIVITY below).
    # After allauth's: a user who must have two-factor enrolls before anything else.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.SessionLastSeenMiddleware",
    # After the messages and htmx middleware: it reads both on the way out.
    "accounts.middleware.HtmxMessagesMiddleware",
    # Django's, writing each policy once (accounts/middleware.py).
    "accounts.middleware.ContentSecurityPolicyMiddleware",
]

# --- Hardening (issue 14) -----------------------------------------------------------------
# First, so that nothing reads a request that cannot be read (accounts/http.py); the database
# outage answer (503) and Cache-Control: no-store on every authenticated response.
MIDDLEWARE.insert(0, "accounts.middleware.UnreadableRequestMiddleware")
MIDDLEWARE.insert(1, "accounts.middleware.NoStoreMiddleware")
MIDDLEWARE.append("accounts.middleware.DatabaseUnavailableMiddleware")
# --- end of hardening ---------------------------------------------------------------------

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
            # {% url %} and {% static %} that remember their answers
            # (accounts/templatetags/cached_urls.py, cached_static.py).
            "builtins": [
                "accounts.templatetags.cached_urls",
                "accounts.templatetags.cached_static",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: PostgreSQL plans a query once per connection instead of on every
    # run. Planning was most of the database's work on a page: the signed-in user's query
    # (with its two-factor EXISTS) took ~1 ms to plan and 0.1 ms to run. Django turns them
    # off by default for the sake of transaction-mode poolers; they need server-side binding.
    prepare_threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    if prepare_threshold not in {"off", "none", ""}:
        if not prepare_threshold.isdigit():
            raise ImproperlyConfigured(
                f'DATABASE_PREPARE_THRESHOLD must be a number or "off", not {prepare_threshold!r}'
            )
        DATABASES["default"]["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": int(prepare_threshold),
        }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: IMMEDIATE transactions take the write lock up front, so two
    # requests can never both read "below the limit" and then both write.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 (argon2-cffi) first, as Django recommends: it checks a password in about half the time
# of Django's default PBKDF2 on this project's 2-core machine (README, Security) while being
# memory-hard. PBKDF2 stays so that existing hashes still verify and are upgraded to Argon2
# at the next sign-in (tests/views/test_sign_in.py). Tests use MD5, for speed.
PRODUCTION_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"

# Signing in, up and out, passwords, two-factor and sessions: django-allauth, with email as
# the login (the User model has no username).
AUTHENTICATION_BACKENDS = ["accounts.signin.AuthenticationBackend"]
ACCOUNT_ADAPTER = "accounts.signin.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.auth.SignInForm",
    "signup": "accounts.forms.auth.SignUpForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Confirming the address is what lets sign-up answer the same for a new and a taken email
# (the owner of a taken one is told by email instead): no enumeration.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
# A password reset for an unknown address answers as for a known one, and sends nothing (no
# mail to addresses nobody here gave).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = True
# Signed-in visitors of the sign-in and sign-up pages: see accounts/views/auth.py.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Console] "
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("REAUTHENTICATION_SECONDS", "300"))
# Counted in the shared cache (below): 5 failed sign-ins per email in 15 minutes, and at
# most 30 a minute from one address.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,5/15m/key"}
MFA_ADAPTER = "accounts.signin.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Console"
# "Last seen" is kept by accounts.middleware.SessionLastSeenMiddleware, a few times an hour
# rather than with a write on every request.
USERSESSIONS_TRACK_ACTIVITY = False
# Django's database sessions, read with SQL written once (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
# Support staff need two-factor for the admin, except in development.
ADMIN_REQUIRES_TWO_FACTOR = env_bool("ADMIN_REQUIRES_TWO_FACTOR", not DEBUG)

# The cache holds the sign-in rate limits, so every server process must share it: the
# database by default (`manage.py createcachetable` makes its table), Redis when REDIS_URL is
# set (install the "redis" extra).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "console_cache",
        }
    }

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "console@localhost")

# How long the activity log keeps events; `manage.py prune_events` deletes older ones.
_retention = os.environ.get("EVENT_RETENTION_DAYS", "400").strip()
if not (_retention.isascii() and _retention.isdigit() and int(_retention) >= 1):
    raise ImproperlyConfigured("EVENT_RETENTION_DAYS must be a whole number of days, 1 or more.")
EVENT_RETENTION_DAYS = int(_retention)

# Production-safe defaults whenever DEBUG is off; each can be relaxed from the environment
# (for example behind a TLS-terminating proxy that already redirects).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: only what the console serves itself. No inline script or style
# (console.js and console.css hold them; htmx's own indicator styles are off), no eval (htmx's
# allowEval is off too), scripts carry the request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # data: for the QR code two-factor enrolment shows (allauth draws it inline).
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
# Pages carry the CSRF token themselves (forms, and hx-headers for htmx): no script needs the
# cookie.
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Background work: usage-trigger callbacks, emails, periodic sweeps (django.tasks) ---
# Tasks are rows in the database (django-tasks-db), run by `manage.py db_worker` processes;
# `manage.py schedule_periodic` queues the periodic sweeps. A task queued inside a service's
# transaction commits or rolls back with it. The test suite runs tasks in process, right
# after the transaction that queued them commits.
INSTALLED_APPS += ["django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# Usage-trigger callbacks may go to private, loopback and link-local addresses only when this
# is on (development and tests): otherwise a customer could make the server call inside its
# own network.
USAGE_TRIGGER_PRIVATE_CALLBACKS = env_bool("USAGE_TRIGGER_PRIVATE_CALLBACKS", DEBUG)
# How often `schedule_periodic` queues the usage-trigger sweep, in seconds.
USAGE_TRIGGER_SWEEP_SECONDS = int(os.environ.get("USAGE_TRIGGER_SWEEP_SECONDS", "300"))


# --- Money: trials, payments, deletion of closed subaccounts ---------------------------------
def env_amount(name, default):
    value = os.environ.get(name, default).strip()
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be an amount in dollars, e.g. 15.50.") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ImproperlyConfigured(f"{name} must be an amount in dollars, e.g. 15.50.")
    return amount


# What a new trial account gets to try the platform with: one ledger entry, "Trial credit"
# (0 gives none). Upgrading removes what is left of it, as Twilio does.
TRIAL_CREDIT = env_amount("TRIAL_CREDIT", "15.50")
# The payments backend: "manual" (support approves each payment in the admin), "test"
# (development: every payment succeeds, as test money), or the dotted path of a class that
# implements accounts.payments.PaymentBackend (a card processor).
PAYMENTS_BACKEND = os.environ.get("PAYMENTS_BACKEND", "manual")
# What one payment (add funds, a first payment, an auto-recharge) may be.
PAYMENT_MINIMUM = env_amount("PAYMENT_MINIMUM", "5")
PAYMENT_MAXIMUM = env_amount("PAYMENT_MAXIMUM", "10000")
# Manual payments above this need two different staff members to approve (four eyes).
PAYMENTS_FOUR_EYES_ABOVE = env_amount("PAYMENTS_FOUR_EYES_ABOVE", "500")
# Closed subaccounts of main accounts that chose so are deleted this many days after closing.
_deletion_days = os.environ.get("CLOSED_SUBACCOUNT_DELETION_DAYS", "30").strip()
if not (_deletion_days.isascii() and _deletion_days.isdigit() and int(_deletion_days) >= 1):
    raise ImproperlyConfigured("CLOSED_SUBACCOUNT_DELETION_DAYS must be a whole number, 1 or more.")
CLOSED_SUBACCOUNT_DELETION_DAYS = int(_deletion_days)

# --- Operators -------------------------------------------------------------------------
# Where collectstatic writes the files WhiteNoise serves (a folder the server can read).
if os.environ.get("STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["STATIC_ROOT"])
