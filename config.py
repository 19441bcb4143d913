"""Application settings: one class per environment, chosen by name in create_app()."""
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """Start-up refuses to go on with a setting that cannot work."""


def database_url(default: str) -> str:
    """DATABASE_URL if set, checked early so a typo fails with a clear message, not a stack trace."""
    url = os.environ.get("DATABASE_URL", "").strip() or default
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"DATABASE_URL is not a valid database URL ({exc}). "
            "Use sqlite:///path/to/file.db or postgresql+psycopg://user:password@host:port/name."
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL uses '{parsed.get_backend_name()}'; only sqlite and postgresql are supported."
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # plain postgresql:// would pick psycopg2, which we do not ship
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name} must be a whole number; got '{raw}'.") from None


def _env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if not raw else raw in ("1", "true", "yes", "on")


def check_instance_dir(path: Path, min_free_mb: int) -> None:
    """Stop at start-up, with a message saying what to fix, when instance/ (the SQLite database, the
    mail outbox) cannot be written or its disk is nearly full, rather than on the first request that
    writes."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{path} cannot be written ({exc.strerror}). Make it writable for the user "
                          "the app runs as, or set DATABASE_URL to a database elsewhere.") from None
    free_mb = shutil.disk_usage(path).free // 2**20
    if free_mb < min_free_mb:
        raise ConfigError(f"Only {free_mb} MB are free on the disk of {path}; the app needs at least "
                          f"{min_free_mb} MB (MIN_FREE_MB). Free some space first.")


# the product's one name, a proper name: the same in Slovenian and English (header, page titles,
# footer, e-mail sender, PDF metadata, the site texts)
PRODUCT_NAME = "Koordinacija občin"


class Config:
    PRODUCT_NAME = PRODUCT_NAME
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    LANGUAGES = ("sl", "en")
    BABEL_DEFAULT_LOCALE = "sl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Ljubljana"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "coordination" / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    WTF_CSRF_TIME_LIMIT = 10 * 3600
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024 + 64 * 1024

    # werkzeug's scrypt: memory-hard, salted; tests use a cheaper method to stay fast
    PASSWORD_HASH_METHOD = "scrypt"

    # login throttling: delay doubles from SLOW_AFTER failures, lock at LOCK_AFTER, per e-mail and per address
    LOGIN_SLOW_AFTER = 3
    LOGIN_LOCK_AFTER = 10
    LOGIN_SLOW_AFTER_PER_ADDRESS = 20
    LOGIN_LOCK_AFTER_PER_ADDRESS = 50
    LOGIN_LOCK_MINUTES = 15
    LOGIN_WINDOW_MINUTES = 60

    AUDIT_PAGE_SIZE = 50
    CREATE_DEMO_ACCOUNTS = False

    # e-mail (coordination/mail.py): "smtp" sends through MAIL_SERVER, "outbox" writes .eml files
    # to MAIL_OUTBOX instead (the development default); every setting can come from the environment
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_flag("MAIL_USE_TLS")   # STARTTLS after connecting
    MAIL_USE_SSL = _env_flag("MAIL_USE_SSL")   # TLS from the first byte (usually port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", f"{PRODUCT_NAME} <no-reply@localhost>")
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 30)  # seconds per SMTP step; only `flask mail send` waits for it
    MAIL_RETRY_SECONDS = _env_int("MAIL_RETRY_SECONDS", 60)  # pause after a failed attempt, doubled each time
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 12)    # then the message counts as failed (flask mail status)
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(INSTANCE_DIR / "outbox"))
    # the address links in e-mails start with (no trailing slash needed)
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000")
    # how long an invitation link and a password-reset link stay valid
    INVITATION_VALID_DAYS = _env_int("INVITATION_VALID_DAYS", 7)
    RESET_VALID_HOURS = _env_int("RESET_VALID_HOURS", 2)
    # `flask reminders send`: items overdue or due within this many days go into the digest
    REMINDER_DAYS = _env_int("REMINDER_DAYS", 7)

    # who runs this installation: named in the accessibility statement and the privacy notice
    OPERATOR_NAME = os.environ.get("OPERATOR_NAME", "Ministrstvo za digitalno preobrazbo")
    OPERATOR_ADDRESS = os.environ.get("OPERATOR_ADDRESS", "Davčna ulica 1, 1000 Ljubljana")
    OPERATOR_EMAIL = os.environ.get("OPERATOR_EMAIL", "gp.mdp@gov.si")
    # the accessibility statement's dates (ISO), kept current when the statement is reviewed
    ACCESSIBILITY_PREPARED = os.environ.get("ACCESSIBILITY_PREPARED", "2026-12-07")
    ACCESSIBILITY_REVIEWED = os.environ.get("ACCESSIBILITY_REVIEWED", "2026-12-07")


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-secret")
    CREATE_DEMO_ACCOUNTS = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")

    def __init__(self):
        check_instance_dir(INSTANCE_DIR, _env_int("MIN_FREE_MB", 50))
        self.SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'coordination.db'}")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SERVER_NAME = None
    MAIL_BACKEND = "outbox"  # never real mail; tests that need SMTP point the app at their own server
    APP_BASE_URL = "http://127.0.0.1:5000"
    REMINDER_DAYS = 7

    def __init__(self):
        import tempfile

        # mail goes to a directory of this test process (made on the first message), never instance/outbox
        self.MAIL_OUTBOX = str(Path(tempfile.gettempdir()) / f"coordination-test-outbox-{os.getpid()}")
        # tests never touch the development database: TEST_DATABASE_URL or a throwaway file
        url = os.environ.get("TEST_DATABASE_URL", "").strip()
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        if url and worker:  # parallel test processes (pytest -n): one PostgreSQL database each
            url = _worker_database(url, worker)
        if not url:  # one file per test process, so two runs at once never share a database
            INSTANCE_DIR.mkdir(exist_ok=True)
            url = f"sqlite:///{INSTANCE_DIR / f'test-{os.getpid()}.db'}"
        os.environ["DATABASE_URL"] = url
        self.SQLALCHEMY_DATABASE_URI = database_url(url)


def _worker_database(url: str, worker: str) -> str:
    """<database>_<worker> on the same PostgreSQL server, created on first use."""
    from sqlalchemy import create_engine, text

    parsed = make_url(url).set(drivername="postgresql+psycopg")
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REQUEST_LOG = _env_flag("REQUEST_LOG", default=True)  # one JSON line per request on stderr

    def __init__(self):
        if not os.environ.get("SECRET_KEY"):
            raise ConfigError(
                "SECRET_KEY is not set. Production needs a long random secret, e.g. "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        check_instance_dir(INSTANCE_DIR, _env_int("MIN_FREE_MB", 50))
        self.SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'coordination.db'}")


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def load(name: str | None = None):
    name = name or os.environ.get("APP_CONFIG", "development")
    if name not in CONFIGS:
        raise ConfigError(f"APP_CONFIG must be one of {', '.join(CONFIGS)}; got '{name}'.")
    return CONFIGS[name]()
