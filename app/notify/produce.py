"""The notices due now: the week's digest once its hour has come, and the alerts the college sends
(`EJOURNAL_NOTIFY_ALERTS`). Each notice's key names what it is about and to whom, so running this
again, or on two servers, queues nothing twice.

- «absence»: a day's unexcused absences («н»), the morning after (the journal of a day is filled
  on that day, §2.1.3, so the day is complete then);
- «low_mark»: a «2» as the mark stands now, the day it is given;
- «systematic»: the month's missed hours crossed the systematic-absence share (the warehouse's
  `mart_attendance_student_month`, the same figure «Посещаемость» shows);
- «debt»: a debt after the session (`mart_academic_debt`), for the sessions of the last two months.

The rules read the live database where the diary does (marks, absences) and the warehouse where
the dashboards do, so a letter never says what the screens do not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app.notify import compose
from app.notify.queue import enqueue
from app.notify.recipients import Recipient, of_students
from app.services import notices
from app.services.diary import DiaryMark, read_week, student_of, week_monday
from app.settings import Settings

KEYS_PER_QUERY = 10_000
ALERT_LOOKBACK_DAYS = 3  # a server down over a weekend still sends Friday's alerts on Monday
DEBT_LOOKBACK_DAYS = 62


@dataclass
class _Pending:
    kind: str
    key: str
    recipient: Recipient
    college_id: int
    student_id: int
    letter: compose.Letter


@dataclass
class ProduceReport:
    queued: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # What this round found due, queued at its end (_flush) less what is queued already.
    pending: list[_Pending] = field(default_factory=list, repr=False, compare=False)

    @property
    def total(self) -> int:
        return sum(self.queued.values())

    def __str__(self) -> str:
        labels = {
            "digest": "итоги недели",
            "absence": "пропуски",
            "low_mark": "отметки «2»",
            "systematic": "систематические пропуски",
            "debt": "задолженности",
        }
        parts = [f"{labels.get(k, k)}: {n}" for k, n in sorted(self.queued.items()) if n]
        return "поставлено в очередь: " + (", ".join(parts) if parts else "ничего")


def produce(session: Session, settings: Settings, now: datetime, *, reader: Any = None) -> ProduceReport:
    """Queue every notice due at `now` (the college's time) into the caller's transaction.
    `reader`: the warehouse (etl.warehouse.WarehouseReader) for the alerts read from the marts;
    None skips them (no warehouse built yet)."""
    report = ProduceReport()
    today = now.date()
    alerts = settings.notify_alerts
    if "absence" in alerts:
        _absences(session, settings, today, report)
    if "low_mark" in alerts:
        _low_marks(session, settings, today, report)
    if reader is not None and "systematic" in alerts:
        _systematic(session, settings, reader, today, report)
    if reader is not None and "debt" in alerts:
        _debts(session, settings, reader, today, report)
    if (now.isoweekday(), now.hour) >= (settings.notify_digest_weekday, settings.notify_digest_hour):
        _digests(session, settings, now, report)
    _flush(session, settings, report)
    return report


def _flush(session: Session, settings: Settings, report: ProduceReport) -> None:
    """Queue the round's notices whose key is not queued yet. Each round finds every fact of the
    last days again; for a region that is 10,000 notices queued long ago, and asking for them one
    by one took 6 of a round's 8 s, so the queued keys are looked up together first (the queue's
    unique key still refuses a second copy)."""
    keys = [p.key for p in report.pending]
    known: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        known.update(
            r[0]
            for r in session.execute(
                text("SELECT dedupe_key FROM notice WHERE dedupe_key = ANY(:keys)"),
                {"keys": keys[start : start + KEYS_PER_QUERY]},
            )
        )
    for p in report.pending:
        if p.key not in known and enqueue(
            session,
            college_id=p.college_id,
            kind=p.kind,
            dedupe_key=p.key,
            recipient=p.recipient,
            letter=p.letter,
            settings=settings,
            student_id=p.student_id,
        ):
            report.queued[p.kind] += 1
    report.pending.clear()


def _queue(
    report: ProduceReport,
    kind: str,
    about: str,
    recipient: Recipient,
    college_id: int,
    student_id: int,
    letter: compose.Letter,
) -> None:
    report.pending.append(
        _Pending(kind, f"{kind}:{about}:{recipient.key}", recipient, college_id, student_id, letter)
    )


def _students(session: Session, ids: set[int]) -> dict[int, Any]:
    rows = session.execute(
        text(
            "SELECT s.id, s.college_id, s.last_name, s.first_name, s.middle_name, g.name AS group_name "
            "FROM student s JOIN study_group g ON g.id = s.study_group_id "
            "WHERE s.id = ANY(:ids) AND s.left_on IS NULL"
        ),
        {"ids": sorted(ids)},
    ).mappings()
    return {r["id"]: r for r in rows}


def _name(row: Any) -> str:
    return " ".join(p for p in (row["last_name"], row["first_name"], row["middle_name"]) if p)


def _absences(session: Session, settings: Settings, today: date, report: ProduceReport) -> None:
    rows = session.execute(
        text(
            """
            SELECT a.student_id, l.lesson_date, l.pair_number, sub.name AS subject, l.hours
            FROM attendance a
            JOIN lesson l ON l.id = a.lesson_id
            JOIN subject sub ON sub.id = l.subject_id
            WHERE a.status = 'absent' AND l.lesson_date BETWEEN :first AND :last
            ORDER BY a.student_id, l.lesson_date, l.pair_number
            """
        ),
        {"first": today - timedelta(days=ALERT_LOOKBACK_DAYS), "last": today - timedelta(days=1)},
    ).mappings()
    days: dict[tuple[int, date], list[str]] = defaultdict(list)
    for r in rows:
        days[(r["student_id"], r["lesson_date"])].append(
            f"{r['pair_number']}-я пара, {r['subject']}: {r['hours']} ч"
        )
    students = _students(session, {s for s, _ in days})
    recipients = of_students(session, list(students))
    for (sid, day), lines in days.items():
        student = students.get(sid)
        if student is None:
            continue
        for rcp in recipients.get(sid, []):
            if rcp.alerts:
                letter = compose.absence(
                    _name(student), student["group_name"], day, lines, rcp.name, rcp.kind == "student"
                )
                _queue(
                    report,
                    "absence",
                    f"{sid}:{day}",
                    rcp,
                    student["college_id"],
                    sid,
                    letter,
                )


def _low_marks(session: Session, settings: Settings, today: date, report: ProduceReport) -> None:
    lessons = [
        r[0]
        for r in session.execute(
            text("SELECT id FROM lesson WHERE lesson_date BETWEEN :first AND :last"),
            {"first": today - timedelta(days=ALERT_LOOKBACK_DAYS), "last": today},
        )
    ]
    if not lessons:
        return
    rows = list(
        session.execute(
            text(
                """
                SELECT mc.original_id, mc.student_id, mc.value, mc.work_kind, mc.comment, mc.corrected,
                       mc.original_value, mc.correction_reason, l.lesson_date, l.subject_id,
                       sub.name AS subject
                FROM mark_current_of(CAST(:lessons AS integer[])) mc
                JOIN lesson l ON l.id = mc.lesson_id
                JOIN subject sub ON sub.id = l.subject_id
                WHERE mc.value = '2'
                """
            ),
            {"lessons": lessons},
        ).mappings()
    )
    students = _students(session, {r["student_id"] for r in rows})
    recipients = of_students(session, list(students))
    for r in rows:
        student = students.get(r["student_id"])
        if student is None:
            continue
        what = DiaryMark(
            r["value"], r["work_kind"], r["comment"] or "", r["corrected"], r["original_value"],
            r["correction_reason"], r["lesson_date"], r["subject_id"],
        ).text  # fmt: skip
        for rcp in recipients.get(r["student_id"], []):
            if rcp.alerts:
                letter = compose.low_mark(
                    _name(student), r["lesson_date"], r["subject"], what, rcp.name, rcp.kind == "student"
                )
                _queue(report, "low_mark", str(r["original_id"]), rcp,
                    student["college_id"], r["student_id"], letter,
                )  # fmt: skip


def _systematic(
    session: Session, settings: Settings, reader: Any, today: date, report: ProduceReport
) -> None:
    month = today.replace(day=1)
    frame = reader.query(
        "SELECT student_id, month_start, hours_missed, hours_held, systematic_absence_share "
        "FROM mart_attendance_student_month WHERE is_systematic AND month_start = ?",
        [month],
    )
    rows = list(frame.iter_rows(named=True))
    students = _students(session, {r["student_id"] for r in rows})
    recipients = of_students(session, list(students))
    for r in rows:
        student = students.get(r["student_id"])
        if student is None:
            continue
        for rcp in recipients.get(r["student_id"], []):
            if rcp.alerts:
                letter = compose.systematic(
                    _name(student), month, r["hours_missed"], r["hours_held"], r["systematic_absence_share"],
                    rcp.name, rcp.kind == "student",
                )  # fmt: skip
                _queue(report, "systematic", f"{r['student_id']}:{month:%Y-%m}", rcp,
                    student["college_id"], r["student_id"], letter,
                )  # fmt: skip


def _debts(session: Session, settings: Settings, reader: Any, today: date, report: ProduceReport) -> None:
    frame = reader.query(
        "SELECT student_id, curriculum_item_id, subject_name, semester, debt_title, semester_mark "
        "FROM mart_academic_debt WHERE is_debt AND is_closed AND semester_end >= ? "
        "ORDER BY student_id, semester, subject_name",
        [today - timedelta(days=DEBT_LOOKBACK_DAYS)],
    )
    by_student: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in frame.iter_rows(named=True):
        by_student[r["student_id"]].append(r)
    students = _students(session, set(by_student))
    recipients = of_students(session, list(students))
    for sid, debts in by_student.items():
        student = students.get(sid)
        if student is None:
            continue
        lines = [f"{d['subject_name']} ({d['semester']}-й семестр): {d['debt_title'].lower()}" for d in debts]
        items = "-".join(str(d["curriculum_item_id"]) for d in debts)
        for rcp in recipients.get(sid, []):
            if rcp.alerts:
                letter = compose.debt(_name(student), lines, rcp.name, rcp.kind == "student")
                _queue(
                    report,
                    "debt",
                    f"{sid}:{items}",
                    rcp,
                    student["college_id"],
                    sid,
                    letter,
                )


def _digests(session: Session, settings: Settings, now: datetime, report: ProduceReport) -> None:
    monday = week_monday(now.date())
    ids = [
        r[0]
        for r in session.execute(
            text(
                "SELECT s.id FROM student s WHERE s.left_on IS NULL AND s.enrolled_on <= :today AND "
                "(s.email <> '' OR EXISTS (SELECT 1 FROM student_guardian sg JOIN guardian g ON "
                "g.id = sg.guardian_id WHERE sg.student_id = s.id AND g.email <> '')) ORDER BY s.id"
            ),
            {"today": now.date()},
        )
    ]
    recipients = of_students(session, ids)
    queued = {
        r[0]
        for r in session.execute(
            text("SELECT dedupe_key FROM notice WHERE kind = 'digest' AND dedupe_key LIKE :week"),
            {"week": f"digest:{monday}:%"},
        )
    }
    for sid in ids:
        wanted = [
            r for r in recipients.get(sid, []) if r.digest and f"digest:{monday}:{sid}:{r.key}" not in queued
        ]
        if not wanted:
            continue
        student = student_of(session, sid)
        if student is None:
            continue
        week = read_week(session, student, monday, now)
        week_notes = notices.announcements(
            session, student.group_id, start=monday, end=monday + timedelta(days=7)
        )
        notes = [(n.day, n.title, n.body) for n in reversed(week_notes)]  # oldest first
        for rcp in wanted:
            letter = compose.digest(week, rcp.name, rcp.kind == "student", notes)
            _queue(report, "digest", f"{monday}:{sid}", rcp, student.college_id, sid, letter)
