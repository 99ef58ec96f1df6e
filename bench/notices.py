"""The demo college's week of e-mail notices (issue 16): how many it queues and how long producing
and sending them takes, through a real SMTP server on 127.0.0.1 (aiosmtpd). Not part of the suite.

    python bench/notices.py [--seed 2024] [--keep]

In a scratch database `ejournal_notices_bench` of the bench server (EJOURNAL_DATA_DIR, default
./var/bench): seed the demo college, build the warehouse, then at the week's digest hour (Saturday
13:00 of the demo's week, by the college's clock) run one round as `ejournal notify run` does:
`produce` (the digests and every alert due) and `send_due` (the queue to the relay). The baseline,
in the same run: one notice sent alone. The last line:

    notices=N digests=N alerts=N produce_s=… send_s=… per_notice_ms=… baseline_ms=… per_notice_vs_baseline=R
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "ejournal_notices_bench"


class Counting:
    def __init__(self) -> None:
        self.n = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.n += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))

    from aiosmtpd.controller import Controller

    from app import db

    server = db.start_embedded(Path(os.environ["EJOURNAL_DATA_DIR"]).resolve() / "pgdata")
    url = db.with_database(server, BENCH_DATABASE)
    os.environ["EJOURNAL_DATABASE_URL"] = url
    from tests.serving import free_port

    port = free_port()
    os.environ.update(EJOURNAL_SMTP_HOST="127.0.0.1", EJOURNAL_SMTP_PORT=str(port))

    from sqlalchemy import text
    from sqlmodel import Session

    from app.demo.seed import run_seed
    from app.notify.produce import produce
    from app.notify.queue import send_due
    from app.services.diary import week_monday
    from app.settings import get_settings
    from etl.load import run_etl
    from etl.warehouse import WarehouseReader

    get_settings.cache_clear()
    settings = get_settings()
    seeded = run_seed(seed=args.seed)
    run_etl(full=True)
    handler = Counting()
    relay = Controller(handler, hostname="127.0.0.1", port=port)
    relay.start()
    engine = db.get_engine()
    saturday = week_monday(seeded.today) + timedelta(days=5)
    now = datetime.combine(max(saturday, seeded.today), clock(13, 0), tzinfo=settings.tz)
    reader = WarehouseReader(settings.warehouse_dir)
    try:
        with Session(engine) as s:
            guardians = s.execute(text("SELECT count(*) FROM guardian WHERE email <> ''")).scalar_one()
            t0 = time.perf_counter()
            report = produce(s, settings, now, reader=reader)
            s.commit()
            produce_s = time.perf_counter() - t0
            # the baseline: one of them sent alone, then the rest
            first = s.execute(text("SELECT min(id) FROM notice")).scalar_one()
            s.execute(
                text("UPDATE notice SET next_attempt_at = now() + interval '1 hour' WHERE id <> :f"),
                {"f": first},
            )
            s.commit()
        t0 = time.perf_counter()
        send_due(engine, settings)
        baseline = time.perf_counter() - t0
        with Session(engine) as s:
            s.execute(text("UPDATE notice SET next_attempt_at = now() WHERE status = 'queued'"))
            s.commit()
        t0 = time.perf_counter()
        sent = send_due(engine, settings, limit=100_000)
        send_s = time.perf_counter() - t0
    finally:
        relay.stop()
        reader.close()
    total = report.total
    digests = report.queued.get("digest", 0)
    per = send_s / max(sent.sent, 1)
    print(f"родителей с адресом: {guardians}; {report}; {sent}; принято сервером: {handler.n}")
    print(
        f"notices={total} digests={digests} alerts={total - digests} produce_s={produce_s:.2f} "
        f"send_s={send_s:.2f} per_notice_ms={per * 1000:.1f} baseline_ms={baseline * 1000:.1f} "
        f"per_notice_vs_baseline={per / baseline:.2f}"
    )
    if not args.keep:
        db.reset_engine()
        db.drop_database(server, BENCH_DATABASE)


if __name__ == "__main__":
    main()
