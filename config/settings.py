"""Settings for mentorprogram, read from the environment.

Development runs on embedded defaults (SQLite, a file-system Celery broker and a secret key made
on the first start, all under ``var/``). Production sets ``DEBUG=0``, which makes ``SECRET_KEY``
mandatory and turns on the secure cookie, HSTS and SSL-redirect settings.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.secret_key import development_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")  # optional; the real environment wins

# The development database, broker folders and secret key.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    # Never a constant: a key published with the code would let anyone forge sessions and RSVP
    # links on a deployment that forgot DEBUG=0.
    SECRET_KEY = env("SECRET_KEY", default="") or development_secret_key(VAR_DIR / "secret_key")
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env("SITE_NAME", default="mentorprogram")
# Where emails sent by workers link to (no request to take the host from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "mentorprogram.admin_site.MentorAdminConfig",  # django.contrib.admin with our site (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "csp",
    "auditlog",  # the audit trail (mentorprogram/audit.py)
    # Ours, lowest layer first (DESIGN §10).
    "mentorprogram",
    "assessments",
    "courses",
    "community",
    "reminders",
    "accountability",
    "reports",
    "retention",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "toolbox.observability.RequestLogMiddleware",  # first: one log line per request, with its id
    "toolbox.middleware.RequestSizeLimitMiddleware",  # refuses a large body before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "mentorprogram.sso.ProviderFormActionMiddleware",  # sign-in buttons may lead to the identity providers
    "toolbox.middleware.HealthzMiddleware",  # before sessions and sign-in: JSON whatever is down
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "toolbox.middleware.RejectNulMiddleware",  # after the CSRF check, which reads the form first
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "toolbox.middleware.NoStoreMiddleware",
    "toolbox.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "mentorprogram.session_limits.SessionLifetimeMiddleware",  # before the factor check: an old session just ends
    "mentorprogram.mfa.RequireMFAMiddleware",  # staff accounts use the site only after a second factor
    "mentorprogram.sso.ProviderUnreachableMiddleware",  # an identity provider that does not answer: a page, not a 500
    "mentorprogram.audit.AuditActorMiddleware",  # who made the changes a request makes (the audit trail)
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "mentorprogram.context_processors.site",
                "mentorprogram.navigation.nav_sections",
            ],
            # One way to write dates, times and links on every page and email (toolbox.datetimes).
            "builtins": ["toolbox.templatetags.formatting"],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mentorprogram.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles any query its planner guesses is costly; for a page's few
    # indexed aggregates (a program's 1,000 mentors, one row each) compiling takes longer than running.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # The values travel beside the SQL, not inside it, so every person's page runs the same
    # statements, and psycopg prepares one the fifth time a connection runs it: PostgreSQL then
    # skips parsing and planning it again (half its CPU on the dashboard). Django leaves both off;
    # turn them off behind a pooler in transaction mode that cannot keep prepared statements
    # (PgBouncer before 1.21).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that Celery workers in other threads and processes can open the
    # test database too (the reminder tests run real workers).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(VAR_DIR / "test.sqlite3"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Where `manage.py backup` (`make backup`) writes (toolbox/backups.py).
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(VAR_DIR / "backups")))

# The sign-in rate limits live in the cache. In production point CACHE_URL at Redis so every
# worker shares them. Redis is optional for serving pages: while it does not answer, calls miss
# and rate limits are counted per process (mentorprogram/cache_backend.py).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://mentorprogram")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "toolbox.cache_backend.RedisCache"
    # A server that does not answer costs a request at most this long (then it is left alone a while).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", 0.25)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 0.5)
# Sessions live in the database (one indexed read per signed-in request), so that signing in and
# staying signed in never depend on the cache.
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
# How long a sign-in lasts (mentorprogram/session_limits.py), for shared clinical workstations: signed
# out after this many minutes without a request (0: never), and this many hours after signing in
# whatever happens. The cookie lives as long as the longest sign-in.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=0) * 60
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME_HOURS", default=14 * 24) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME or 14 * 24 * 3600

# --- People and accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "mentorprogram.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"

ACCOUNT_ADAPTER = "mentorprogram.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "change_password": "5/m/user",
    "confirm_email": "1/3m/key",
}
# Coordinators invite people; open sign-up is an opt-in for a public deployment.
ACCOUNT_FORMS = {
    # Refuse addresses whose institution's sign-in has passwords switched off (mentorprogram/sso.py).
    "reset_password": "mentorprogram.forms.PasswordResetForm",
    "reset_password_from_key": "mentorprogram.forms.PasswordFromKeyForm",
}
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=False)
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "

# Single sign-on (allauth.socialaccount; README "Single sign-on"). Identity providers are entered in
# the admin (Social applications) or, for one OpenID Connect provider, from the environment below.
# Sign-up stays closed: a person signing in is matched to their account (or invitation) by an email
# their provider vouches for, and only the provider's own domains are believed; anyone else is told
# to ask their coordinator, unless their domain is in SSO_JIT_DOMAINS (an account with no program).
SOCIALACCOUNT_ADAPTER = "mentorprogram.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the provider's word, for its domains (the adapter)
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SSO_DOMAINS = [d.lower() for d in env.list("SSO_DOMAINS", default=[])]
SSO_JIT_DOMAINS = [d.lower() for d in env.list("SSO_JIT_DOMAINS", default=[])]
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
if env("OIDC_SERVER_URL", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [{
        "provider_id": env("OIDC_PROVIDER_ID", default="institution"),
        "name": env("OIDC_NAME", default="your institution"),
        "client_id": env("OIDC_CLIENT_ID"),
        "secret": env("OIDC_CLIENT_SECRET"),
        "settings": {"server_url": env("OIDC_SERVER_URL"), "oauth_pkce_enabled": True, "domains": SSO_DOMAINS,
                     "no_passwords": env.bool("SSO_NO_PASSWORDS", default=False)},
    }]

# A second factor (allauth.mfa): an authenticator app or a security key (WebAuthn: a USB or NFC key,
# a phone or laptop's passkey), with recovery codes. Required for every staff account, so for every
# coordinator and superuser (mentorprogram/mfa.py); optional for others. A key added as a passkey
# (it asks for a PIN or a fingerprint) signs its owner in on its own, from the sign-in page.
# WebAuthn works only over HTTPS, or on http://localhost in development and the browser tests.
MFA_REQUIRED_FOR_COORDINATORS = env.bool("MFA_REQUIRED_FOR_COORDINATORS", default=True)
MFA_ADAPTER = "mentorprogram.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = env.bool("MFA_PASSKEY_LOGIN_ENABLED", default=True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False  # never: the browser's origin is checked against the site
MFA_TOTP_ISSUER = SITE_NAME
MFA_RECOVERY_CODE_COUNT = 10

# The audit trail (django-auditlog; mentorprogram/audit.py registers the models it follows). Its
# entries live in our own table, which names the person each entry is about.
AUDITLOG_LOGENTRY_MODEL = "mentorprogram.AuditEntry"
AUDITLOG_STORE_JSON_CHANGES = True  # before → after as JSON values, not their string forms
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # fixtures and restores are not changes anyone made

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
FORMAT_MODULE_PATH = ["config.formats"]  # Django's own dates written as toolbox.datetimes writes them
TIME_ZONE = env("TIME_ZONE", default="America/Los_Angeles")
# English only: no text of ours is marked for translation, so Django's translation machinery
# is off (about 2–5% of a page's Python calls; ngettext still picks the plural).
USE_I18N = False
USE_TZ = True

# --- Static files ------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email -------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG.get("EMAIL_BACKEND") == "django.core.mail.backends.smtp.EmailBackend":
    # Django's own, told whether a failure came after the whole message went out (the outbox).
    EMAIL_BACKEND = "mentorprogram.outbox.smtp.EmailBackend"
# Any other Django email backend by its dotted path, e.g. django-anymail's for an API provider,
# with ANYMAIL its settings as JSON (README, "Sending through another provider").
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_BACKEND)
ANYMAIL = env.json("ANYMAIL", default={})
EMAIL_TIMEOUT = EMAIL_CONFIG.get("EMAIL_TIMEOUT") or env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="mentorprogram <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Broadcast (worker control) messages; kombu's default is ./control in the cwd.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Longer than the longest countdown or retry backoff, so Redis never redelivers a
    # message that a live worker still holds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=6 * 3600)}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.float("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.float("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every periodic schedule of the project, in one place. django-celery-beat's DatabaseScheduler
# copies these entries into its admin-editable table when beat starts.
CELERY_BEAT_SCHEDULE = {
    "reminders-dispatch": {
        "task": "reminders.tasks.dispatch",
        "schedule": env.float("REMINDERS_DISPATCH_INTERVAL", default=5 * 60.0),
        "options": {"expires": 4 * 60},
    },
    "community-materialise-meetings": {
        "task": "community.tasks.materialise_all_series",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 6 * 3600},
    },
    "outbox-sweep": {
        "task": "mentorprogram.tasks.sweep_outbox",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "retention-apply": {
        "task": "retention.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=23),  # nightly; a second run the same day removes nothing
        "options": {"expires": 12 * 3600},
    },
    "personal-data-purge": {
        "task": "mentorprogram.tasks.purge_data_exports",
        "schedule": crontab(minute=23),  # hourly: an expired copy of a person's data is gone within the hour
        "options": {"expires": 50 * 60},
    },
    "assessments-follow-up-invitations": {
        "task": "assessments.tasks.invite_follow_ups",
        "schedule": crontab(hour=6, minute=23),  # daily: one email per person and due date (a dedupe key)
        "options": {"expires": 6 * 3600},
    },
    "accountability-nudges": {
        "task": "accountability.tasks.dispatch_nudges",
        "schedule": crontab(minute=41),  # hourly: an overdue item or a behind requirement is nudged within the hour
        "options": {"expires": 50 * 60},
    },
    "accountability-feedback-requests": {
        "task": "accountability.tasks.dispatch_feedback_requests",
        "schedule": crontab(hour=14, minute=23),  # daily, in working hours in the Americas
        "options": {"expires": 6 * 3600},
    },
}

# A person's copy of their data (README, "A person's data"): how long its emailed link works.
DATA_EXPORT_HOURS = env.int("DATA_EXPORT_HOURS", default=72)

# --- The outbox (mentorprogram/outbox/): every automatic email -----------------------------
# An email claimed longer ago than this is taken to belong to a lost worker, and one queued this
# long ago without being picked up to a lost task message; the sweep hands both out again. It
# must exceed CELERY_TASK_TIME_LIMIT, after which a live worker has let go (a system check
# refuses anything shorter).
REMINDERS_CLAIM_TIMEOUT = env.float("REMINDERS_CLAIM_TIMEOUT", default=10 * 60)
# A send task begins no message later than this many seconds before its soft time limit.
OUTBOX_TIME_MARGIN = env.float("OUTBOX_TIME_MARGIN", default=10)
# The ORGANIZER of calendar invitations when a program sets no reply address of its own.
CALENDAR_REPLY_EMAIL = env("CALENDAR_REPLY_EMAIL", default="")
REMINDERS_MAX_ATTEMPTS = env.int("REMINDERS_MAX_ATTEMPTS", default=5)
REMINDERS_RETRY_BASE_SECONDS = env.float("REMINDERS_RETRY_BASE_SECONDS", default=60)
REMINDERS_RETRY_MAX_SECONDS = env.float("REMINDERS_RETRY_MAX_SECONDS", default=30 * 60)
# Emails per send task, over one SMTP connection. Each task renders what its recipients share
# once, so larger batches cost less per email; keep a batch short enough to finish well within
# CELERY_TASK_SOFT_TIME_LIMIT at the mail server's slowest (500 at 10 emails/s is 50 s).
REMINDERS_BATCH_SIZE = env.int("REMINDERS_BATCH_SIZE", default=500)
REMINDERS_RSVP_LINK_DAYS = env.int("REMINDERS_RSVP_LINK_DAYS", default=62)

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Only our own origin; inline code needs the per-request nonce (`{{ CSP_NONCE }}`), and inline
# style attributes are refused, so behaviour goes in static/js and data in json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws its small icons as data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Request bodies larger than this are refused with 413 before they are read (the CSV import has its
# own, smaller limit). Give the reverse proxy the same limit (nginx: client_max_body_size).
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_MB", default=10) * 1024 * 1024
SECURE_CONTENT_TYPE_NOSNIFF = True
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
# Sign-in rate limits count per client address. Behind a proxy every request comes from the
# proxy, so the address is taken from the X-Forwarded-For entry the (last) proxy added.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks talk to gunicorn directly, over HTTP
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if BEHIND_PROXY:
        # The proxy terminates TLS and says so in this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Extra URLs for `make bench` only (a constant view); never mounted in a normal run.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)

# Logs go to stdout. With DEBUG off (or LOG_FORMAT=json) each line is one JSON object; requests
# and Celery tasks log one line each with their request id (mentorprogram/observability.py).
LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "toolbox.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "toolbox.observability.JsonFormatter"},
        "console": {"()": "toolbox.observability.ConsoleFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "console",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The request log says it once; Django's own "Not Found: /path" lines would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
        "celery.app.trace": {"level": "WARNING"},  # "Task … succeeded in …s: None", said by ours
    },
}

# Errors go to Sentry when SENTRY_DSN is set, with private fields scrubbed.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from toolbox.observability import init_sentry

    init_sentry(SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default=None),
                release=env("SENTRY_RELEASE", default=None),
                traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))
