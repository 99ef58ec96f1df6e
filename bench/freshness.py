"""Freshness (issue 14): how long a mark saved through the service takes to reach the marts while
`ejournal etl watch` (what `ejournal serve` runs beside the app) is running. Not part of the suite.

    python bench/freshness.py [--colleges 1] [--skip-seed] [--saves 3] [--busy K]

One college: a scratch database `ejournal_freshness` of the bench server, seeded with the demo
college, its warehouse under EJOURNAL_DATA_DIR/freshness. A region (--colleges 100 --skip-seed): the
database and warehouse bench/etl.py seeded (EJOURNAL_DATA_DIR, default ./var/bench). The watch is
started and its first load awaited; then, --saves times, a teacher of the first college saves a
mark on today's lesson as the app does (the app's role, save_lesson), and the clock runs from that
commit until the mark is in the published warehouse's mark_current, read the way the pages read it.
The path it measures: the sealer seals the save's audit entry (within
EJOURNAL_AUDIT_SEAL_INTERVAL_SECONDS), its NOTIFY wakes the loader, the incremental load publishes.

--busy K (a region): meanwhile K other colleges are at work, each saving a mark about once a
second, as a region's colleges do in the day; a load then has their changes to take in too.

The last line, for comparing runs:

    freshness_s=… (the median) freshness_max_s=… colleges=N busy=K
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRATCH = "ejournal_freshness"


def free_mark(session, college_id: int) -> tuple[int, int, int, str]:
    """(user id, lesson id, student id, kind of work): a mark a teacher may still give today."""
    from sqlalchemy import text

    from app.domain import WORK_KIND_LABELS
    from app.models import Lesson
    from app.services.journal import college_today, lesson_roster

    today = college_today(session=session)
    rows = session.execute(
        text(
            "SELECT l.id, t.user_id FROM lesson l JOIN teacher t ON t.id = coalesce(l.substitute_teacher_id, l.teacher_id) "
            "WHERE l.college_id = :c AND l.lesson_date = :d AND t.user_id IS NOT NULL ORDER BY l.id"
        ),
        {"c": college_id, "d": today},
    ).all()
    for lesson_id, user_id in rows:
        lesson = session.get(Lesson, lesson_id)
        taken = set(
            session.execute(
                text(
                    "SELECT student_id, work_kind FROM mark WHERE lesson_id = :l UNION "
                    "SELECT student_id, 'absent' FROM attendance WHERE lesson_id = :l AND status <> 'late'"
                ),
                {"l": lesson_id},
            ).all()
        )
        absent = {s for s, k in taken if k == "absent"}
        for student in lesson_roster(session, lesson):
            if student.id in absent:
                continue
            for kind in WORK_KIND_LABELS:
                if (student.id, kind.value) not in taken:
                    return user_id, lesson_id, student.id, kind.value
    raise SystemExit("сегодня нет занятия, где можно выставить отметку: засейте демонстрацию заново")


def save_mark(engine, college_id: int) -> tuple[int, int, str]:
    """A teacher of the college saves one more mark on today's lesson, as the app does: (lesson id,
    student id, kind of work)."""
    from sqlmodel import Session

    from app.actor import load_actor
    from app.domain import WorkKind
    from app.services.journal import LessonEntry, MarkInput, save_lesson

    with Session(engine) as s:
        user_id, lesson_id, student_id, kind = free_mark(s, college_id=college_id)
        actor = load_actor(user_id, session=s)
    with Session(engine) as s:
        save_lesson(
            actor, lesson_id, LessonEntry(marks=[MarkInput(student_id, "5", WorkKind(kind))]), session=s
        )
    return lesson_id, student_id, kind


def keep_busy(engine, colleges: list[int], stop: threading.Event, saved: list[int]) -> None:
    """Each college saves a mark, then the next; a sweep about every second."""
    while not stop.is_set():
        sweep = time.monotonic()
        for college_id in colleges:
            if stop.is_set():
                return
            save_mark(engine, college_id)
            saved[0] += 1
        stop.wait(max(0.0, 1.0 - (time.monotonic() - sweep)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--colleges", type=int, default=1)
    parser.add_argument("--skip-seed", action="store_true", help="reuse the region bench/etl.py seeded")
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--busy", type=int, default=0, help="other colleges saving meanwhile (a region)")
    args = parser.parse_args()
    if args.busy >= args.colleges:
        parser.error("--busy counts the other colleges: fewer than --colleges")
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))
    data_dir = Path(os.environ["EJOURNAL_DATA_DIR"]).resolve()

    from app import db

    server = db.start_embedded(data_dir / "pgdata")
    if args.colleges == 1:
        os.environ["EJOURNAL_DATABASE_URL"] = db.with_database(server, SCRATCH)
        os.environ["EJOURNAL_DATA_DIR"] = str(data_dir / "freshness")
    else:
        os.environ["EJOURNAL_DATABASE_URL"] = db.with_database(server, db.DEFAULT_DATABASE)
    from app.migrate import upgrade
    from app.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    if not args.skip_seed:
        from app.demo.seed import run_seed

        print(run_seed(colleges=args.colleges).report.splitlines()[0], flush=True)
    upgrade(os.environ["EJOURNAL_DATABASE_URL"])

    from sqlalchemy import text
    from sqlmodel import Session

    from etl.warehouse import NoWarehouse, WarehouseReader, read_pointer

    started = time.time()
    log = data_dir / "freshness-watch.log"  # what the watch said: each load, how long it took
    watch = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "etl", "watch"],
        env={**os.environ},
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    times: list[float] = []
    stop = threading.Event()
    busy_saves = [0]
    try:
        deadline = time.monotonic() + args.timeout
        while True:  # the watch's first round: a full load when the data or the day is new
            pointer = read_pointer(settings.warehouse_dir)
            if pointer is not None and pointer.loaded_at.timestamp() > started:
                break
            if time.monotonic() > deadline or watch.poll() is not None:
                raise SystemExit("ejournal etl watch did not publish a warehouse")
            time.sleep(0.2)
        print(f"first load of the watch published after {time.time() - started:.1f} s", flush=True)
        reader = WarehouseReader(settings.warehouse_dir)
        engine = db.get_engine()
        if args.busy:
            with Session(engine) as s:
                others = list(
                    s.execute(
                        text("SELECT id FROM college WHERE id <> 1 ORDER BY id LIMIT :k"), {"k": args.busy}
                    )
                    .scalars()
                    .all()
                )
            threading.Thread(target=keep_busy, args=(engine, others, stop, busy_saves), daemon=True).start()
            time.sleep(10)  # the watch's rounds now take the busy colleges' changes in
        for n in range(args.saves):
            time.sleep(2)  # let the loop go idle, as between two saves in a real day
            lesson_id, student_id, kind = save_mark(engine, college_id=1)
            saved = time.monotonic()
            query = (
                "SELECT count(*) FROM mark_current WHERE lesson_id = ? AND student_id = ? AND work_kind = ?"
            )
            while True:
                try:
                    if reader.query(query, [lesson_id, student_id, kind]).item():
                        break
                except NoWarehouse:
                    pass
                if time.monotonic() - saved > args.timeout:
                    raise SystemExit("the mark did not reach the warehouse")
                time.sleep(0.05)
            times.append(time.monotonic() - saved)
            print(f"save {n + 1}: in the marts after {times[-1]:.2f} s", flush=True)
        reader.close()
    finally:
        stop.set()
        watch.terminate()
        watch.wait(timeout=60)
        db.reset_engine()
    if args.busy:
        print(f"the {args.busy} busy colleges saved {busy_saves[0]} marks meanwhile")
    print(
        f"freshness_s={statistics.median(times):.2f} freshness_max_s={max(times):.2f} "
        f"colleges={args.colleges} busy={args.busy}"
    )


if __name__ == "__main__":
    main()
