"""The demo seed, against a real PostgreSQL: its shape, its accounts, its history, its planted defects.

Seeding recreates the database it points at, so it runs in databases of its own, never the worker's.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlmodel import Session, col, select

from app import db, validation
from app.calendar import is_school_day, program_semester
from app.demo import names
from app.demo.college import Ids, build_college
from app.demo.copy import COLUMNS
from app.demo.history import build_history
from app.demo.schoolyear import Semester
from app.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, SeedResult, run_seed
from app.domain import Role
from app.models import UserAccount
from app.services.accounts import authenticate
from app.settings import get_settings
from tests.conftest import unique_db_name

SEED = 7
TODAY = date(2026, 11, 26)  # a Thursday in the autumn semester, whatever the real date
DEADLINE = 7
TZ = ZoneInfo("Europe/Moscow")


def _seed_into(server_url: str, dbname: str) -> SeedResult:
    """Seed into `dbname` on the test server, then point the process back at the worker's database."""
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("EJOURNAL_DATABASE_URL", db.with_database(server_url, dbname))
            get_settings.cache_clear()
            db.reset_engine()
            return run_seed(seed=SEED, today=TODAY)
    finally:  # the environment is restored: forget the settings and engine made under it
        get_settings.cache_clear()
        db.reset_engine()


@pytest.fixture(scope="module")
def seeded(server_url: str, database_url: str) -> Iterator[SeedResult]:
    name = unique_db_name("ejournal_seedtest")
    yield _seed_into(server_url, name)
    db.drop_database(server_url, name)


@pytest.fixture
def conn(seeded: SeedResult) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(seeded.database_url) as c:
        c.execute("SET TIME ZONE 'Europe/Moscow'")
        yield c


def one(conn: psycopg.Connection[tuple[object, ...]], query: str, *params: object) -> Any:
    row = conn.execute(query, params or None).fetchone()
    assert row is not None
    return row[0]


def checksums(url: str) -> dict[str, str]:
    """A digest of every seeded column of every table; the password hash aside (argon2 salts afresh)."""
    sums: dict[str, str] = {}
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        for table, columns in COLUMNS.items():
            row = "row(" + ", ".join(c for c in columns if c != "password_hash") + ")::text"
            sums[table] = one(conn, f"SELECT md5(string_agg({row}, '|' ORDER BY {row})) FROM {table}")
    return sums


# --------------------------------------------------------------------------- shape


def test_the_report_names_time_counts_accounts_and_defects(seeded):
    print(seeded.report)  # the seeding time, for `pytest -s`
    assert re.search(r"загружены за \d+,\d с", seeded.report)
    assert seeded.seconds < 60
    for login, _, full_name in DEMO_ACCOUNTS:
        assert login in seeded.report and full_name in seeded.report
    first = seeded.colleges[0]
    assert "Северный политехнический техникум" in first.name
    for planted in (*first.teachers, *first.absentees):
        assert planted.full_name in seeded.report
    assert all(name in seeded.report for _, name, _, _ in first.lagging_groups)
    assert seeded.counts["mark"] > 10_000 and seeded.counts["college"] == 1


def test_specialities_groups_students_and_teachers_look_like_a_college(conn):
    specialities = conn.execute("SELECT code, name FROM speciality ORDER BY code").fetchall()
    assert 3 <= len(specialities) <= 4
    assert ("09.02.07", "Информационные системы и программирование") in specialities
    assert all(re.fullmatch(r"\d\d\.02\.\d\d", code) for code, _ in specialities)

    groups = conn.execute(
        "SELECT g.name, g.admission_year, count(s.id) FROM study_group g JOIN student s ON s.study_group_id = g.id "
        "GROUP BY g.id ORDER BY g.name"
    ).fetchall()
    assert 14 <= len(groups) <= 18
    assert all(re.fullmatch(r"[А-Я]{2,3}-\d\d", name) for name, _, _ in groups)
    assert {TODAY.year - year + 1 for _, year, _ in groups} == {1, 2, 3, 4}  # courses via admission_year
    assert all(20 <= size <= 30 for _, _, size in groups)
    assert 23 <= sum(size for _, _, size in groups) / len(groups) <= 27

    teachers = one(conn, "SELECT count(*) FROM teacher WHERE user_id IS NOT NULL")
    assert 36 <= teachers <= 44 and teachers == one(conn, "SELECT count(*) FROM teacher")
    curators = one(conn, "SELECT count(DISTINCT curator_teacher_id) FROM study_group")
    assert curators == len(groups)
    # every curator can log in, and the role is the group's fact, never a stored row (0009)
    assert curators == one(
        conn,
        "SELECT count(*) FROM study_group g JOIN teacher t ON t.id = g.curator_teacher_id "
        "JOIN user_account u ON u.id = t.user_id AND u.is_active",
    )
    assert one(conn, "SELECT count(*) FROM user_role WHERE role = 'curator'") == 0
    # subgroups 1 and 2 in every group, and one birth date each
    assert one(conn, "SELECT count(*) FROM student WHERE birth_date IS NULL OR subgroup NOT IN (1, 2)") == 0
    assert one(conn, "SELECT count(DISTINCT (study_group_id, subgroup)) FROM student") == 2 * len(groups)


def test_names_agree_with_gender():
    """Surnames and patronymics take the gender's form: Соколов Иван Петрович, Соколова Анна Петровна."""
    rng = random.Random(1)
    for _ in range(500):
        family, father = rng.choice(names.SURNAMES), rng.choice(names.ADULT_MALE_NAMES)
        son = names.child(rng, True, family, father)
        daughter = names.child(rng, False, family, father)
        assert son.last_name == family and son.middle_name.endswith(("ич",))
        assert daughter.last_name == names.female_surname(family) and daughter.middle_name.endswith("на")
        assert son.first_name in names.YOUNG_MALE_NAMES and daughter.first_name in names.YOUNG_FEMALE_NAMES
    assert names.female_surname("Островский") == "Островская"
    assert names.female_surname("Шевченко") == "Шевченко"
    assert validation.translit("Соловьёва") == "soloveva"


def test_seeded_people_agree_with_gender(conn):
    female_forms = ("ова", "ева", "ёва", "ина", "ына", "ая")
    for table in ("student", "teacher", "guardian"):
        for last, first, middle in conn.execute(f"SELECT last_name, first_name, middle_name FROM {table}"):
            if middle.endswith("ич"):
                assert not last.endswith(female_forms), (last, first, middle)
                assert first not in names.YOUNG_FEMALE_NAMES + names.ADULT_FEMALE_NAMES
            else:
                assert middle.endswith("на"), (last, first, middle)
                assert not last.endswith(("ов", "ев", "ёв", "ин", "ын", "ий", "ой")), (last, first, middle)


def test_guardians_are_linked_and_reachable(conn):
    per_student = conn.execute(
        "SELECT s.id, count(sg.guardian_id) FROM student s LEFT JOIN student_guardian sg ON sg.student_id = s.id "
        "GROUP BY s.id"
    ).fetchall()
    assert all(1 <= n <= 2 for _, n in per_student)
    phones = [p for (p,) in conn.execute("SELECT phone FROM guardian")]
    assert all(re.fullmatch(r"\+7 9\d\d \d{3}-\d\d-\d\d", p) for p in phones)
    # several children share their guardians (many-to-many), the demo guardian among them
    assert one(
        conn,
        "SELECT count(*) FROM (SELECT guardian_id FROM student_guardian GROUP BY 1 HAVING count(*) > 1) x",
    )
    children = conn.execute(
        "SELECT s.user_id IS NOT NULL, g.name FROM guardian gd JOIN user_account u ON u.id = gd.user_id "
        "JOIN student_guardian sg ON sg.guardian_id = gd.id JOIN student s ON s.id = sg.student_id "
        "JOIN study_group g ON g.id = s.study_group_id WHERE u.login = 'guardian' ORDER BY 1 DESC"
    ).fetchall()
    assert len(children) == 2 and children[0][0] and children[0][1] != children[1][1]


def test_subjects_curricula_and_plans_cover_every_kind(conn):
    kinds = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM subject")}
    assert kinds == {"discipline", "mdk", "training_practice", "work_practice", "gia"}
    codes = [c for (c,) in conn.execute("SELECT code FROM subject")]
    for pattern in (r"ОП\.\d\d", r"ОГСЭ\.\d\d", r"ЕН\.\d\d", r"МДК\.\d\d\.\d\d", r"УП\.\d\d", r"ПП\.\d\d"):
        assert any(re.fullmatch(pattern, c) for c in codes), pattern
    assert (
        one(
            conn, "SELECT count(*) FROM subject WHERE kind NOT IN ('discipline', 'gia') AND module_id IS NULL"
        )
        == 0
    )
    assert one(conn, "SELECT count(*) FROM module WHERE code !~ '^ПМ\\.\\d\\d$'") == 0
    forms = {f for (f,) in conn.execute("SELECT DISTINCT attestation_form FROM curriculum_item")}
    assert forms == {"exam", "diff_credit", "credit", "qual_exam", "gia", "other"}
    # this semester, with the group's own semester number, a teacher and a КТП matching its hours;
    # the sheets of every half since the previous academic year began (no КТП, no lessons), every one
    # filled; and the final-year groups' ГИА in their last semester, still to come
    back = 2 if TODAY.month >= 9 else 3
    for semester, admission, planned, form in conn.execute(
        "SELECT DISTINCT c.semester, g.admission_year, EXISTS (SELECT 1 FROM plan_topic p WHERE p.curriculum_item_id = c.id), "
        "c.attestation_form FROM curriculum_item c JOIN study_group g ON g.id = c.study_group_id"
    ):
        now = program_semester(admission, TODAY)
        if planned:
            assert semester == now
        elif form == "gia":
            assert semester > now and semester % 2 == 0
        else:
            assert now - back <= semester < now
    assert (
        one(
            conn,
            "SELECT count(*) FROM curriculum_item c WHERE attestation_form NOT IN ('other', 'gia') AND NOT EXISTS "
            "(SELECT 1 FROM plan_topic p WHERE p.curriculum_item_id = c.id) AND NOT EXISTS "
            "(SELECT 1 FROM semester_mark m WHERE m.curriculum_item_id = c.id)",
        )
        == 0
    )
    assert one(conn, "SELECT count(*) FROM curriculum_item WHERE teacher_id IS NULL") == 0
    mismatched = one(
        conn,
        "SELECT count(*) FROM curriculum_item c WHERE planned_hours <> "
        "(SELECT sum(hours) FROM plan_topic p WHERE p.curriculum_item_id = c.id)",
    )
    assert mismatched == 0
    titles = [t for (t,) in conn.execute("SELECT title FROM plan_topic WHERE position <= 3 LIMIT 200")]
    assert all(re.search(r"[а-яё]", t) for t in titles)
    assert one(conn, "SELECT count(*) FROM plan_topic WHERE homework <> ''") > 0


def test_the_timetable_books_nobody_twice(conn):
    assert {d for (d,) in conn.execute("SELECT DISTINCT weekday FROM timetable_slot")} == {1, 2, 3, 4, 5, 6}
    assert one(conn, "SELECT count(*) FROM timetable_slot WHERE subgroup IN (1, 2)") > 0
    teacher_twice = one(
        conn,
        "SELECT count(*) FROM (SELECT 1 FROM timetable_slot GROUP BY teacher_id, weekday, pair_number "
        "HAVING count(*) > 1) x",
    )
    group_twice = one(
        conn,
        "SELECT count(*) FROM (SELECT 1 FROM timetable_slot GROUP BY study_group_id, weekday, pair_number "
        "HAVING count(*) FILTER (WHERE subgroup = 0) > 0 AND count(*) > 1 "
        "OR count(*) FILTER (WHERE subgroup = 1) > 1 OR count(*) FILTER (WHERE subgroup = 2) > 1) x",
    )
    assert teacher_twice == 0 and group_twice == 0
    semester = Semester.containing(TODAY)
    bounds = conn.execute("SELECT DISTINCT valid_from, valid_to FROM timetable_slot").fetchall()
    assert bounds == [(semester.start, semester.end)]


# --------------------------------------------------------------------------- accounts


def test_every_demo_account_logs_in_with_its_role(seeded):
    engine = db.make_engine(seeded.database_url)
    expected = {
        "officer": {Role.officer},
        "deputy": {Role.deputy},
        "director": {Role.director},
        "teacher": {Role.teacher, Role.curator},
        "curator": {Role.teacher, Role.curator},
        "student": {Role.student},
        "guardian": {Role.guardian},
    }
    try:
        with Session(engine) as session:
            for login, _, full_name in DEMO_ACCOUNTS:
                actor = authenticate(login, DEMO_PASSWORD, session=session)
                assert actor.roles == expected[login] and actor.full_name == full_name
                assert (actor.teacher_id is not None) == (login in ("teacher", "curator"))
            other = session.exec(
                select(UserAccount.login)
                .where(col(UserAccount.login).startswith("t."))
                .order_by(col(UserAccount.id))
            ).first()
            assert other and authenticate(other, DEMO_PASSWORD, session=session).teacher_id is not None
    finally:
        engine.dispose()


def test_demo_accounts_are_linked_to_their_people(conn):
    linked = dict(
        conn.execute(
            "SELECT u.login, coalesce(t.id, s.id, g.id) FROM user_account u "
            "LEFT JOIN teacher t ON t.user_id = u.id LEFT JOIN student s ON s.user_id = u.id "
            "LEFT JOIN guardian g ON g.user_id = u.id WHERE u.login IN ('teacher', 'curator', 'student', 'guardian')"
        ).fetchall()
    )
    assert all(linked.get(login) for login in ("teacher", "curator", "student", "guardian"))
    # the student is in the teacher's group; the curator curates another group and teaches there
    assert one(
        conn,
        "SELECT count(*) FROM student s JOIN user_account su ON su.id = s.user_id AND su.login = 'student' "
        "JOIN study_group g ON g.id = s.study_group_id JOIN teacher t ON t.id = g.curator_teacher_id "
        "JOIN user_account tu ON tu.id = t.user_id AND tu.login = 'teacher'",
    )
    assert one(
        conn,
        "SELECT count(*) FROM study_group g JOIN teacher t ON t.id = g.curator_teacher_id "
        "JOIN user_account u ON u.id = t.user_id AND u.login = 'curator' "
        "JOIN curriculum_item c ON c.study_group_id = g.id AND c.teacher_id = t.id",
    )
    # one password hash for everyone seeded: argon2 runs once
    assert one(conn, "SELECT count(DISTINCT password_hash) FROM user_account") == 1


def test_next_week_has_a_cancelled_a_moved_and_an_extra_pair(conn):
    kinds = {k for (k,) in conn.execute("SELECT kind FROM timetable_change")}
    assert kinds == {"cancel", "move", "extra"}
    # all of them the demo teacher's, on coming days, with a reason
    assert (
        one(
            conn,
            "SELECT count(*) FROM timetable_change c LEFT JOIN timetable_slot t ON t.id = c.timetable_slot_id "
            "JOIN teacher te ON te.id = coalesce(t.teacher_id, c.teacher_id) JOIN user_account u ON u.id = te.user_id "
            "WHERE u.login = 'teacher' AND c.lesson_date > %s AND c.reason <> ''",
            TODAY,
        )
        == 3
    )


def test_the_last_session_is_filled_as_a_college_fills_it(conn):
    """Issue 12: the previous semester's sheets: thousands of marks, a few «2», «н/а» and «не допущен»,
    most debts retaken after the session, some still open."""
    counts = dict(
        conn.execute(
            "SELECT value, count(*) FROM semester_mark WHERE kind = 'original' GROUP BY 1"
        ).fetchall()
    )
    assert sum(counts.values()) > 1000
    assert all(counts.get(v, 0) > 0 for v in ("5", "4", "3", "2", "зач", "н/а", "не допущен"))
    assert counts["2"] < 0.15 * sum(counts.values())
    retakes = one(conn, "SELECT count(*) FROM semester_mark WHERE kind = 'retake'")
    open_debts = one(
        conn,
        "SELECT count(*) FROM semester_mark m WHERE m.value IN ('2', 'незач', 'н/а', 'не допущен') "
        "AND NOT EXISTS (SELECT 1 FROM semester_mark r WHERE r.corrects_id = m.id)",
    )
    assert retakes > 0 and open_debts > 0
    # a retake comes after the session, with its commission and order
    assert (
        one(
            conn,
            "SELECT count(*) FROM semester_mark r JOIN semester_mark o ON o.id = r.corrects_id "
            "WHERE r.kind = 'retake' AND (r.taken_on <= o.taken_on OR r.commission IS NULL OR r.correction_reason IS NULL)",
        )
        == 0
    )


# --------------------------------------------------------------------------- history


def test_lessons_follow_the_timetable_every_school_day_up_to_today(conn):
    semester = Semester.containing(TODAY)
    expected = list(semester.school_days(until=TODAY))
    days = [d for (d,) in conn.execute("SELECT DISTINCT lesson_date FROM lesson ORDER BY 1")]
    assert days == expected
    assert date(2026, 11, 4) not in days and all(d.isoweekday() != 7 for d in days)
    # each day has exactly the lessons its weekday's slots promise
    off = one(
        conn,
        "SELECT count(*) FROM lesson l JOIN timetable_slot t ON t.id = l.timetable_slot_id "
        "WHERE t.weekday <> extract(isodow FROM l.lesson_date) OR t.pair_number <> l.pair_number "
        "OR t.study_group_id <> l.study_group_id OR t.subgroup <> l.subgroup",
    )
    assert off == 0
    per_day = dict(conn.execute("SELECT lesson_date, count(*) FROM lesson GROUP BY 1").fetchall())
    per_weekday = dict(conn.execute("SELECT weekday, count(*) FROM timetable_slot GROUP BY 1").fetchall())
    assert all(per_day[d] == per_weekday[d.isoweekday()] for d in expected)
    assert one(conn, "SELECT count(*) FROM lesson WHERE NOT EXISTS (SELECT 1 FROM curriculum_item c "
               "WHERE c.study_group_id = lesson.study_group_id AND c.subject_id = lesson.subject_id "
               "AND c.semester = lesson.semester)") == 0  # fmt: skip


def test_todays_lessons_are_left_empty(conn):
    row = conn.execute(
        "SELECT count(*), count(topic), count(work_done), count(homework), count(attendance_filled_at), "
        "count(topic_filled_at), count(plan_topic_id) FROM lesson WHERE lesson_date = %s",
        (TODAY,),
    ).fetchone()
    assert row is not None and row[0] > 20 and row[1:] == (0, 0, 0, 0, 0, 0)
    touched = one(
        conn,
        "SELECT count(*) FROM lesson l WHERE l.lesson_date = %s AND (EXISTS (SELECT 1 FROM mark m WHERE "
        "m.lesson_id = l.id) OR EXISTS (SELECT 1 FROM attendance a WHERE a.lesson_id = l.id))",
        TODAY,
    )
    assert touched == 0


def test_past_lessons_are_filled_on_the_day_from_the_ktp(conn):
    total, with_topic, from_plan, on_day = conn.execute(
        "SELECT count(*), count(topic), count(plan_topic_id), "
        "count(*) FILTER (WHERE topic_filled_at::date = lesson_date AND attendance_filled_at::date = lesson_date) "
        "FROM lesson WHERE lesson_date < %s",
        (TODAY,),
    ).fetchone() or (0, 0, 0, 0)
    assert total > 3000
    assert with_topic / total > 0.95 and from_plan == with_topic and on_day / total > 0.9
    # the КТП is followed in order: a stream's plan positions never go backwards
    backwards = one(
        conn,
        "SELECT count(*) FROM (SELECT p.position, lag(p.position) OVER (PARTITION BY l.study_group_id, "
        "l.subject_id, l.subgroup ORDER BY l.lesson_date, l.pair_number) AS previous FROM lesson l "
        "JOIN plan_topic p ON p.id = l.plan_topic_id) x WHERE position < previous",
    )
    assert backwards == 0
    # filled during or after the pair, never before it starts (Moscow time)
    early = one(conn, "SELECT count(*) FROM lesson WHERE topic_filled_at::time < time '08:30'")
    assert early == 0


def test_marks_and_attendance_are_realistic_and_lawful(conn):
    values = dict(conn.execute("SELECT value, count(*) FROM mark GROUP BY 1").fetchall())
    assert set(values) <= {"2", "3", "4", "5"}
    assert values["4"] > values["2"] and values["3"] > values["2"] > 0
    share = one(
        conn,
        "SELECT avg(marked::float / roster) FROM (SELECT l.id, (SELECT count(DISTINCT student_id) FROM mark m "
        "WHERE m.lesson_id = l.id) AS marked, (SELECT count(*) FROM student s WHERE s.study_group_id = "
        "l.study_group_id AND (l.subgroup = 0 OR student_subgroup(s.id, l.subject_id) = l.subgroup)) AS roster FROM lesson l "
        "WHERE l.lesson_date < %s) x",
        TODAY,
    )
    assert 0.2 <= share <= 0.36
    assert (
        one(
            conn,
            "SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id WHERE m.work_kind <> l.work_kind",
        )
        == 0
    )
    assert one(conn, "SELECT count(*) FROM mark WHERE comment = ''") == 0
    # nobody marked while absent; written work checked within the deadline, everything else on the day
    assert one(
        conn,
        "SELECT count(*) FROM mark m JOIN attendance a ON a.lesson_id = m.lesson_id AND a.student_id = m.student_id "
        "AND a.status IN ('absent', 'excused')",
    ) == 0  # fmt: skip
    assert one(
        conn,
        "SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id WHERE m.created_at::date > l.lesson_date "
        "AND (m.work_kind NOT IN ('written', 'independent', 'control', 'test') "
        "OR m.created_at::date > l.lesson_date + %s)",
        DEADLINE,
    ) == 0  # fmt: skip
    controls_later = one(
        conn,
        "SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id "
        "WHERE m.work_kind = 'control' AND m.created_at::date > l.lesson_date",
    )
    assert controls_later > 0
    assert one(conn, "SELECT count(*) FROM mark WHERE created_at >= %s::date", TODAY) == 0
    assert one(
        conn,
        "SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id JOIN teacher t ON "
        "t.id = coalesce(l.substitute_teacher_id, l.teacher_id) WHERE m.created_by_user_id <> t.user_id",
    ) == 0  # fmt: skip
    statuses = dict(
        conn.execute("SELECT status || ':' || reason, count(*) FROM attendance GROUP BY 1").fetchall()
    )
    assert set(statuses) == {"absent:", "late:", "excused:справка", "excused:приказ"}
    # students of a subgroup lesson only; on the roll that day only
    assert one(
        conn,
        "SELECT count(*) FROM attendance a JOIN lesson l ON l.id = a.lesson_id JOIN student s ON s.id = a.student_id "
        "WHERE s.study_group_id <> l.study_group_id OR (l.subgroup > 0 AND student_subgroup(s.id, l.subject_id) <> l.subgroup) "
        "OR s.enrolled_on > l.lesson_date OR s.left_on <= l.lesson_date",
    ) == 0  # fmt: skip
    assert one(conn, "SELECT count(*) FROM lesson WHERE substitute_teacher_id IS NOT NULL") > 0


def test_the_demo_teacher_has_something_to_do_every_day(conn):
    teacher = one(
        conn, "SELECT t.id FROM teacher t JOIN user_account u ON u.id = t.user_id WHERE u.login = 'teacher'"
    )
    weekdays = {
        d
        for (d,) in conn.execute(
            "SELECT DISTINCT weekday FROM timetable_slot WHERE teacher_id = %s", (teacher,)
        )
    }
    assert weekdays == {1, 2, 3, 4, 5, 6}
    assert (
        one(conn, "SELECT count(*) FROM lesson WHERE teacher_id = %s AND lesson_date = %s", teacher, TODAY)
        > 0
    )
    yesterday = TODAY - timedelta(days=1)
    gaps = conn.execute(
        "SELECT topic IS NOT NULL, homework IS NULL FROM lesson WHERE teacher_id = %s AND lesson_date = %s",
        (teacher, yesterday),
    ).fetchall()
    assert (True, True) in gaps
    # a control work from 2–5 days ago, partly marked, still inside the checking deadline
    control = conn.execute(
        "SELECT l.id, l.lesson_date, (SELECT count(*) FROM mark m WHERE m.lesson_id = l.id) FROM lesson l "
        "WHERE l.teacher_id = %s AND l.work_kind = 'control' AND l.lesson_date BETWEEN %s AND %s",
        (teacher, TODAY - timedelta(days=5), TODAY - timedelta(days=2)),
    ).fetchall()
    assert control
    lesson_id, _, marked = control[-1]
    present = one(
        conn,
        "SELECT count(*) FROM student s JOIN lesson l ON l.id = %s WHERE s.study_group_id = l.study_group_id "
        "AND (l.subgroup = 0 OR student_subgroup(s.id, l.subject_id) = l.subgroup) AND NOT EXISTS (SELECT 1 FROM attendance a WHERE "
        "a.lesson_id = l.id AND a.student_id = s.id AND a.status <> 'late')",
        lesson_id,
    )
    assert 0 < marked < present
    # and nothing of theirs is overdue: the demo teacher keeps the journal well
    overdue = one(
        conn,
        "SELECT count(*) FROM lesson l WHERE l.teacher_id = %s AND l.work_kind = 'control' AND l.lesson_date < %s "
        "AND NOT EXISTS (SELECT 1 FROM mark m WHERE m.lesson_id = l.id)",
        teacher,
        TODAY - timedelta(days=DEADLINE),
    )
    assert overdue == 0


def test_planted_defects_are_in_the_data(seeded, conn):
    planted = {t.defect: t.teacher_id for t in seeded.colleges[0].teachers}
    assert set(planted) == {"no_topic", "no_homework", "late", "unmarked_control"}

    def share(teacher: int, condition: str) -> float:
        return float(
            one(
                conn,
                f"SELECT avg(({condition})::int) FROM lesson WHERE teacher_id = %s AND lesson_date < %s "
                "AND substitute_teacher_id IS NULL",
                teacher,
                TODAY,
            )
        )

    assert share(planted["no_topic"], "topic IS NULL") > 0.2
    assert share(planted["no_homework"], "homework IS NULL") > 0.3
    assert share(planted["late"], "topic_filled_at::date > lesson_date") > 0.25
    unmarked = one(
        conn,
        "SELECT count(*) FROM lesson l WHERE l.teacher_id = %s AND l.work_kind = 'control' AND l.lesson_date < %s "
        "AND NOT EXISTS (SELECT 1 FROM mark m WHERE m.lesson_id = l.id)",
        planted["unmarked_control"],
        TODAY - timedelta(days=DEADLINE),
    )
    assert unmarked >= 1
    # the other teachers fill their journals on the day
    others = one(
        conn,
        "SELECT count(*) FROM lesson WHERE lesson_date < %s AND NOT (teacher_id = ANY(%s)) AND "
        "(topic IS NULL OR homework IS NULL OR topic_filled_at::date > lesson_date) AND NOT EXISTS "
        "(SELECT 1 FROM teacher t JOIN user_account u ON u.id = t.user_id WHERE t.id = lesson.teacher_id "
        "AND u.login = 'teacher')",
        TODAY,
        list(planted.values()),
    )
    assert others == 0

    lagging = seeded.colleges[0].lagging_groups
    assert len(lagging) == 2 and all(covered < 0.9 * held for _, _, covered, held in lagging)
    revisions = one(
        conn,
        "SELECT count(DISTINCT study_group_id) FROM lesson WHERE topic LIKE 'Повторение и закрепление%'",
    )
    assert revisions == 2

    absentees = seeded.colleges[0].absentees
    assert 5 <= len(absentees) <= 10
    for student in absentees:
        missed = one(
            conn,
            "SELECT coalesce(sum(l.hours), 0) FROM attendance a JOIN lesson l ON l.id = a.lesson_id "
            "WHERE a.student_id = %s AND a.status IN ('absent', 'excused')",
            student.student_id,
        )
        assert missed == student.missed_hours and missed > 0.3 * student.total_hours
    assert sum(1 for s in absentees if s.twos >= 5) >= 3


def test_control_and_test_works_are_marked_for_everyone_present(seeded, conn):
    """§4.2.1: every student who wrote a контрольная or тестовая работа gets one mark for it within the
    checking deadline; only the planted teacher leaves control works unmarked, and the demo teacher's
    own are still inside the deadline."""
    planted = next(t for t in seeded.colleges[0].teachers if t.defect == "unmarked_control")
    due = TODAY - timedelta(days=DEADLINE)  # lessons before this day are past the checking deadline
    present = (
        "FROM lesson l JOIN student s ON s.study_group_id = l.study_group_id "
        "AND (l.subgroup = 0 OR student_subgroup(s.id, l.subject_id) = l.subgroup) AND s.enrolled_on <= l.lesson_date "
        "AND (s.left_on IS NULL OR s.left_on > l.lesson_date) "
        "WHERE l.work_kind IN ('control', 'test') AND l.lesson_date < %s "
        "AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.lesson_id = l.id AND a.student_id = s.id "
        "AND a.status IN ('absent', 'excused'))"
    )
    lessons, students = conn.execute(
        f"SELECT count(DISTINCT l.id), count(*) {present} AND coalesce(l.substitute_teacher_id, l.teacher_id) <> %s",
        (due, planted.teacher_id),
    ).fetchone() or (0, 0)
    assert lessons > 100 and students > 2000
    unmarked = conn.execute(
        f"SELECT coalesce(l.substitute_teacher_id, l.teacher_id), count(DISTINCT l.id) {present} "
        "AND NOT EXISTS (SELECT 1 FROM mark m WHERE m.lesson_id = l.id AND m.student_id = s.id "
        "AND m.work_kind = l.work_kind) GROUP BY 1",
        (due,),
    ).fetchall()
    assert [teacher for teacher, _ in unmarked] == [planted.teacher_id]
    # exactly one mark each, for the work of the lesson, checked within the deadline
    twice = one(
        conn,
        "SELECT count(*) FROM (SELECT 1 FROM mark m JOIN lesson l ON l.id = m.lesson_id "
        "WHERE l.work_kind IN ('control', 'test') GROUP BY m.lesson_id, m.student_id HAVING count(*) > 1) x",
    )
    assert twice == 0
    # the demo teacher's recent control or test work is still being checked: partly marked
    partly = one(
        conn,
        "SELECT count(*) FROM lesson l JOIN teacher t ON t.id = coalesce(l.substitute_teacher_id, l.teacher_id) "
        "JOIN user_account u ON u.id = t.user_id AND u.login = 'teacher' WHERE l.work_kind IN ('control', 'test') "
        "AND l.lesson_date >= %s AND l.lesson_date < %s AND EXISTS (SELECT 1 FROM mark m WHERE m.lesson_id = l.id) "
        "AND EXISTS (SELECT 1 FROM student s WHERE s.study_group_id = l.study_group_id "
        "AND (l.subgroup = 0 OR student_subgroup(s.id, l.subject_id) = l.subgroup) AND s.enrolled_on <= l.lesson_date "
        "AND (s.left_on IS NULL OR s.left_on > l.lesson_date) "
        "AND NOT EXISTS (SELECT 1 FROM mark m WHERE m.lesson_id = l.id AND m.student_id = s.id) "
        "AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.lesson_id = l.id AND a.student_id = s.id "
        "AND a.status IN ('absent', 'excused')))",
        due,
        TODAY,
    )
    assert partly >= 1
    # the other written work stays selectively marked
    selective = one(
        conn,
        "SELECT avg(marked::float / roster) FROM (SELECT (SELECT count(DISTINCT student_id) FROM mark m "
        "WHERE m.lesson_id = l.id) AS marked, (SELECT count(*) FROM student s WHERE s.study_group_id = "
        "l.study_group_id AND (l.subgroup = 0 OR student_subgroup(s.id, l.subject_id) = l.subgroup)) AS roster FROM lesson l "
        "WHERE l.work_kind IN ('written', 'independent') AND l.lesson_date < %s) x",
        due,
    )
    assert 0.2 < selective < 0.6


def test_the_analysis_blames_only_the_planted_teacher_for_unmarked_written_work(
    seeded, tmp_path, monkeypatch
):
    """The ETL over the seeded journal, as of the seed's «today»: overdue written_unmarked remarks name only
    the teacher planted to leave control works unchecked; the demo teacher's is still open."""
    from app.settings import Settings
    from etl import load
    from etl.load import run_etl
    from etl.warehouse import WarehouseReader

    class OnSeedDay(load.Source):  # the analysis runs on the seed's «today», whatever the real date
        def __init__(self, url: str, timezone: str) -> None:
            super().__init__(url, timezone)
            self.today = TODAY

    monkeypatch.setattr(load, "Source", OnSeedDay)
    settings = Settings(data_dir=tmp_path, database_url=seeded.database_url)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    try:
        assert reader.published().as_of_date == str(TODAY)
        remarks = reader.query(
            "SELECT remark_state, teacher_id, count(*) AS remarks FROM mart_remark "
            "WHERE remark_kind = 'written_unmarked' GROUP BY ALL ORDER BY ALL"
        )
    finally:
        reader.close()
    planted = next(t for t in seeded.colleges[0].teachers if t.defect == "unmarked_control")
    overdue = remarks.filter(remark_state="overdue")
    assert overdue["teacher_id"].to_list() == [planted.teacher_id] and overdue["remarks"][0] >= 1
    with psycopg.connect(seeded.database_url) as c:
        demo = one(
            c, "SELECT t.id FROM teacher t JOIN user_account u ON u.id = t.user_id WHERE u.login = 'teacher'"
        )
    assert demo in remarks.filter(remark_state="open")["teacher_id"].to_list()


def test_marks_stay_append_only_after_seeding(conn):
    with pytest.raises(psycopg.errors.RaiseException):
        conn.execute("UPDATE mark SET value = value WHERE id = (SELECT min(id) FROM mark)")
    conn.rollback()
    with pytest.raises(psycopg.errors.RaiseException):
        conn.execute("DELETE FROM mark")
    conn.rollback()
    assert one(conn, "SELECT count(*) FROM mark") > 0


def test_sequences_continue_after_the_seeded_ids(conn):
    for table in ("lesson", "mark", "attendance", "student", "user_account", "plan_topic"):
        top = one(conn, f"SELECT max(id) FROM {table}")
        assert one(conn, f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))") == top + 1


# --------------------------------------------------------------------------- determinism and the spring


def test_the_same_seed_and_today_give_the_same_rows(seeded, server_url):
    name = unique_db_name("ejournal_seedtest2")
    again = _seed_into(server_url, name)
    try:
        assert again.counts == seeded.counts
        assert checksums(again.database_url) == checksums(seeded.database_url)
        assert again.report.split("\n", 1)[1] == seeded.report.split("\n", 1)[1]  # all but the timing line
    finally:
        db.drop_database(server_url, name)


def test_a_spring_today_seeds_the_second_semester_without_a_database():
    today = date(2027, 3, 10)
    ids = Ids()
    rng = random.Random(3)
    college = build_college(0, rng, ids, today, TZ, "hash")
    history = build_history(college, ids, rng, today, TZ, DEADLINE)
    lessons = college.tables["lesson"]
    days = sorted({row[9] for row in lessons})
    assert days[0] == date(2027, 2, 1) and days[-1] == today
    assert date(2027, 2, 23) not in days and date(2027, 3, 8) not in days
    assert all(is_school_day(d) for d in days)
    assert {row[5] % 2 for row in lessons} == {0}  # even semesters
    assert Counter(g.course for g in college.groups)[1] == 5 and history.today_lessons > 0


def test_the_previous_year_is_seeded_whole_with_year_marks_and_closed_halves(conn):
    """Issue 12: both halves of 2025/2026 have filled sheets (in the thousands), retakes and open
    debts; the first course's spring items carry year marks; the deputy closed both halves; the
    final-year groups have their ГИА sheet for June."""
    halves = {
        (year, half): n
        for year, half, n in conn.execute(
            "SELECT g.admission_year + (c.semester - 1) / 2, 2 - c.semester % 2, count(*) FROM semester_mark m "
            "JOIN curriculum_item c ON c.id = m.curriculum_item_id JOIN study_group g ON g.id = c.study_group_id "
            "GROUP BY 1, 2"
        )
    }
    assert set(halves) == {(2025, 1), (2025, 2)} and min(halves.values()) > 500
    assert one(conn, "SELECT count(*) FROM semester_mark") >= 1000
    assert one(conn, "SELECT count(*) FROM semester_mark WHERE kind = 'retake'") > 50
    open_debts = one(
        conn,
        "SELECT count(*) FROM semester_mark m WHERE m.value IN ('2', 'незач', 'н/а', 'не допущен') "
        "AND NOT EXISTS (SELECT 1 FROM semester_mark r WHERE r.corrects_id = m.id)",
    )
    assert open_debts > 20
    closes = list(
        conn.execute("SELECT academic_year, half, retakes_until FROM attestation_close ORDER BY 1, 2")
    )
    assert [(y, h) for y, h, _ in closes] == [(2025, 1), (2025, 2)]
    assert closes[0][2] < TODAY < closes[1][2]  # the spring's retakes are still open
    # year marks only where the curriculum asks for one: the spring items of a first-year course
    assert one(conn, "SELECT count(*) FROM year_mark") > 100
    assert (
        one(
            conn,
            "SELECT count(*) FROM year_mark y JOIN curriculum_item c ON c.id = y.curriculum_item_id "
            "WHERE NOT c.year_mark OR c.semester <> 2",
        )
        == 0
    )
    gia = list(conn.execute("SELECT c.semester, s.kind FROM curriculum_item c JOIN subject s ON s.id = c.subject_id "
                            "WHERE c.attestation_form = 'gia'"))  # fmt: skip
    assert gia and all(kind == "gia" for _, kind in gia)


def test_one_subject_is_split_into_subgroups_differently_from_the_group_list(seeded, conn):
    moved = list(
        conn.execute(
            "SELECT g.student_id, g.subject_id, g.subgroup, s.subgroup FROM subject_subgroup g "
            "JOIN student s ON s.id = g.student_id"
        )
    )
    assert len(moved) >= 5 and all(sub != own for _, _, sub, own in moved)
    assert len({subject for _, subject, _, _ in moved}) == 1
    demo_student = one(
        conn, "SELECT s.id FROM student s JOIN user_account u ON u.id = s.user_id WHERE u.login = 'student'"
    )
    assert demo_student in {sid for sid, _, _, _ in moved}
    # the subject runs for each subgroup apart, and its lessons list exactly its own subgroup
    subject = moved[0][1]
    assert (
        one(
            conn,
            "SELECT count(DISTINCT subgroup) FROM timetable_slot WHERE subject_id = %s AND subgroup > 0",
            subject,
        )
        == 2
    )
    wrong = one(
        conn,
        "SELECT count(*) FROM attendance a JOIN lesson l ON l.id = a.lesson_id "
        "WHERE l.subject_id = %s AND l.subgroup > 0 AND student_subgroup(a.student_id, l.subject_id) <> l.subgroup",
        subject,
    )
    assert wrong == 0
    held = one(conn, "SELECT count(*) FROM lesson WHERE subject_id = %s AND subgroup > 0", subject)
    assert held > 0
