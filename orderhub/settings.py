"""The only reader of the environment: one frozen Settings built from a mapping."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A setting in the environment cannot be used."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from exc


#: where a bare `orderhub serve`, `orderhub demo` and `orderhub migrate` keep the development secret
#: and uploads, unless ORDERHUB_DATA_DIR says otherwise
DEFAULT_DATA_DIR = "./var"
#: the one default database of `orderhub serve`, `orderhub demo`, `orderhub migrate` and `make run`
#: (the contract's default, CONTRACT.md; DATABASE_URL overrides it)
DEFAULT_DATABASE_URL = "sqlite:///./orderhub.sqlite3"


def listen_hosts(listen: str) -> tuple[str, tuple[str, ...]]:
    """For `orderhub serve --host H --port P` (ORDERHUB_LISTEN=H:P): the base URL to use when none is
    configured, and the Host headers that reach this server (the host given, 127.0.0.1, localhost)."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit():
        raise SettingsError(f"ORDERHUB_LISTEN must be host:port, not {listen!r}")
    wildcard = host in {"0.0.0.0", "::", ""}
    shown = "127.0.0.1" if wildcard else host
    names = [f"[{shown}]" if ":" in shown else shown, "127.0.0.1", "localhost"]
    hosts = tuple(dict.fromkeys(h for name in names for h in (f"{name}:{port}", name)))
    return f"http://{names[0]}:{port}", hosts


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    #: the From address of transactional emails (default: orderhub@<host of the base URL>)
    smtp_from: str = ""
    allowed_hosts: tuple[str, ...] = ("127.0.0.1:8000", "127.0.0.1", "localhost:8000", "localhost")
    debug: bool = False
    #: the app server's access log (off by default; hub and invitation tokens are redacted in it)
    access_log: bool = False
    #: the app server's limits (orderhub/site/server.py): a request's headers must arrive whole
    #: within this many seconds, and be at most this many bytes; connections served at once
    header_timeout_seconds: float = 10.0
    max_header_bytes: int = 16 * 1024
    max_connections: int = 500
    keep_alive_seconds: int = 5
    #: bytes accepted in one request body (uploads have their own, larger limit)
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 8 * 1024 * 1024
    #: lookups allowed per client and per order number within `lookup_window_seconds`
    lookup_limit: int = 10
    lookup_window_seconds: int = 900
    #: trust X-Forwarded-For only from this proxy address (empty: never)
    trusted_proxy: str = ""
    pg_pool_size: int = 10
    #: how long a write waits for a lock held by another writer (SQLite busy_timeout, PostgreSQL
    #: lock_timeout) before the request answers 503 with Retry-After
    db_busy_timeout_ms: int = 5000
    #: shared rate-limit counters in Redis (e.g. redis://127.0.0.1:6379/0); empty: in the database
    redis_url: str = ""
    #: an unaccepted invitation link stops opening after this many hours
    invite_hours: int = 72
    #: hub pages kept by the page cache (orderhub/site/pagecache.py); 0 turns it off. Pages are
    #: 10-30 KB: the count and 256 MB bound it together (a campaign's worth of orders in each language)
    page_cache_entries: int = 20000
    #: the longest a kept page is served (merchant-wide store and catalog details no version covers)
    page_cache_max_age_seconds: int = 60
    #: kept SQLite connections; 0 = Piccolo's default of a new connection per query (benchmarks only)
    sqlite_pool_size: int = 8
    #: pull-mode tracking provider (empty URL: the poller does nothing)
    tracking_provider_url: str = ""
    tracking_provider_key: str = ""
    tracking_poll_seconds: int = 900
    #: the providers of the channels beside email (tests point them at local fakes): LINE's Messaging
    #: API, LINE's account-link dialog, a Twilio-compatible SMS API
    line_api_url: str = "https://api.line.me"
    line_access_url: str = "https://access.line.me"
    sms_api_url: str = "https://api.twilio.com"
    #: the label provider's base URL for every provider when set (tests: a local fake); empty: each
    #: provider's public URL (db/returns/labels.PUBLIC_URLS)
    labels_api_url: str = ""
    #: host names outbound calls may reach although they resolve to internal addresses
    allow_internal_hosts: tuple[str, ...] = ()
    secure_cookies: bool = True
    data_dir: Path = field(default_factory=lambda: Path("./var"))

    @property
    def base_host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> str:
        if self.is_postgres:
            raise SettingsError("DATABASE_URL names PostgreSQL, not SQLite")
        path = self.database_url.removeprefix("sqlite:///")
        return path or DEFAULT_DATABASE_URL.removeprefix("sqlite:///")

    def key_for(self, purpose: str) -> bytes:
        """A separate key per purpose, derived from the one secret."""
        return hashlib.sha256(f"{purpose}\x00{self.secret_key}".encode()).digest()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, need_secret: bool = True) -> Settings:
        """Settings from the environment. `need_secret=False` reads no secret (and so creates no
        development key file): for building a database engine, which needs none."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("ORDERHUB_DATA_DIR") or DEFAULT_DATA_DIR)
        database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        scheme = urlsplit(database_url).scheme
        if scheme not in {"sqlite", "postgres", "postgresql"}:
            raise SettingsError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme}://")
        # the address `orderhub serve` listens on (it sets ORDERHUB_LISTEN for its workers)
        served_url, served_hosts = listen_hosts(env["ORDERHUB_LISTEN"]) if env.get("ORDERHUB_LISTEN") else ("", ())
        base_url = (env.get("ORDERHUB_BASE_URL") or served_url or cls.base_url).rstrip("/")
        base = urlsplit(base_url)
        if base.scheme not in {"http", "https"} or not base.hostname:
            raise SettingsError("ORDERHUB_BASE_URL must be an http(s) URL")
        hosts = tuple(
            h.strip() for h in (env.get("ORDERHUB_ALLOWED_HOSTS") or "").split(",") if h.strip()
        ) or tuple(dict.fromkeys((base.netloc, base.hostname, *served_hosts, *cls.allowed_hosts)))
        secret = env.get("ORDERHUB_SECRET_KEY") or ""
        if not secret and need_secret:
            secret = _secret_from_file(data_dir / "secret.key")
        if need_secret and len(secret) < 32:
            raise SettingsError("ORDERHUB_SECRET_KEY must be at least 32 characters")
        return cls(
            database_url=database_url,
            secret_key=secret,
            base_url=base_url,
            smtp_url=_smtp_url(env.get("ORDERHUB_SMTP_URL") or None),
            smtp_from=_email_address(env, "ORDERHUB_SMTP_FROM"),
            allowed_hosts=hosts,
            debug=_bool(env.get("ORDERHUB_DEBUG"), False),
            access_log=_bool(env.get("ORDERHUB_ACCESS_LOG"), False),
            max_body_bytes=_int(env, "ORDERHUB_MAX_BODY_BYTES", cls.max_body_bytes),
            header_timeout_seconds=float(_int(env, "ORDERHUB_HEADER_TIMEOUT_SECONDS", int(cls.header_timeout_seconds))),
            max_header_bytes=_int(env, "ORDERHUB_MAX_HEADER_BYTES", cls.max_header_bytes),
            max_connections=_int(env, "ORDERHUB_MAX_CONNECTIONS", cls.max_connections),
            keep_alive_seconds=_int(env, "ORDERHUB_KEEP_ALIVE_SECONDS", cls.keep_alive_seconds),
            max_upload_bytes=_int(env, "ORDERHUB_MAX_UPLOAD_BYTES", cls.max_upload_bytes),
            lookup_limit=_int(env, "ORDERHUB_LOOKUP_LIMIT", cls.lookup_limit),
            lookup_window_seconds=_int(env, "ORDERHUB_LOOKUP_WINDOW_SECONDS", cls.lookup_window_seconds),
            trusted_proxy=env.get("ORDERHUB_TRUSTED_PROXY", ""),
            pg_pool_size=_int(env, "ORDERHUB_PG_POOL_SIZE", cls.pg_pool_size),
            db_busy_timeout_ms=_int(env, "ORDERHUB_DB_BUSY_TIMEOUT_MS", cls.db_busy_timeout_ms),
            redis_url=_redis_url(env.get("ORDERHUB_REDIS_URL") or ""),
            invite_hours=_int(env, "ORDERHUB_INVITE_HOURS", cls.invite_hours),
            page_cache_entries=_int(env, "ORDERHUB_PAGE_CACHE_ENTRIES", cls.page_cache_entries),
            page_cache_max_age_seconds=_int(env, "ORDERHUB_PAGE_CACHE_MAX_AGE", cls.page_cache_max_age_seconds),
            sqlite_pool_size=_int(env, "ORDERHUB_SQLITE_POOL_SIZE", cls.sqlite_pool_size),
            tracking_provider_url=(env.get("ORDERHUB_TRACKING_PROVIDER_URL") or "").rstrip("/"),
            tracking_provider_key=env.get("ORDERHUB_TRACKING_PROVIDER_KEY") or "",
            tracking_poll_seconds=_int(env, "ORDERHUB_TRACKING_POLL_SECONDS", cls.tracking_poll_seconds),
            line_api_url=_provider_url(env, "ORDERHUB_LINE_API_URL", cls.line_api_url),
            line_access_url=_provider_url(env, "ORDERHUB_LINE_ACCESS_URL", cls.line_access_url),
            sms_api_url=_provider_url(env, "ORDERHUB_SMS_API_URL", cls.sms_api_url),
            labels_api_url=_provider_url(env, "ORDERHUB_LABELS_API_URL", "") if env.get("ORDERHUB_LABELS_API_URL") else "",
            allow_internal_hosts=tuple(
                h.strip().lower() for h in (env.get("ORDERHUB_ALLOW_INTERNAL_HOSTS") or "").split(",") if h.strip()),
            secure_cookies=_bool(env.get("ORDERHUB_SECURE_COOKIES"), base.scheme == "https"),
            data_dir=data_dir,
        )


def _smtp_url(url: str | None) -> str | None:
    if url is not None and (urlsplit(url).scheme not in {"smtp", "smtps"} or not urlsplit(url).hostname):
        raise SettingsError("ORDERHUB_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
    return url


def _provider_url(env: Mapping[str, str], name: str, default: str) -> str:
    url = (env.get(name) or default).rstrip("/")
    if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).hostname:
        raise SettingsError(f"{name} must be an http(s) URL")
    return url


def _redis_url(url: str) -> str:
    if url and urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError("ORDERHUB_REDIS_URL must look like redis://host:6379/0")
    return url


def _email_address(env: Mapping[str, str], name: str) -> str:
    value = (env.get(name) or "").strip()
    if value and (value.count("@") != 1 or any(c in value for c in " <>,;\r\n\"")):
        raise SettingsError(f"{name} must be a plain email address like orders@shop.example")
    return value


def _secret_from_file(path: Path) -> str:
    """A development secret kept beside the data, made once (0600) when none is configured."""
    if path.exists():
        return path.read_text().strip()
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return secret
