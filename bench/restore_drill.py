"""Restore drill on the demo college (the security issue). Not part of the test suite.

    python bench/restore_drill.py [--seed 2024] [--colleges 1]

In a scratch database `ejournal_drill` of the bench server (EJOURNAL_DATA_DIR, default ./var/bench;
never the developer's demo database): seed the demo college, `ejournal backup`, then the disaster:
the server is lost. A second, new embedded PostgreSQL cluster in a temporary directory (no
ejournal roles on it) takes the restore; then every table's row count and checksum is compared
with the ones taken before the backup, and the service is used there through its own roles: the
audit chain verified as the app role, a teacher logs in (an audited write), the warehouse is
rebuilt as the ETL role. Prints one row per table, the time of each step, and as its last line:

    tables=N rows=N mismatched=N chain_ok=B restore_vs_backup=R restore_vs_seed=R

Exits 1 if any table or the audit chain differs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DRILL_DATABASE = "ejournal_drill"


def use_the_journal(url: str) -> int:
    """Log every demo account in (and one wrong password), so the chain being restored is not empty."""
    from sqlmodel import Session

    from app import db
    from app.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
    from app.errors import DomainError
    from app.services.accounts import authenticate

    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            for login, _title, _name in DEMO_ACCOUNTS:
                authenticate(login, DEMO_PASSWORD, session=session)
            with contextlib.suppress(DomainError):  # refused, and audited as refused
                authenticate("teacher", "not-the-password", session=session)
    finally:
        engine.dispose()
    return len(DEMO_ACCOUNTS) + 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--colleges", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))

    from app import db

    server = db.start_embedded(Path(os.environ["EJOURNAL_DATA_DIR"]).resolve() / "pgdata")
    url = db.with_database(server, DRILL_DATABASE)
    # seed_demo recreates whatever database the settings name: point them at the drill's own.
    os.environ["EJOURNAL_DATABASE_URL"] = url

    import psycopg
    from sqlmodel import Session

    from app.audit_chain import verify_chain
    from app.backup import audit_head, backup, restore, table_fingerprints
    from app.demo.seed import DEMO_PASSWORD, run_seed
    from app.services.accounts import authenticate
    from app.settings import Settings, get_settings
    from etl.load import run_etl

    get_settings.cache_clear()
    times: dict[str, float] = {}

    started = time.perf_counter()
    seeded = run_seed(seed=args.seed, colleges=args.colleges)
    times["seed"] = time.perf_counter() - started
    audited = use_the_journal(url)
    with psycopg.connect(url) as conn:
        before = table_fingerprints(conn)
        head_before = audit_head(conn)

    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "drill.zip"
        started = time.perf_counter()
        report = backup(url, archive)
        times["backup"] = time.perf_counter() - started
        size_mb = archive.stat().st_size / 1e6

        started = time.perf_counter()
        db.reset_engine()
        new_server = Path(tmp) / "new-server"
        new_admin = db.start_embedded(new_server / "pgdata", keep_running=False)
        db.ensure_database(new_admin, db.DEFAULT_DATABASE)
        new_url = db.with_database(new_admin, db.DEFAULT_DATABASE)
        times["new server"] = time.perf_counter() - started

        try:
            started = time.perf_counter()
            restore(new_url, archive)  # checks the manifest and the chain itself; the drill checks again
            times["restore"] = time.perf_counter() - started

            started = time.perf_counter()
            with psycopg.connect(new_url) as conn:
                after = table_fingerprints(conn)
            app_engine = db.make_engine(db.with_user(new_url, db.APP_ROLE))
            try:
                with Session(app_engine) as session:
                    chain = verify_chain(session=session)
                with Session(app_engine) as session:
                    authenticate("teacher", DEMO_PASSWORD, session=session)
            finally:
                app_engine.dispose()
            times["verify"] = time.perf_counter() - started

            started = time.perf_counter()
            loaded = run_etl(
                full=True,
                settings=Settings(data_dir=new_server, database_url=new_url),
                url=db.with_user(new_url, db.ETL_ROLE),
            )
            times["etl"] = time.perf_counter() - started
        finally:
            db.stop_embedded(new_server / "pgdata")

    print(
        f"demo college: seed {args.seed}, colleges {args.colleges}, today {seeded.today}; "
        f"{audited} logins audited before the backup"
    )
    print(f"backup: {report.tables} tables, {report.rows} rows, {size_mb:.1f} MB")
    width = max(len(t) for t in before | after)
    print(f"{'table':<{width}}  {'rows before':>11}  {'rows after':>10}  checksum")
    mismatched = []
    for table in sorted(before | after):
        b, a = before.get(table), after.get(table)
        same = b == a
        if not same:
            mismatched.append(table)
        rows_b = b["rows"] if b else "—"
        rows_a = a["rows"] if a else "—"
        print(f"{table:<{width}}  {rows_b:>11}  {rows_a:>10}  {'match' if same else 'DIFFERS'}")
    total = sum(t["rows"] for t in after.values())
    print(chain.summary(), "(head as before the backup)" if chain.head == head_before else "HEAD DIFFERS")
    print("on the new server: a teacher logged in as the app role; " + loaded.summary())
    print("times: " + ", ".join(f"{step} {s:.2f} s" for step, s in times.items()))
    print(
        f"tables={len(after)} rows={total} mismatched={len(mismatched)} chain_ok={chain.ok and chain.head == head_before} "
        f"restore_vs_backup={times['restore'] / times['backup']:.2f} "
        f"restore_vs_seed={times['restore'] / times['seed']:.2f}"
    )
    db.drop_database(server, DRILL_DATABASE)
    if mismatched or not chain.ok or chain.head != head_before:
        sys.exit(1)


if __name__ == "__main__":
    main()
