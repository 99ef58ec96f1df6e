"""«Журнал группы»: how long one group × subject × month takes to build. Not part of the test suite.

    python bench/journal_grid.py [--seed 2024] [--repeat 15] [--students 30] [--no-page] [--keep]

In a scratch database `ejournal_grid_bench` of the bench server (EJOURNAL_DATA_DIR, default
./var/bench; never the developer's demo database): seed the demo college, take the group × subject
with the most lessons in one month, top the group up to --students students with attendance and
marks on that month's lessons (and two corrected marks), then, as that subject's teacher through the
app's own engine (the app role), time

- the grid: app.services.journal_grid.build_grid and its three frames (what the page shows);
- the Excel file of it (app.exports.xlsx.to_xlsx), built when the page runs;
- the page itself through the router with AppTest (a rerun of the opened page), unless --no-page;
- the baseline, in the same run: one lesson sheet of that grid (app.services.journal.lesson_sheet).

Each is the median of --repeat runs after a warm-up, interleaved so that the machine's noise falls on
all of them alike. The last line:

    grid_ms=… xlsx_ms=… page_ms=… lesson_sheet_ms=… grid_vs_lesson_sheet=R page_under_1s=B

Exits 1 if the page (or, with --no-page, the grid and its Excel file) takes a second or more.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "ejournal_grid_bench"
PAGE = "pages/group_journal.py"
EXTRA_NAMES = [
    ("Яковлев", "Тимур", "Русланович"),
    ("Юдина", "Полина", "Андреевна"),
    ("Щукин", "Марк", "Денисович"),
    ("Шарова", "Ева", "Игоревна"),
    ("Цветков", "Роман", "Олегович"),
    ("Фомина", "Алиса", "Сергеевна"),
    ("Ульянов", "Глеб", "Петрович"),
    ("Тарасова", "Вера", "Ильинична"),
    ("Соловьёв", "Лев", "Артёмович"),
    ("Рябова", "Ника", "Павловна"),
]


def pick_pair(engine: Any, today: date) -> dict[str, Any]:
    """The group × subject × month with the most lessons held (the widest grid), then the largest group."""
    from sqlalchemy import text

    with engine.connect() as conn:
        row = (
            conn.execute(
                text(
                    """
                    WITH months AS (
                        SELECT study_group_id, subject_id, date_trunc('month', lesson_date)::date AS month,
                               count(*) AS lessons
                        FROM lesson WHERE lesson_date <= :today
                        GROUP BY 1, 2, 3
                    ), sizes AS (
                        SELECT study_group_id, count(*) AS students FROM student
                        WHERE left_on IS NULL GROUP BY 1
                    )
                    SELECT m.study_group_id AS group_id, m.subject_id, m.month, m.lessons, s.students,
                           g.name AS group_name, sub.code || ' ' || sub.name AS subject
                    FROM months m
                    JOIN sizes s USING (study_group_id)
                    JOIN study_group g ON g.id = m.study_group_id
                    JOIN subject sub ON sub.id = m.subject_id
                    ORDER BY m.lessons DESC, s.students DESC, m.study_group_id, m.subject_id
                    LIMIT 1
                    """
                ),
                {"today": today},
            )
            .mappings()
            .one()
        )
    return dict(row)


def top_up(
    engine: Any, pair: dict[str, Any], students: int, start: date, end: date, rng: random.Random
) -> int:
    """Add students to the group up to `students`, with attendance and marks on the month's lessons,
    and correct two marks. Written as history through the owner's connection. Returns the group size."""
    from sqlmodel import Session, col, select

    from app.domain import WRITTEN_WORK_KINDS, WorkKind
    from app.models import Attendance, Lesson, Mark, Student, Teacher

    with Session(engine) as s:
        current = s.exec(
            select(Student).where(Student.study_group_id == pair["group_id"], col(Student.left_on).is_(None))
        ).all()
        lessons = s.exec(
            select(Lesson).where(
                Lesson.study_group_id == pair["group_id"],
                Lesson.subject_id == pair["subject_id"],
                Lesson.lesson_date >= start,
                Lesson.lesson_date <= end,
            )
        ).all()
        users = {
            t.id: t.user_id
            for t in s.exec(
                select(Teacher).where(col(Teacher.id).in_({lesson.teacher_id for lesson in lessons}))
            )
        }
        added: list[Student] = []
        for last, first, middle in EXTRA_NAMES[: max(0, students - len(current))]:
            student = Student(
                college_id=current[0].college_id,
                study_group_id=pair["group_id"],
                last_name=last,
                first_name=first,
                middle_name=middle,
                subgroup=1 + len(added) % 2,
                enrolled_on=start - timedelta(days=90),
            )
            s.add(student)
            added.append(student)
        s.flush()
        new_marks: list[Mark] = []
        for student in added:
            for lesson in lessons:
                if lesson.subgroup and lesson.subgroup != student.subgroup:
                    continue
                by = users.get(lesson.teacher_id) or 1
                roll = rng.random()
                status = (
                    "absent" if roll < 0.08 else "excused" if roll < 0.11 else "late" if roll < 0.14 else None
                )
                if status:
                    s.add(
                        Attendance(
                            college_id=lesson.college_id,
                            lesson_id=lesson.id or 0,
                            student_id=student.id or 0,
                            status=status,
                            created_by_user_id=by,
                        )
                    )
                if status in ("absent", "excused"):
                    continue
                kind = lesson.work_kind or WorkKind.oral.value
                chance = 0.85 if WorkKind(kind) in WRITTEN_WORK_KINDS else 0.35
                if rng.random() < chance:
                    mark = Mark(
                        college_id=lesson.college_id,
                        lesson_id=lesson.id or 0,
                        student_id=student.id or 0,
                        value=rng.choice(["5", "4", "4", "3", "3", "2"]),
                        work_kind=kind,
                        created_by_user_id=by,
                    )
                    s.add(mark)
                    new_marks.append(mark)
        s.flush()
        for mark in new_marks[:2]:
            s.add(
                Mark(
                    college_id=mark.college_id,
                    lesson_id=mark.lesson_id,
                    student_id=mark.student_id,
                    value="5" if mark.value != "5" else "4",
                    work_kind=mark.work_kind,
                    created_by_user_id=mark.created_by_user_id,
                    corrects_mark_id=mark.id,
                    correction_reason="исправлена ошибка ввода (бенчмарк)",
                )
            )
        s.commit()
        return len(current) + len(added)


def teacher_of(engine: Any, pair: dict[str, Any], start: date, end: date) -> tuple[int, list[int]]:
    """The user id of the teacher who conducts most of the month's lessons, and those lessons' ids."""
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(
            text(
                """
                SELECT l.id, t.user_id FROM lesson l
                JOIN teacher t ON t.id = COALESCE(l.substitute_teacher_id, l.teacher_id)
                WHERE l.study_group_id = :grp AND l.subject_id = :subject AND l.lesson_date BETWEEN :start AND :end
                ORDER BY l.lesson_date, l.pair_number
                """
            ),
            {"grp": pair["group_id"], "subject": pair["subject_id"], "start": start, "end": end},
        ).all()
    users = [r[1] for r in rows if r[1] is not None]
    user = max(set(users), key=users.count)
    return user, [r[0] for r in rows if r[1] == user]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--no-page", action="store_true", help="skip the AppTest run of the page")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))

    from app import db

    server = db.start_embedded(Path(os.environ["EJOURNAL_DATA_DIR"]).resolve() / "pgdata")
    url = db.with_database(server, BENCH_DATABASE)
    # run_seed recreates whatever database the settings name: point them at the bench's own.
    os.environ["EJOURNAL_DATABASE_URL"] = url

    from sqlmodel import Session

    from app.actor import load_actor
    from app.demo.seed import run_seed
    from app.exports.xlsx import to_xlsx
    from app.services import journal_grid as jg
    from app.services.journal import lesson_sheet
    from app.settings import get_settings

    get_settings.cache_clear()
    started = time.perf_counter()
    seeded = run_seed(seed=args.seed)
    seed_s = time.perf_counter() - started
    owner = db.get_owner_engine()
    pair = pick_pair(owner, seeded.today)
    start, end = jg.month_bounds(pair["month"])
    size = top_up(owner, pair, args.students, start, end, random.Random(args.seed))
    user_id, own_lessons = teacher_of(owner, pair, start, end)
    baseline_lesson = own_lessons[len(own_lessons) // 2]

    engine = db.get_engine()  # the app role, as the page runs
    with Session(engine) as s:
        actor = load_actor(user_id, session=s)

    def grid_once() -> tuple[float, Any]:
        t0 = time.perf_counter()
        with Session(engine) as s:
            grid = jg.build_grid(actor, pair["group_id"], pair["subject_id"], start, end, session=s)
        frames = (jg.grid_frame(grid), jg.lessons_frame(grid), jg.marks_frame(grid))
        return time.perf_counter() - t0, (grid, frames)

    def xlsx_once(grid: Any, frames: Any) -> float:
        t0 = time.perf_counter()
        sheets = {
            "Журнал": frames[0],
            "Занятия": frames[1],
            "Отметки": frames[2],
            "Обозначения": jg.legend_frame(),
        }
        to_xlsx(sheets, title=jg.title(grid))
        return time.perf_counter() - t0

    def sheet_once() -> float:
        t0 = time.perf_counter()
        with Session(engine) as s:
            lesson_sheet(actor, baseline_lesson, session=s)
        return time.perf_counter() - t0

    page = None if args.no_page else open_page(user_id, pair, start)

    def page_once() -> float:
        assert page is not None
        t0 = time.perf_counter()
        page.run()
        elapsed = time.perf_counter() - t0
        if page.exception or page.error or len(page.dataframe) < 2:
            raise SystemExit(
                f"the page did not show the grid: {page.exception or [e.value for e in page.error]}"
            )
        return elapsed

    # warm-up: connections in the pool, plans in the server's cache, imports done
    _, (grid, frames) = grid_once()
    xlsx_once(grid, frames)
    sheet_once()
    times: dict[str, list[float]] = {"grid": [], "xlsx": [], "sheet": [], "page": []}
    for _ in range(args.repeat):
        times["sheet"].append(sheet_once())
        elapsed, (grid, frames) = grid_once()
        times["grid"].append(elapsed)
        times["xlsx"].append(xlsx_once(grid, frames))
        if page is not None:
            times["page"].append(page_once())

    grid_ms, xlsx_ms, sheet_ms = (median_ms(times[k]) for k in ("grid", "xlsx", "sheet"))
    page_ms = median_ms(times["page"]) if times["page"] else None
    marks = len(grid.marks)
    print(
        f"demo college: seed {args.seed}, today {seeded.today}, seeded in {seed_s:.1f} s; "
        f"{sum(seeded.counts.values())} rows"
    )
    print(
        f"grid: {pair['group_name']} × {pair['subject']} × {jg.month_label(start)}: {size} students "
        f"(rows shown {len(grid.students)}), {len(grid.lessons)} lessons, {marks} marks; as {actor.login}"
    )
    print(f"median of {args.repeat} runs after a warm-up:")
    print(f"  grid (build_grid + frames)         {grid_ms:8.1f} ms  (min {min(times['grid']) * 1000:.1f})")
    print(f"  Excel of the grid                  {xlsx_ms:8.1f} ms")
    if page_ms is not None:
        print(
            f"  page through the router (AppTest)  {page_ms:8.1f} ms  (min {min(times['page']) * 1000:.1f})"
        )
    print(f"  baseline: one lesson sheet         {sheet_ms:8.1f} ms  (min {min(times['sheet']) * 1000:.1f})")
    budget = page_ms if page_ms is not None else grid_ms + xlsx_ms
    print(
        f"grid_ms={grid_ms:.1f} xlsx_ms={xlsx_ms:.1f} page_ms={'—' if page_ms is None else f'{page_ms:.1f}'} "
        f"lesson_sheet_ms={sheet_ms:.1f} grid_vs_lesson_sheet={grid_ms / sheet_ms:.2f} "
        f"page_under_1s={budget < 1000}"
    )
    db.reset_engine()
    if not args.keep:
        db.drop_database(server, BENCH_DATABASE)
    if budget >= 1000:
        sys.exit(1)


def open_page(user_id: int, pair: dict[str, Any], month: date) -> Any:
    """The page opened through the real router as `user_id`, on the bench's group, subject and month."""
    from sqlmodel import Session
    from streamlit.testing.v1 import AppTest

    from app.db import get_engine
    from app.services import login_sessions

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    with Session(get_engine()) as s:
        sid = login_sessions.open_session(user_id, session=s).session_id
    at.user = {"sid": sid, "source": "127.0.0.1", "user_agent": "bench"}
    at.query_params["group"] = str(pair["group_id"])
    at.query_params["subject"] = str(pair["subject_id"])
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="grid_month").select(month).run()
    return at


if __name__ == "__main__":
    main()
