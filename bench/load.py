"""Load check (issue 6): concurrent teachers saving lessons through the real service and database.

    python bench/load.py [--teachers 50] [--seconds 60]

Builds a college of its own in a scratch database (under EJOURNAL_DATA_DIR, default ./var/bench),
gives every teacher a lesson today with 25 students, then lets each teacher, in its own thread,
save its lesson again and again for the given time: a new topic, an absence moved around, one new
mark per save. The app's own engine (as the app role, with the app's pool) serves them. At the end it
checks that no row was lost or duplicated (marks and audit rows equal the accepted saves) and
prints throughput and latency percentiles.

The baseline, measured first in the same run: one more teacher saving alone for --baseline-seconds.
The last line compares the concurrent run with it (these machines are noisy, so only ratios within
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


def build_college(engine, teachers: int) -> list[tuple[int, int, list[int]]]:
    """(user_id, lesson_id, student_ids) per teacher."""
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
        for i in range(teachers):
            group = StudyGroup(
                college_id=college.id, speciality_id=spec.id, name=f"Н-{i:02d}", admission_year=admission
            )
            user = UserAccount(
                college_id=college.id, login=f"load{i}", password_hash=password, full_name=f"Учитель {i}"
            )
            s.add(group)
            s.add(user)
            s.flush()
            s.add(UserRole(user_id=user.id, role=Role.teacher.value))
            teacher = Teacher(college_id=college.id, last_name=f"Учитель{i}", first_name="И", user_id=user.id)
            s.add(teacher)
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
            lesson = Lesson(
                college_id=college.id,
                study_group_id=group.id,
                subject_id=subject.id,
                semester=program_semester(admission, today),
                teacher_id=teacher.id,
                lesson_date=today,
                pair_number=1,
            )
            s.add(lesson)
            s.flush()
            out.append((user.id, lesson.id, students))
        s.commit()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teachers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))

    from app import db
    from app.migrate import upgrade

    server = db.start_embedded(Path(os.environ["EJOURNAL_DATA_DIR"]).resolve() / "pgdata")
    name = "ejournal_load"
    db.drop_database(server, name)
    db.ensure_database(server, name)
    os.environ["EJOURNAL_DATABASE_URL"] = db.with_database(server, name)
    upgrade(os.environ["EJOURNAL_DATABASE_URL"])
    from sqlmodel import Session

    from app.actor import load_actor
    from app.domain import WORK_KIND_LABELS, AttendanceStatus, WorkKind
    from app.errors import DomainError
    from app.services.journal import LessonEntry, MarkInput, save_lesson

    *teachers, solo = build_college(db.get_owner_engine(), args.teachers + 1)
    engine = db.get_engine()  # the app's engine and pool, as the app role
    kinds = list(WORK_KIND_LABELS)
    latencies: list[float] = []
    accepted = 0
    errors: list[str] = []
    lock = threading.Lock()

    with Session(engine) as s:
        actors = {user_id: load_actor(user_id, session=s) for user_id, _, _ in [*teachers, solo]}

    def teacher_loop(user_id: int, lesson_id: int, students: list[int], stop_at: float) -> None:
        nonlocal accepted
        actor = actors[user_id]
        # each teacher's saves are sequential, as a person's are
        i = 0
        while time.monotonic() < stop_at:
            # the first two students take turns being absent and are never marked; the rest get marks
            markable = students[2:]
            if i >= len(markable) * len(kinds):
                break  # every student holds a mark of every kind: nothing left to add
            student = markable[i % len(markable)]
            kind = kinds[(i // len(markable)) % len(kinds)]
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

    began = time.monotonic()
    teacher_loop(*solo, began + args.baseline_seconds)
    solo_elapsed = time.monotonic() - began
    solo_latencies, latencies = latencies, []
    solo_accepted, accepted = accepted, 0

    stop_at = time.monotonic() + args.seconds
    threads = [threading.Thread(target=teacher_loop, args=(*t, stop_at)) for t in teachers]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began

    import psycopg

    with psycopg.connect(os.environ["EJOURNAL_DATABASE_URL"]) as conn:
        marks = conn.execute(
            "SELECT count(*), count(DISTINCT (lesson_id, student_id, work_kind)) FROM mark"
        ).fetchone()
        audits = conn.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'lesson.save' AND outcome = 'accepted'"
        ).fetchone()
    assert marks is not None and audits is not None
    total = accepted + solo_accepted
    lost_or_duplicated = abs(marks[0] - total) + (marks[0] - marks[1]) + abs(audits[0] - total)
    q = statistics.quantiles(sorted(latencies), n=100) if len(latencies) >= 2 else [0.0] * 99
    print(
        f"teachers={args.teachers} seconds={elapsed:.1f} saves={accepted} saves_per_s={accepted / elapsed:.1f} "
        f"errors={len(errors)} lost_or_duplicated={lost_or_duplicated}"
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
