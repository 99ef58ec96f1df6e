"""Progress marts on factory data: period marks, the glossary's metrics, debts, control works, risk."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from app.calendar import program_semester
from app.domain import AttestationForm
from app.models import CurriculumItem, Mark, SemesterMark, Student, StudyGroup
from tests.etl import test_attendance_marts
from tests.etl.test_attendance_marts import attend, previous_month_day

build = test_attendance_marts.build  # the fixture: builds the warehouse from this test's college


def add_mark(world, lesson_id, student_id, value="4", kind="oral", corrects=None, reason=None) -> int:
    with Session(world.engine) as s:
        mark = Mark(
            college_id=world.college_id,
            lesson_id=lesson_id,
            student_id=student_id,
            value=value,
            work_kind=kind,
            created_by_user_id=world.users["teacher"],
            corrects_mark_id=corrects,
            correction_reason=reason,
        )
        s.add(mark)
        s.commit()
        assert mark.id is not None
        return mark.id


def marks_on_lessons(
    world, student_id: int, values: list[str], days_ago: int = 0, **lesson: object
) -> list[int]:
    """One lesson per mark (all on one day, `lesson` fields for each), the student marked on each."""
    lessons = [world.lesson(days_ago, **lesson) for _ in values]  # type: ignore[arg-type]
    for lid, value in zip(lessons, values, strict=True):
        add_mark(world, lid, student_id, value)
    return lessons


def curriculum_item_id(
    world, subject_id: int, semester: int | None = None, group_id: int | None = None
) -> int:
    with Session(world.engine) as s:
        item = s.exec(
            select(CurriculumItem).where(
                CurriculumItem.study_group_id == (group_id or world.group_id),
                CurriculumItem.subject_id == subject_id,
                CurriculumItem.semester == (semester or world.semester),
            )
        ).one()
        assert item.id is not None
        return item.id


def semester_mark(world, item_id: int, student_id: int, value: str, corrects: int | None = None) -> int:
    with Session(world.engine) as s:
        mark = SemesterMark(
            college_id=world.college_id,
            curriculum_item_id=item_id,
            student_id=student_id,
            value=value,
            created_by_user_id=world.users["teacher"],
            corrects_id=corrects,
            correction_reason="пересдача" if corrects else None,
        )
        s.add(mark)
        s.commit()
        assert mark.id is not None
        return mark.id


def leave(world, student_id: int, on: date) -> None:
    with Session(world.engine) as s:
        student = s.get(Student, student_id)
        assert student is not None
        student.left_on = on
        s.add(student)
        s.commit()


def semester_start(day: date) -> date:
    if day.month >= 9:
        return date(day.year, 9, 1)
    if day.month == 1:
        return date(day.year - 1, 9, 1)
    return date(day.year, 2, 1)


def test_glossary_metrics_for_marks_5_4_2(world, build):
    """Three students assessed 5, 4, 2; one without marks; one who left before the month ended."""
    day = previous_month_day(world, 10)
    month = (world.today - timedelta(days=day)).replace(day=1)
    s0, s1, s2, _s3, s4 = world.student_ids
    marks_on_lessons(world, s0, ["5", "5"], day)
    marks_on_lessons(world, s1, ["4", "4"], day + 1)
    # a 2 corrected to 5: the corrected value counts (4, 4, 5 → 4.33 → 4; the original would give 3)
    corrected = world.lesson(day + 1)
    original = add_mark(world, corrected, s1, "2")
    add_mark(world, corrected, s1, "5", corrects=original, reason="ошибка ввода")
    wh_day = day + 2
    marks_on_lessons(world, s2, ["2", "2"], wh_day)
    marks_on_lessons(world, s4, ["5"], wh_day)
    leave(world, s4, world.today - timedelta(days=day))  # left before the month's end
    wh = build()
    student = wh.query(
        "SELECT student_id, avg_mark, period_mark, result_mark, is_counted FROM mart_progress_student "
        "WHERE group_id = ? AND subject_id = ? AND period_kind = 'month' AND period_start = ? ORDER BY student_id",
        [world.group_id, world.subject_id, month],
    )
    rows = {r[0]: r[1:] for r in student.iter_rows()}
    assert rows[s0] == (5.0, "5", "5", True)
    assert rows[s1] == (4.33, "4", "4", True)
    assert rows[s2] == (2.0, "2", "2", True)
    assert rows[s4][3] is False  # left: not in N
    group = wh.query(
        "SELECT n_assessed, n5, n4, n3, n2, n_na, n_unassessed, avg_mark, abs_progress_pct, quality_pct, sou_pct "
        "FROM mart_progress_group_subject WHERE group_id = ? AND subject_id = ? AND period_kind = 'month' "
        "AND period_start = ?",
        [world.group_id, world.subject_id, month],
    ).row(0, named=True)
    # marks of the students in N: 5+5 + 4+4+5 + 2+2 = 27 over 7 → 3.86 (with the leaver's 5: 4.0)
    assert group == {
        "n_assessed": 3,
        "n5": 1,
        "n4": 1,
        "n3": 0,
        "n2": 1,
        "n_na": 0,
        "n_unassessed": 1,
        "avg_mark": 3.86,
        "abs_progress_pct": 66.7,
        "quality_pct": 66.7,
        "sou_pct": 60.0,  # (100 + 64 + 16) / 3
    }


def test_period_mark_rounds_half_up_and_credit_rule(world, build):
    s0, s1, s2, s3, s4 = world.student_ids
    for values in (("4", "3", "2"), ("5", "4", "3")):  # two lessons, three students marked on each
        lid = world.lesson(0)
        for student, value in zip((s0, s1, s2), values, strict=True):
            add_mark(world, lid, student, value)
    # s0 4, 5 → 4.5 → 5; s1 3, 4 → 3.5 → 4; s2 2, 3 → 2.5 → 3 (half up, not to even)
    credit = [world.lesson(0, subject_id=world.credit_subject_id) for _ in range(3)]
    for student, values in ((s3, ["зач", "незач", "незач"]), (s4, ["незач", "зач"])):
        for lid, value in zip(credit, values, strict=False):
            add_mark(world, lid, student, value, kind="credit")
    frame = build().query(
        "SELECT student_id, subject_id, period_mark FROM mart_progress_student "
        "WHERE group_id = ? AND period_kind = 'semester' AND period_mark IS NOT NULL",
        [world.group_id],
    )
    got = {(r[0], r[1]): r[2] for r in frame.iter_rows()}
    assert got == {
        (s0, world.subject_id): "5",
        (s1, world.subject_id): "4",
        (s2, world.subject_id): "3",
        (s3, world.credit_subject_id): "незач",  # more «незач» than «зач»
        (s4, world.credit_subject_id): "зач",  # a tie is not dominated by «незач»
    }


def test_semester_mark_overrides_period_mark_and_na_stays_in_n(world, build):
    s0, s1, s2, _s3, _s4 = world.student_ids
    marks_on_lessons(world, s0, ["5", "5"])
    marks_on_lessons(world, s1, ["4"])
    marks_on_lessons(world, s2, ["3"])
    item = curriculum_item_id(world, world.subject_id)
    first = semester_mark(world, item, s0, "3")
    semester_mark(world, item, s0, "4", corrects=first)  # the latest correction counts
    semester_mark(world, item, s1, "н/а")
    wh = build()
    start = semester_start(world.today)
    rows = wh.query(
        "SELECT student_id, period_mark, semester_mark, result_mark, result_source, semester "
        "FROM mart_progress_student WHERE group_id = ? AND subject_id = ? AND period_kind = 'semester' "
        "AND period_start = ? AND result_mark IS NOT NULL ORDER BY student_id",
        [world.group_id, world.subject_id, start],
    ).rows()
    assert rows == [
        (s0, "5", "4", "4", "semester", world.semester),
        (s1, "4", "н/а", "н/а", "semester", world.semester),
        (s2, "3", None, "3", "current", world.semester),
    ]
    group = wh.query(
        "SELECT n_assessed, n4, n3, n_na, abs_progress_pct, quality_pct, sou_pct FROM mart_progress_group_subject "
        "WHERE group_id = ? AND subject_id = ? AND period_kind = 'semester' AND period_start = ?",
        [world.group_id, world.subject_id, start],
    ).row(0)
    # N = 3 (4, н/а, 3): абсолютная 2/3, качество 1/3, СОУ (64 + 36 + 7) / 3 = 35.67
    assert group == (3, 1, 1, 1, 66.7, 33.3, 35.7)


def test_group_counts_students_by_their_worst_result(world, build):
    s0, s1, s2, s3, _s4 = world.student_ids
    credit = {"subject_id": world.credit_subject_id}
    marks_on_lessons(world, s0, ["5"])
    marks_on_lessons(world, s0, ["4"], **credit)  # 5 and 4 → качественный, n4
    marks_on_lessons(world, s1, ["5"])
    lid = world.lesson(0, **credit)
    add_mark(world, lid, s1, "зач", kind="credit")  # 5 and «зач» → n5
    marks_on_lessons(world, s2, ["3"])
    marks_on_lessons(world, s2, ["2"], **credit)  # has a 2 → n2, not успевающий
    marks_on_lessons(world, s3, ["4"])  # n4
    wh = build()
    start = semester_start(world.today)
    row = wh.query(
        "SELECT students_enrolled, n_assessed, n5, n4, n3, n2, n_na, abs_progress_pct, quality_pct, sou_pct "
        "FROM mart_progress_group WHERE group_id = ? AND period_kind = 'semester' AND period_start = ?",
        [world.group_id, start],
    ).row(0)
    # N = 4: успевающие 3 (75 %), качественные 3 (75 %), СОУ (100 + 2·64 + 16) / 4 = 61
    assert row == (5, 4, 1, 2, 0, 1, 0, 75.0, 75.0, 61.0)
    college = wh.query(
        "SELECT n_assessed, abs_progress_pct, quality_pct, sou_pct FROM mart_progress_college "
        "WHERE college_id = ? AND period_kind = 'semester' AND period_start = ?",
        [world.college_id, start],
    ).row(0)
    assert college == (4, 75.0, 75.0, 61.0)
    year = wh.query(
        "SELECT n_assessed FROM mart_progress_group WHERE group_id = ? AND period_kind = 'year'",
        [world.group_id],
    ).item()
    assert year == 4


def test_teacher_metrics_follow_the_main_conducting_teacher(world, build):
    s0, s1, s2, *_ = world.student_ids
    marks_on_lessons(world, s0, ["5"])
    marks_on_lessons(world, s1, ["3"])
    # a colleague substituted one lesson: the set stays the main teacher's, the colleague is listed
    lid = world.lesson(0, substitute_teacher_id=world.other_teacher_id)
    add_mark(world, lid, s2, "2")
    wh = build()
    start = semester_start(world.today)
    teacher, teachers = wh.query(
        "SELECT teacher_id, teacher_ids FROM mart_progress_group_subject WHERE group_id = ? AND subject_id = ? "
        "AND period_kind = 'semester' AND period_start = ?",
        [world.group_id, world.subject_id, start],
    ).row(0)
    assert teacher == world.teacher_id
    assert sorted(teachers) == sorted([world.teacher_id, world.other_teacher_id])
    rows = wh.query(
        "SELECT teacher_id, n_assessed, abs_progress_pct, quality_pct, sou_pct FROM mart_progress_teacher "
        "WHERE college_id = ? AND period_kind = 'semester' AND period_start = ?",
        [world.college_id, start],
    ).rows()
    # results 5, 3, 2: абсолютная 2/3, качество 1/3, СОУ (100 + 36 + 16) / 3 = 50.67
    assert rows == [(world.teacher_id, 3, 66.7, 33.3, 50.7)]


def second_year_group(world) -> tuple[int, list[int], int]:
    """A group admitted a year earlier, its students, and its previous (closed) programme semester."""
    admission = world.today.year - 1 if world.today.month >= 9 else world.today.year - 2
    with Session(world.engine) as s:
        group = StudyGroup(
            college_id=world.college_id,
            speciality_id=world.speciality_id,
            name="ИСП-21",
            admission_year=admission,
        )
        s.add(group)
        s.flush()
        assert group.id is not None
        semester = program_semester(admission, world.today) - 1
        ended = semester_start(world.today) - timedelta(days=1)
        ids = []
        for i, (enrolled, left) in enumerate(
            [
                (ended - timedelta(days=300), None),  # marked 4: no debt
                (ended - timedelta(days=300), None),  # no mark after the semester closed: a debt
                (ended + timedelta(days=1), None),  # joined after the semester: not expected
                (ended - timedelta(days=300), ended),  # left on its last day: not expected
            ]
        ):
            st = Student(
                college_id=world.college_id,
                study_group_id=group.id,
                last_name=f"Второкурсник{i}",
                first_name="Иван",
                enrolled_on=enrolled,
                left_on=left,
            )
            s.add(st)
            s.flush()
            assert st.id is not None
            ids.append(st.id)
        item = CurriculumItem(
            college_id=world.college_id,
            study_group_id=group.id,
            subject_id=world.subject_id,
            semester=semester,
            planned_hours=72,
            attestation_form=AttestationForm.exam,
            teacher_id=world.teacher_id,
        )
        s.add(item)
        s.commit()
        assert item.id is not None
        return item.id, ids, group.id


def test_academic_debts(world, build):
    past_item, (passed, missing, _joined, _left), _group = second_year_group(world)
    semester_mark(world, past_item, passed, "4")
    s0, s1, s2, _s3, _s4 = world.student_ids
    current = curriculum_item_id(world, world.subject_id)
    credit = curriculum_item_id(world, world.credit_subject_id)
    semester_mark(world, current, s0, "2")
    fixed = semester_mark(world, current, s1, "2")
    semester_mark(world, current, s1, "3", corrects=fixed)  # пересдача: no longer a debt
    semester_mark(world, credit, s2, "незач")
    wh = build()
    rows = wh.query(
        "SELECT curriculum_item_id, student_id, semester_mark, is_closed, debt_kind, is_debt "
        "FROM mart_academic_debt WHERE college_id = ? ORDER BY curriculum_item_id, student_id",
        [world.college_id],
    ).rows()
    past = [r for r in rows if r[0] == past_item]
    assert past == [
        (past_item, passed, "4", True, None, False),
        (past_item, missing, None, True, "missing", True),
    ]
    debts = {(r[0], r[1]): r[4] for r in rows if r[5]}
    assert debts == {(past_item, missing): "missing", (current, s0): "mark_2", (credit, s2): "nezach"}
    # the current semester is open: students without a mark there owe nothing yet
    assert all(not r[3] for r in rows if r[0] in (current, credit))


def test_control_work_results(world, build):
    lid = world.lesson(
        2, work_kind="control", topic="Контрольная работа №1", work_done="Контрольная работа №1"
    )
    s0, s1, s2, s3, s4 = world.student_ids
    attend(world, lid, s0, "absent")
    add_mark(world, lid, s1, "5", kind="control")
    add_mark(world, lid, s2, "4", kind="control")
    add_mark(world, lid, s3, "2", kind="control")
    add_mark(world, lid, s4, "5", kind="oral")  # another kind of work: not a control-work result
    row = (
        build()
        .query(
            "SELECT students_expected, students_absent, students_written, marked, unmarked, n5, n4, n3, n2, "
            "avg_mark, abs_progress_pct, quality_pct, teacher_name FROM mart_control_work WHERE lesson_id = ?",
            [lid],
        )
        .row(0)
    )
    # 5 expected, 1 absent, 4 wrote, 3 marked (5, 4, 2), 1 still unmarked: 11/3, 2/3, 2/3
    assert row == (5, 1, 4, 3, 1, 1, 1, 0, 1, 3.67, 66.7, 66.7, "Соколова Елена Викторовна")


def test_at_risk_students_and_reasons(world, build):
    s0, s1, s2, s3, _s4 = world.student_ids
    lessons = marks_on_lessons(world, s0, ["2", "2", "3", "2"])  # three 2s, average 2.25 → 2
    add_mark(world, lessons[0], s2, "5")
    for lid in lessons:
        attend(world, lid, s1, "absent")  # s1 missed every lesson of the month so far: 8 of 8 hours
    semester_mark(world, curriculum_item_id(world, world.credit_subject_id), s3, "н/а")
    frame = build().query(
        "SELECT student_id, twos, failing_subjects, debts, hours_unexcused_month, is_systematic, is_at_risk, "
        "risk_reasons FROM mart_at_risk WHERE group_id = ? ORDER BY student_id",
        [world.group_id],
    )
    rows = {r[0]: r[1:] for r in frame.iter_rows()}
    assert rows[s0][:6] == (3, 1, 0, 0, False, True)
    assert rows[s0][6] == "текущая отметка «2» за семестр: Операционные системы"
    assert rows[s1][3:6] == (8, True, True)
    assert rows[s1][6].startswith("систематические пропуски: ")
    assert rows[s2][5:] == (False, "")
    assert rows[s3][2] == 1 and rows[s3][5] and "академических задолженностей: 1" in rows[s3][6]


def test_a_half_the_deputy_closed_counts_its_missing_marks_as_debts(world, build):
    """Issue 12: the debt mart counted from a fixed date; now from the deputy's close (or the end of
    the college's session)."""
    from app import calendar
    from app.services import attestation
    from tests.services.test_attestation import open_session

    current = curriculum_item_id(world, world.subject_id)
    s0 = world.student_ids[0]
    semester_mark(world, current, s0, "4")

    def missing() -> set[int]:
        rows = (
            build()
            .query(
                "SELECT student_id FROM mart_academic_debt WHERE curriculum_item_id = ? AND debt_kind = 'missing'",
                [current],
            )
            .rows()
        )
        return {r[0] for r in rows}

    open_session(world)  # the session runs from a few days ago to the coming days
    assert missing() == set()  # open, and its session not over
    with Session(world.engine) as s:
        attestation.close_half(world.actor("deputy"), calendar.Half.containing(world.today), session=s)
    assert missing() == set(world.student_ids[1:])
