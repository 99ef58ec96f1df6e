"""`ejournal demo seed`: recreate the database with a realistic demo college (or a region of them).

The run is deterministic: the same seed and the same «today» give identical rows (all but the
password hash, which argon2 salts afresh). Who carries the planted defects depends on the seed and the
semester only, not on the day within it, so the README can name them. Colleges are generated and
COPYed one at a time, so a region of many colleges never sits in memory at once.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import psycopg

from app import db
from app.demo.college import DEMO_PEOPLE, College, Ids, build_college
from app.demo.copy import COLUMNS, copy_tables, foreign_keys_deferred, reset_sequences, row_counts
from app.demo.history import History, build_history
from app.domain import ROLE_LABELS, WEEKDAY_NAMES, Role, fmt_date
from app.migrate import upgrade
from app.passwords import hash_password
from app.settings import get_settings

DEMO_PASSWORD = "demo-ejournal"
DEFAULT_SEED = 2024
MAX_LISTED_COLLEGES = 10  # a benchmark region of a hundred colleges keeps the report short

DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("officer", ROLE_LABELS[Role.officer], DEMO_PEOPLE["officer"].full_name),
    ("deputy", ROLE_LABELS[Role.deputy], DEMO_PEOPLE["deputy"].full_name),
    ("director", ROLE_LABELS[Role.director], DEMO_PEOPLE["director"].full_name),
    ("teacher", "Преподаватель, куратор группы", DEMO_PEOPLE["teacher"].full_name),
    ("curator", "Куратор группы, преподаватель", DEMO_PEOPLE["curator"].full_name),
    ("student", ROLE_LABELS[Role.student], DEMO_PEOPLE["student"].full_name),
    ("guardian", ROLE_LABELS[Role.guardian], DEMO_PEOPLE["guardian"].full_name),
]

DEFECT_TITLES = {
    "no_topic": "не записывает тему занятия",
    "no_homework": "не записывает домашнее задание",
    "late": "заполняет журнал не в день занятия",
    "unmarked_control": "не выставляет отметки за контрольные работы в срок проверки",
}


@dataclass(frozen=True)
class PlantedTeacher:
    teacher_id: int
    full_name: str
    login: str
    defect: str  # a key of DEFECT_TITLES
    detail: str


@dataclass(frozen=True)
class PlantedStudent:
    student_id: int
    full_name: str
    group: str
    missed_hours: int
    total_hours: int
    twos: int


@dataclass
class CollegeSummary:
    college_id: int
    name: str
    teachers: list[PlantedTeacher] = field(default_factory=list)
    lagging_groups: list[tuple[int, str, int, int]] = field(default_factory=list)  # id, name, covered, held
    absentees: list[PlantedStudent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SeedResult:
    report: str
    seconds: float
    counts: dict[str, int]
    database_url: str
    today: date
    colleges: list[CollegeSummary]


def seed_demo(seed: int = DEFAULT_SEED, colleges: int = 1, today: date | None = None) -> str:
    """Recreate the database with demo data and return the report the CLI prints."""
    return run_seed(seed=seed, colleges=colleges, today=today).report


def run_seed(seed: int = DEFAULT_SEED, colleges: int = 1, today: date | None = None) -> SeedResult:
    if colleges < 1:
        raise ValueError("colleges must be at least 1")
    started = time.perf_counter()
    settings = get_settings()
    tz = settings.tz
    today = today or datetime.now(tz).date()
    url = recreate_database()
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once, reuse for everyone
    ids = Ids()
    summaries: list[CollegeSummary] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")  # a bulk load that is redone from scratch if interrupted
        with foreign_keys_deferred(conn):
            for index in range(colleges):
                rng = random.Random(seed * 1_000_003 + index)
                college = build_college(index, rng, ids, today, tz, password_hash)
                history = build_history(college, ids, rng, today, tz, settings.checking_deadline_days)
                copy_tables(conn, college.tables)
                summaries.append(_summarize(college, history, today, settings.checking_deadline_days))
                del college, history  # stream: one college in memory at a time
        reset_sequences(conn)
        conn.execute("ANALYZE")
        counts = row_counts(conn)
    db.reset_engine()
    seconds = time.perf_counter() - started
    report = _report(seconds, seed, today, counts, summaries, url)
    return SeedResult(report, seconds, counts, url, today, summaries)


def recreate_database() -> str:
    """Drop and recreate the journal database (EJOURNAL_DATABASE_URL's, or the embedded one), migrated."""
    db.reset_engine()  # let go of pooled connections to the database about to be dropped
    url = db.database_url()
    name = str(psycopg.conninfo.conninfo_to_dict(url).get("dbname") or "")
    if name in ("", "postgres", "template0", "template1"):
        raise ValueError(
            f"refusing to recreate the maintenance database {name!r}: point the URL at a journal database"
        )
    admin = db.with_database(url, "postgres")
    db.drop_database(admin, name)
    db.ensure_database(admin, name)
    upgrade(url)
    db.reset_engine()
    return url


# --------------------------------------------------------------------------- report


def _summarize(college: College, history: History, today: date, deadline_days: int) -> CollegeSummary:
    summary = CollegeSummary(college.id, college.name)
    for d in history.teacher_defects:
        t = d.teacher
        if d.kind == "no_topic":
            detail = f"без темы {d.no_topic} из {d.lessons} занятий"
        elif d.kind == "no_homework":
            detail = f"без домашнего задания {d.no_homework} из {d.lessons} занятий"
        elif d.kind == "late":
            detail = (
                f"{d.late} из {d.lessons} занятий заполнены на 1–4 дня позже (ещё не заполнено: {d.no_topic})"
            )
        else:
            detail = f"контрольных работ без отметок после срока проверки ({deadline_days} дн.): {d.unmarked_controls}"
        summary.teachers.append(PlantedTeacher(t.id, t.person.full_name, t.login, d.kind, detail))
    for group in history.lagging:
        covered, held = history.lagging_groups[group.id]
        summary.lagging_groups.append((group.id, group.name, covered, held))
    for student in history.absentees:
        missed, total = history.hours.get(student.id, [0, 0])
        summary.absentees.append(
            PlantedStudent(
                student.id,
                student.person.full_name,
                student.group.name,
                missed,
                total,
                history.twos[student.id],
            )
        )
    demo = college.demo_teacher
    gap = history.demo_homework_gap
    if gap:
        summary.notes.append(
            f"{fmt_date(gap.day)}, {gap.pair}-я пара, {gap.group}, «{gap.subject}»: не записано домашнее задание "
            "(его можно дописать сейчас — запись отметится как запоздалая)"
        )
    control = history.demo_control
    if control:
        deadline = control.day + timedelta(days=deadline_days)
        summary.notes.append(
            f"{fmt_date(control.day)}, {control.pair}-я пара, {control.group}, «{control.subject}»: контрольная "
            f"работа проверена у {control.marked} из {control.present} студентов, остальные отметки можно "
            f"выставить до {fmt_date(deadline)}"
        )
    own_today = sum(1 for s in college.slots if s.teacher is demo and s.weekday == today.isoweekday())
    summary.notes.append(
        f"занятий сегодня ({fmt_date(today)}): {history.today_lessons} по колледжу, из них у teacher — "
        f"{own_today if history.today_lessons else 0}; все пустые, их заполняют в демонстрации"
    )
    teacher_group = next(g.name for g in college.groups if g.curator is demo)
    curator_group = next(g.name for g in college.groups if g.curator is college.demo_curator)
    summary.notes.append(
        f"teacher — куратор группы {teacher_group}, занятия каждый день пн–сб; curator — куратор группы "
        f"{curator_group}; student учится в {college.demo_student.group.name}; у guardian двое детей: "
        f"{college.demo_student.person.full_name} ({college.demo_student.group.name}) и "
        f"{college.demo_sibling.person.full_name} ({college.demo_sibling.group.name})"
    )
    if history.substitution:
        sick, first, last = history.substitution
        summary.notes.append(
            f"замены: {sick.person.full_name} на больничном {fmt_date(first)}–{fmt_date(last)}, "
            "занятия провели коллеги"
        )
    return summary


def _report(
    seconds: float, seed: int, today: date, counts: dict[str, int], colleges: list[CollegeSummary], url: str
) -> str:
    dbname = psycopg.conninfo.conninfo_to_dict(url).get("dbname")
    lines = [
        f"Демонстрационные данные загружены за {seconds:.1f} с".replace(".", ",")
        + f" (колледжей: {len(colleges)}, зерно {seed}, «сегодня» — {fmt_date(today)}, "
        f"{WEEKDAY_NAMES[today.weekday()].lower()}). База данных: {dbname}.",
        "",
        "Строк в таблицах:",
        *(f"  {table:<17}{counts[table]:>9}" for table in COLUMNS),
        "",
        f"Демонстрационные учётные записи (пароль у всех: {DEMO_PASSWORD}):",
        *(f"  {login:<10}{label:<38}{name}" for login, label, name in DEMO_ACCOUNTS),
    ]
    first, *others = colleges
    lines += ["", f"Колледж: {first.name}", *(f"  • {note}" for note in first.notes)]
    lines += [
        "",
        "Заложенные нарушения (их должен найти еженедельный анализ ведения журналов):",
        "  Преподаватели:",
    ]
    lines += [
        f"    • {t.full_name} ({t.login}) — {DEFECT_TITLES[t.defect]}: {t.detail}" for t in first.teachers
    ]
    lines.append("  Группы, отстающие от КТП (часть занятий ушла на повторение):")
    lines += [
        f"    • {name} — пройдено тем КТП {covered} за {held} занятий (отставание {held - covered})"
        for _, name, covered, held in first.lagging_groups
    ]
    lines.append("  Студенты с большим числом пропусков (более 30 % часов):")
    for s in first.absentees:
        share = round(100 * s.missed_hours / s.total_hours) if s.total_hours else 0
        twos = f"; отметок «2»: {s.twos}" if s.twos >= 3 else ""
        lines.append(
            f"    • {s.full_name} ({s.group}) — пропущено {s.missed_hours} из {s.total_hours} ч ({share} %){twos}"
        )
    if others:
        lines += ["", "Остальные колледжи (нарушения заложены так же; логины с префиксом колледжа):"]
        for c in others[:MAX_LISTED_COLLEGES]:
            logins = ", ".join(t.login for t in c.teachers)
            groups = ", ".join(name for _, name, _, _ in c.lagging_groups)
            lines.append(
                f"  • {c.name}: преподаватели {logins}; группы {groups}; студентов с пропусками {len(c.absentees)}"
            )
        if len(others) > MAX_LISTED_COLLEGES:
            lines.append(f"  … и ещё {len(others) - MAX_LISTED_COLLEGES}")
    return "\n".join(lines)
