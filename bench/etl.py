"""ETL benchmark (issue 3). Not part of the test suite.

    python bench/etl.py [--colleges 100] [--skip-seed]

Seeds a region under EJOURNAL_DATA_DIR (default ./var/bench), then measures in one run, on the
same data, and prints as its last line:

    etl_vs_copy=R incremental_vs_full=R page_query_ms=MS

- etl_vs_copy: rows/s of the full extract-and-load into DuckDB divided by rows/s of the same
  tables read with COPY (SELECT …) TO STDOUT by a client that discards them;
- incremental_vs_full: time of an incremental load after 1 % of the region's fact rows changed in
  one college (what a refresh round sees: the colleges that saved) / a full load; the median of
  three such rounds, a college each;
- incremental_scattered_vs_full: the same after 1 % of rows changed across every college (the
  worst case: every college's marts are rebuilt);
- page_query_ms: the slowest median warm latency among the analytics pages' queries, one college.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def copy_baseline(url: str) -> tuple[int, float]:
    """Rows and seconds to stream every extracted table out of the server and throw it away."""
    import psycopg

    from etl import sources

    rows = 0
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for src in sources.ALL:
            with cur.copy(f"COPY ({src.select}) TO STDOUT") as copy:
                for block in copy:
                    rows += bytes(block).count(b"\n")
        cur.execute("COMMIT")
    return rows, time.perf_counter() - started


def touch(url: str, *, college_id: int | None, every: int) -> int:
    """Change every `every`-th lessons and attendance row (of one college, or of all) and add marks
    beside every (10 × `every`)-th mark: the rows a load has to read, compare and merge, and the
    colleges whose marts it rebuilds."""
    import psycopg

    rows = "(%(college)s::integer IS NULL OR college_id = %(college)s) AND id %% %(every)s = 0"
    params = {"college": college_id, "every": every}
    with psycopg.connect(url) as conn:
        changed = conn.execute(f"UPDATE lesson SET room = room || '' WHERE {rows}", params).rowcount
        changed += conn.execute(f"UPDATE attendance SET reason = reason || '' WHERE {rows}", params).rowcount
        changed += conn.execute(
            """
            INSERT INTO mark (college_id, lesson_id, student_id, value, work_kind, comment, created_by_user_id)
            SELECT m.college_id, m.lesson_id, m.student_id, '4', 'exam', 'бенчмарк', m.created_by_user_id
            FROM mark m
            WHERE (%(college)s::integer IS NULL OR m.college_id = %(college)s) AND m.id %% (10 * %(every)s) = 0
              AND m.corrects_mark_id IS NULL AND m.work_kind <> 'exam'
            ON CONFLICT DO NOTHING
            """,
            params,
        ).rowcount
        conn.commit()
    return changed


def page_queries(college_id: int) -> dict[str, Callable[[], object]]:
    """Every warehouse query the analytics pages run for one college, with typical filters."""
    from app.analytics import completeness
    from app.analytics.common import Scope, filter_options, get_reader

    reader = get_reader()
    as_of = reader.query("SELECT as_of_date FROM etl_params").item()
    month = Scope(college_id, as_of - timedelta(days=30), as_of)
    week = as_of - timedelta(days=as_of.weekday() + 7)
    queries: dict[str, Callable[[], object]] = {
        "completeness.summary": lambda: completeness.summary(reader, month),
        "completeness.by_teacher": lambda: completeness.breakdown(reader, month, "teacher"),
        "completeness.by_group": lambda: completeness.breakdown(reader, month, "group"),
        "completeness.trend": lambda: completeness.weekly_trend(reader, month),
        "completeness.remarks": lambda: completeness.remarks(reader, month),
        "completeness.lessons": lambda: completeness.lessons(reader, month),
        "completeness.weekly": lambda: completeness.weekly_analysis(reader, college_id, week),
        "completeness.monthly": lambda: completeness.monthly_rollup(reader, college_id, as_of.replace(day=1)),
        "completeness.accumulation": lambda: completeness.mark_accumulation(reader, college_id),
        "completeness.ktp": lambda: completeness.ktp_progress(reader, college_id),
    }
    from app.analytics import attendance, progress
    from app.calendar import semester_bounds

    semester = Scope(college_id, *semester_bounds(as_of))
    # The page lists students' marks for a chosen group only («Выберите группу…»).
    group = next(iter(filter_options(reader, college_id)["groups"]))
    one_group = Scope(college_id, *semester_bounds(as_of), group_ids=(group,))
    queries.update(
        {
            "attendance.summary": lambda: attendance.summary(reader, month),
            "attendance.by_group": lambda: attendance.by_group(reader, month),
            "attendance.by_student": lambda: attendance.by_student(reader, month),
            "attendance.by_subject": lambda: attendance.by_subject(reader, month),
            "attendance.heatmap": lambda: attendance.heatmap(reader, month),
            "attendance.systematic": lambda: attendance.systematic(reader, month),
            "attendance.trend": lambda: attendance.monthly_trend(reader, semester),
            "progress.summary": lambda: progress.summary(reader, semester),
            "progress.by_group": lambda: progress.by_group(reader, semester),
            "progress.by_group_subject": lambda: progress.by_group_subject(reader, semester),
            "progress.by_subject": lambda: progress.by_subject(reader, semester),
            "progress.by_teacher": lambda: progress.by_teacher(reader, semester),
            "progress.trend": lambda: progress.monthly_trend(reader, semester),
            "progress.distribution": lambda: progress.mark_distribution(reader, semester),
            "progress.students": lambda: progress.students(reader, one_group),
            "progress.at_risk": lambda: progress.at_risk(reader, college_id, None),
            "progress.debts": lambda: progress.debts(reader, college_id, None),
            "progress.control_works": lambda: progress.control_works(reader, semester),
        }
    )
    return queries


def median_ms(fn: Callable[[], object], runs: int = 15) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--colleges", type=int, default=100)
    parser.add_argument("--skip-seed", action="store_true", help="reuse the region already seeded")
    args = parser.parse_args()
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))

    from app.db import database_url
    from app.settings import get_settings
    from etl.load import run_etl

    settings = get_settings()
    url = database_url(settings)
    if not args.skip_seed:
        from app.demo.seed import seed_demo

        started = time.perf_counter()
        print(seed_demo(seed=2024, colleges=args.colleges, today=None), flush=True)
        print(f"seeding: {time.perf_counter() - started:.1f} s", flush=True)

    from app.migrate import upgrade

    upgrade(url)  # a region seeded by an older version gets the current schema and roles
    copy_rows, copy_s = copy_baseline(url)
    print(f"COPY baseline: {copy_rows} rows in {copy_s:.2f} s = {copy_rows / copy_s:,.0f} rows/s", flush=True)

    full = run_etl(full=True, settings=settings, url=url)
    full_rows = sum(full.rows_read.values())
    extract_load = full.load_seconds
    print(
        f"full ETL: extract+load {full_rows} rows in {extract_load:.2f} s = {full_rows / extract_load:,.0f} "
        f"rows/s; with marts and {full.tests_run} data tests {full.seconds:.2f} s",
        flush=True,
    )

    print(f"  (the twin copied for the next loads in {full.twin_seconds:.2f} s of it)", flush=True)
    # What a round of the journal changes: the rows of the colleges that saved. 1 % of the region's
    # fact rows is one college's lessons and attendance, and marks beside a tenth of its marks.
    # Three rounds, a college each, and their median: one round on a noisy machine says little.
    rounds = []
    for college in (1, 2, 3):
        changed = touch(url, college_id=college, every=1)
        inc = run_etl(settings=settings, url=url)
        rounds.append(inc.seconds)
        print(
            f"incremental ETL after {changed} changed rows in college {college}: {inc.seconds:.2f} s "
            f"({inc.mode}, colleges rebuilt {inc.colleges} of {inc.colleges_total}, load {inc.load_seconds:.2f} s, "
            f"twin copied {inc.twin_seconds:.2f} s)",
            flush=True,
        )
    incremental = statistics.median(rounds)
    # The worst case: 1 % of rows picked across the whole region, so every college is touched.
    scattered_rows = touch(url, college_id=None, every=100)
    scattered = run_etl(settings=settings, url=url)
    print(
        f"incremental ETL after {scattered_rows} changed rows across the region: {scattered.seconds:.2f} s "
        f"({scattered.mode}, colleges rebuilt {scattered.colleges} of {scattered.colleges_total})",
        flush=True,
    )

    college_id = 1
    latencies = {name: median_ms(fn) for name, fn in page_queries(college_id).items()}
    for name, ms in sorted(latencies.items(), key=lambda kv: -kv[1]):
        print(f"  {name}: {ms:.1f} ms")
    slowest = max(latencies.values())

    etl_vs_copy = (full_rows / extract_load) / (copy_rows / copy_s)
    print(
        f"etl_vs_copy={etl_vs_copy:.2f} incremental_vs_full={incremental / full.seconds:.3f} "
        f"page_query_ms={slowest:.1f} incremental_scattered_vs_full={scattered.seconds / full.seconds:.3f}"
    )


if __name__ == "__main__":
    main()
