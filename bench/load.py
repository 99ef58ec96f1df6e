"""Load check (issue 6): concurrent teachers saving lessons through the real service and database.

    python bench/load.py [--teachers 50] [--seconds 60]

Builds a college of its own in a scratch database (under EJOURNAL_DATA_DIR, default ./var/bench),
gives every teacher four pairs today with a group of 25 students, then lets each teacher, in its
own thread, save its lessons again and again for the given time; the threads are spread over
--processes app server processes (one per core by default: Python runs one thread at a time in a
process, and a region serves its teachers from several): a new topic, an absence moved around,
one new mark per save. The app's own engine (as the app role, with the app's pool) serves them.
At the end it checks that no row was lost or duplicated (marks and audit rows equal the accepted
saves) and prints throughput and latency percentiles.

The baseline, measured first in the same run: one more teacher saving alone for --baseline-seconds.
Before it, another teacher alone saves whole lessons' marks at once (23 students a save, as after
a written test, 80 saves), and its median latency is printed (`whole lessons: … p50_ms=`).
The last line compares the concurrent run with the baseline (these machines are noisy, so only ratios within
one run mean anything):

    throughput_vs_solo=R p50_vs_solo=R
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# user id, the day's lessons (each with its group's students)
Teacher = tuple[int, list[tuple[int, list[int]]]]
PAIRS = 8  # a group's pairs a day (lesson.pair_range)


def build_college(engine, pairs: list[int]) -> list[Teacher]:
    """A teacher for each item of `pairs`, with that many pairs today, with groups of 25 (as many
    groups as the pairs take). A save adds a mark, and a lesson holds 230: every saving teacher
    must have marks left to add until the clock stops."""
    from sqlmodel import Session

    from app.calendar import program_semester
    from app.domain import AttestationForm, Role
    from app.models import (
        College,
        CurriculumItem,
        Lesson,
        Speciality,
        Student,
        StudyGroup,
        Subject,
        Teacher,
        UserAccount,
        UserRole,
    )
    from app.passwords import hash_password
    from app.services.journal import college_today

    out = []
    with Session(engine) as s:
        today = college_today(session=s)
        admission = today.year if today.month >= 9 else today.year - 1
        college = College(name="Нагрузочный техникум", short_name="НТ")
        s.add(college)
        s.flush()
        spec = Speciality(college_id=college.id, code="09.02.07", name="ИСиП")
        s.add(spec)
        subject = Subject(college_id=college.id, code="ОП.01", name="Информатика")
        s.add(subject)
        s.flush()
        password = hash_password("load-test-password")
        for i, wanted in enumerate(pairs):
            user = UserAccount(
                college_id=college.id, login=f"load{i}", password_hash=password, full_name=f"Учитель {i}"
            )
            s.add(user)
            s.flush()
            s.add(UserRole(user_id=user.id, role=Role.teacher.value))
            teacher = Teacher(college_id=college.id, last_name=f"Учитель{i}", first_name="И", user_id=user.id)
            s.add(teacher)
            s.flush()
            day: list[tuple[int, list[int]]] = []
            for g in range(-(-wanted // PAIRS)):
                group = StudyGroup(
                    college_id=college.id,
                    speciality_id=spec.id,
                    name=f"Н-{i:02d}-{g}",
                    admission_year=admission,
                )
                s.add(group)
                s.flush()
                s.add(
                    CurriculumItem(
                        college_id=college.id,
                        study_group_id=group.id,
                        subject_id=subject.id,
                        semester=program_semester(admission, today),
                        planned_hours=72,
                        attestation_form=AttestationForm.exam,
                    )
                )
                students = []
                for k in range(25):
                    st = Student(
                        college_id=college.id,
                        study_group_id=group.id,
                        last_name=f"Студент{k:02d}",
                        first_name="С",
                        enrolled_on=today - timedelta(days=90),
                    )
                    s.add(st)
                    s.flush()
                    students.append(st.id)
                for pair in range(1, min(PAIRS, wanted - g * PAIRS) + 1):
                    lesson = Lesson(
                        college_id=college.id,
                        study_group_id=group.id,
                        subject_id=subject.id,
                        semester=program_semester(admission, today),
                        teacher_id=teacher.id,
                        lesson_date=today,
                        pair_number=pair,
                    )
                    s.add(lesson)
                    s.flush()
                    assert lesson.id is not None
                    day.append((lesson.id, students))
            out.append((user.id, day))
        s.commit()
    return out


# latencies (s), saves accepted, errors, teachers who ran out of marks to add before the clock stopped
Result = tuple[list[float], int, list[str], int]


def run_teachers(url: str, teachers: list[Teacher], stop_at: float) -> Result:
    """The teachers' loops, a thread each, in this process, through the app's own engine and pool
    (as the app role): what one app server process does for the teachers it serves."""
    os.environ["EJOURNAL_DATABASE_URL"] = url
    from sqlmodel import Session

    from app import db
    from app.actor import load_actor
    from app.domain import WORK_KIND_LABELS, AttendanceStatus, WorkKind
    from app.errors import DomainError
    from app.services.journal import LessonEntry, MarkInput, save_lesson

    engine = db.get_engine()
    kinds = list(WORK_KIND_LABELS)
    latencies: list[float] = []
    accepted = 0
    errors: list[str] = []
    ran_out = 0
    lock = threading.Lock()
    with Session(engine) as s:
        actors = {user_id: load_actor(user_id, session=s) for user_id, _ in teachers}

    def teacher_loop(user_id: int, lessons: list[tuple[int, list[int]]]) -> None:
        nonlocal accepted, ran_out
        actor = actors[user_id]
        # the first two students take turns being absent and are never marked; the rest get marks
        per_lesson = (len(lessons[0][1]) - 2) * len(kinds)
        # each teacher's saves are sequential, as a person's are
        i = 0
        while time.time() < stop_at:
            if i >= per_lesson * len(lessons):
                with lock:
                    ran_out += 1  # every student holds a mark of every kind: nothing left to add
                break
            (lesson_id, students), n = lessons[i // per_lesson], i % per_lesson
            markable = students[2:]
            student = markable[n % len(markable)]
            kind = kinds[n // len(markable)]
            entry = LessonEntry(
                topic=f"Тема {i}",
                work_kind=WorkKind.oral,
                work_done="Опрос",
                attendance={students[i % 2]: AttendanceStatus.absent},
                marks=[MarkInput(student, "5", WorkKind(kind))],
            )
            started = time.perf_counter()
            try:
                with Session(engine) as s:
                    save_lesson(actor, lesson_id, entry, session=s)
                with lock:
                    accepted += 1
                    latencies.append(time.perf_counter() - started)
            except DomainError as exc:
                with lock:
                    errors.append(exc.message)
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
            i += 1

    threads = [threading.Thread(target=teacher_loop, args=t) for t in teachers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.reset_engine()
    return latencies, accepted, errors, ran_out


def whole_lessons(url: str, teacher: Teacher) -> tuple[list[float], int, int]:
    """The teacher alone, saving each lesson's marks for the whole group at once (23 students, one
    kind of work a save), as after a written test: latencies, saves, marks."""
    os.environ["EJOURNAL_DATABASE_URL"] = url
    from sqlmodel import Session

    from app import db
    from app.actor import load_actor
    from app.domain import WORK_KIND_LABELS, AttendanceStatus, WorkKind
    from app.services.journal import LessonEntry, MarkInput, save_lesson

    engine = db.get_engine()
    user_id, lessons = teacher
    with Session(engine) as s:
        actor = load_actor(user_id, session=s)
    latencies: list[float] = []
    marks = 0
    for k, kind in enumerate(WORK_KIND_LABELS):
        for lesson_id, students in lessons:
            entry = LessonEntry(
                topic=f"Контрольная {k}",
                work_kind=WorkKind.oral,
                work_done="Опрос",
                attendance={students[k % 2]: AttendanceStatus.absent},
                marks=[MarkInput(student, "5", WorkKind(kind)) for student in students[2:]],
            )
            started = time.perf_counter()
            with Session(engine) as s:
                save_lesson(actor, lesson_id, entry, session=s)
            latencies.append(time.perf_counter() - started)
            marks += len(entry.marks)
    db.reset_engine()
    return latencies, len(latencies), marks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teachers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="app server processes the teachers are spread over (default: one per core)",
    )
    args = parser.parse_args()
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))

    from app import db
    from app.migrate import upgrade

    server = db.start_embedded(Path(os.environ["EJOURNAL_DATA_DIR"]).resolve() / "pgdata")
    name = "ejournal_load"
    db.drop_database(server, name)
    db.ensure_database(server, name)
    url = db.with_database(server, name)
    os.environ["EJOURNAL_DATABASE_URL"] = url
    upgrade(url)

    # the saving teachers (four pairs each), the baseline's (saving alone, and faster), and one
    # who saves whole lessons' marks at once
    *teachers, solo, whole = build_college(db.get_owner_engine(), [4] * args.teachers + [24, 8])
    db.reset_engine()

    whole_latencies, whole_saves, whole_marks = whole_lessons(url, whole)

    began = time.time()
    solo_latencies, solo_accepted, errors, solo_ran_out = run_teachers(
        url, [solo], began + args.baseline_seconds
    )
    solo_elapsed = time.time() - began

    # the teachers dealt round the processes; each process starts its threads at the same moment
    shares = [teachers[n :: args.processes] for n in range(args.processes)]
    stop_at = time.time() + args.seconds + 2.0  # the processes' start-up comes before the clock
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(args.processes, mp_context=get_context("spawn")) as pool:
        began = time.time() + 2.0
        results = list(pool.map(run_teachers, [url] * args.processes, shares, [stop_at] * args.processes))
    elapsed = time.time() - began
    latencies = [x for r in results for x in r[0]]
    accepted = sum(r[1] for r in results)
    errors += [e for r in results for e in r[2]]
    ran_out = solo_ran_out + sum(r[3] for r in results)

    import psycopg

    from app.audit_chain import seal_all, verify_chain

    with psycopg.connect(url) as conn:
        marks = conn.execute(
            "SELECT count(*), count(DISTINCT (lesson_id, student_id, work_kind)) FROM mark"
        ).fetchone()
        audits = conn.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'lesson.save' AND outcome = 'accepted'"
        ).fetchone()
    assert marks is not None and audits is not None
    from sqlmodel import Session

    with Session(db.get_engine()) as s:  # what the sealer of `ejournal serve` does, then the check
        seal_all(session=s)
        chain = verify_chain(session=s)
    total = accepted + solo_accepted
    lost_or_duplicated = (
        abs(marks[0] - total - whole_marks) + (marks[0] - marks[1]) + abs(audits[0] - total - whole_saves)
    )
    q = statistics.quantiles(sorted(latencies), n=100) if len(latencies) >= 2 else [0.0] * 99
    print(
        f"teachers={args.teachers} processes={args.processes} seconds={elapsed:.1f} saves={accepted} "
        f"saves_per_s={accepted / elapsed:.1f} errors={len(errors)} lost_or_duplicated={lost_or_duplicated} "
        f"audit_chain_ok={chain.ok} audit_entries={chain.entries} ran_out={ran_out}"
    )
    if ran_out:
        print(
            f"warning: {ran_out} teacher(s) had no mark left to add before the clock stopped, so the "
            "rates above undercount: give them more pairs (build_college)"
        )
    print(
        f"latency_ms p50={q[49] * 1000:.1f} p90={q[89] * 1000:.1f} p99={q[98] * 1000:.1f} "
        f"max={max(latencies, default=0) * 1000:.1f}"
    )
    solo_p50 = statistics.median(solo_latencies) if solo_latencies else float("nan")
    print(
        f"baseline: 1 teacher alone seconds={solo_elapsed:.1f} saves={solo_accepted} "
        f"saves_per_s={solo_accepted / solo_elapsed:.1f} p50_ms={solo_p50 * 1000:.1f}"
    )
    print(
        f"whole lessons: 1 teacher alone saves={whole_saves} marks_per_save={whole_marks // whole_saves} "
        f"p50_ms={statistics.median(whole_latencies) * 1000:.1f}"
    )
    print(
        f"throughput_vs_solo={(accepted / elapsed) / (solo_accepted / solo_elapsed):.2f} "
        f"p50_vs_solo={q[49] / solo_p50:.2f}"
    )
    if errors:
        from collections import Counter

        print(
            "errors by message:", *(f"{n} × {m[:160]}" for m, n in Counter(errors).most_common(5)), sep="\n  "
        )
    db.reset_engine()
    db.drop_database(server, name)


if __name__ == "__main__":
    main()
