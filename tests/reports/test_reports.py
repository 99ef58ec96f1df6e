"""Weekly analysis, monthly report, group/college/curator reports and the guardian letter as PDFs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.analytics.common import period_bounds
from app.models import Guardian, StudentGuardian
from app.reports.common import ReportError
from app.reports.guardian_letter import guardian_letter_pdf, salutation
from app.reports.journal_keeping import monthly_report_pdf, weekly_analysis_pdf
from app.reports.progress_reports import college_report_pdf, curator_report_pdf, group_report_pdf
from tests.etl.helpers import filled_on
from tests.reports.conftest import HASH_RE, add_absence, add_mark, pages_text, pdf_text


@pytest.fixture
def week(world):
    """Last week: one lesson filled on the day, one left empty (four remarks), a corrected mark."""
    monday = world.today - timedelta(days=world.today.weekday() + 7)
    ago = (world.today - monday).days
    filled = world.lesson(ago, **filled_on(world, ago))
    world.lesson(ago - 1)
    wrong = add_mark(world, filled, world.student_ids[0], "2")
    add_mark(world, filled, world.student_ids[0], "5", corrects=wrong, reason="Опечатка")
    return monday


def test_weekly_analysis_lists_teachers_and_remarks(world, week, warehouse):
    reader = warehouse()
    pdf = weekly_analysis_pdf(reader, world.college_id, week, signer="Захаров Антон Ильич")
    text = pdf_text(pdf)
    assert "Анализ работы с классными журналами" in text
    assert f"за неделю {week:%d.%m.%Y} — {week + timedelta(days=6):%d.%m.%Y}" in text
    assert "Соколова Елена Викторовна" in text
    for remark in ("Не указана тема занятия", "Не указано домашнее задание", "Не отмечена посещаемость"):
        assert remark in text
    assert "Итого по колледжу" in text and "50,0" in text  # one of two lessons complete on the day
    assert "Ответственный за электронный журнал" in text and "Захаров Антон Ильич" in text
    assert "стр. 1 из" in text and HASH_RE.search(text)


def test_monthly_report_rolls_up_teachers_with_corrections(world, week, warehouse):
    reader = warehouse()
    month_start, _ = period_bounds("month", week)
    text = pdf_text(monthly_report_pdf(reader, world.college_id, month_start))
    assert "Отчёт о работе педагогических работников с электронными журналами успеваемости" in text
    assert "Соколова Елена Викторовна" in text
    assert "Исправления отметок" in text
    assert "Опечатка" in text and "2 → 5" in text  # the correction of a lesson of that month
    assert "Заместитель директора по УР" in text


@pytest.fixture
def term(world):
    """A few weeks of lessons with marks, absences and a контрольная работа; Соколова curates ИСП-11."""
    world.make_curator("teacher")
    lessons = [world.lesson(d, **filled_on(world, d)) for d in (20, 13, 6)]
    control = world.lesson(5, **filled_on(world, 5, work_kind="control"))
    for lesson, value in zip(lessons, ("5", "4", "5"), strict=True):
        add_mark(world, lesson, world.student_ids[0], value)
        add_mark(world, lesson, world.student_ids[1], "2")
    for student, value in zip(world.student_ids[:4], ("5", "4", "3", "2"), strict=True):
        add_mark(world, control, student, value, kind="control")
    add_absence(world, lessons[0], world.student_ids[2], "absent")
    add_absence(world, lessons[1], world.student_ids[2], "excused")
    add_absence(world, control, world.student_ids[4], "absent")
    return lessons


def test_group_report_prints_metrics_beside_definitions(world, term, warehouse):
    reader = warehouse()
    text = pdf_text(
        group_report_pdf(
            reader, world.college_id, world.group_id, "semester", world.today, signer="Морозова И. П."
        )
    )
    assert "Отчёт об успеваемости и посещаемости группы ИСП-11" in text
    for label in ("Абсолютная успеваемость", "Качество знаний", "СОУ", "Оценено студентов (N)"):
        assert label in text
    assert "(n5 + n4 + n3) / N × 100" in text and "Симонов" in text
    assert "Операционные системы" in text and "Контрольные работы" in text
    assert "Абрамов Илья Сергеевич" in text and "Волков Денис Андреевич" in text
    assert "Морозова И. П." in text


def test_curator_report_has_the_summary_sheet(world, term, warehouse):
    reader = warehouse()
    text = pdf_text(curator_report_pdf(reader, world.college_id, world.group_id, world.today))
    assert "Отчёт куратора группы ИСП-11" in text
    assert "Сводная ведомость успеваемости и посещаемости" in text
    assert "ОП.01 — Операционные системы" in text
    assert "Куратор группы ИСП-11" in text and "Соколова Елена Викторовна" in text


def test_college_report_for_the_year(world, term, warehouse):
    reader = warehouse()
    pages = pages_text(college_report_pdf(reader, world.college_id, "year", world.today))
    text = "\n".join(pages)
    assert "Отчёт об успеваемости, посещаемости и контрольных работах" in text
    assert "учебный год" in text and "ИСП-11" in text
    assert "Контрольные работы по группам" in text and "по отметкам за каждую работу" in text
    assert f"стр. 1 из {len(pages)}" in pages[0]


def test_guardian_letter_is_polite_and_complete(world, term):
    with Session(world.engine) as s:
        guardian_id = s.exec(
            select(StudentGuardian.guardian_id).where(StudentGuardian.student_id == world.student_ids[0])
        ).one()
    start = world.today - timedelta(days=30)
    text = pdf_text(guardian_letter_pdf(world.student_ids[0], start, world.today, guardian_id=guardian_id))
    assert "ИНФОРМАЦИОННОЕ ПИСЬМО" in text and "Уважаемая Ольга Ивановна!" in text
    assert "Абрамов Илья Сергеевич" in text and "ИСП-11" in text
    assert f"с {start:%d.%m.%Y} по {world.today:%d.%m.%Y}" in text
    assert "Операционные системы" in text and "5 4 5 5" in text  # ongoing marks in date order
    assert "Куратор группы ИСП-11" in text and "Соколова Елена Викторовна" in text
    assert "Неудовлетворительных результатов" in text  # no 2s, no unexcused absence
    assert "С уважением" in text and "Тестовый техникум" in text


def test_guardian_letter_names_failing_subjects_and_unexcused_hours(world, term):
    text = pdf_text(guardian_letter_pdf(world.student_ids[1], world.today - timedelta(days=60), world.today))
    assert "Уважаемые родители (законные представители)!" in text  # no guardian on file
    assert "средний балл ниже «3»" in text and "Операционные системы" in text
    absent = pdf_text(
        guardian_letter_pdf(world.student_ids[2], world.today - timedelta(days=60), world.today)
    )
    assert "без уважительной причины (2 ч.)" in absent


def test_guardian_letter_refuses_a_stranger_and_a_reversed_period(world):
    with Session(world.engine) as s:
        stranger = Guardian(
            college_id=world.college_id, last_name="Чужой", first_name="Пётр", middle_name="Ильич"
        )
        s.add(stranger)
        s.commit()
        stranger_id = stranger.id
    with pytest.raises(ReportError, match="не связан"):
        guardian_letter_pdf(world.student_ids[0], world.today, world.today, guardian_id=stranger_id)
    with pytest.raises(ReportError, match="позже"):
        guardian_letter_pdf(world.student_ids[0], world.today, world.today - timedelta(days=1))


def test_salutation_by_patronymic():
    assert salutation(Guardian(college_id=1, last_name="А", first_name="Олег", middle_name="Петрович")) == (
        "Уважаемый Олег Петрович!"
    )
    assert salutation(None) == "Уважаемые родители (законные представители)!"


def test_guardian_letter_gives_the_semester_and_the_year_mark(world, term):
    from sqlalchemy import text as sql_text

    from app.reports.guardian_letter import letter_content
    from app.services import attestation
    from app.services.attestation import SheetKind
    from tests.services.test_attestation import item_id, open_session

    me = world.student_ids[0]
    iid = item_id(world)
    open_session(world)
    with Session(world.engine) as s:
        s.execute(sql_text("UPDATE curriculum_item SET year_mark = true WHERE id = :id"), {"id": iid})
        s.commit()
        attestation.enter(world.actor("teacher"), iid, {me: "4"}, session=s)
        attestation.enter(world.actor("teacher"), iid, {me: "5"}, kind=SheetKind.year, session=s)
        content = letter_content(me, world.today - timedelta(days=30), world.today, session=s)
    line = next(r for r in content["subjects"] if r["subject"] == "Операционные системы")
    assert line["semester_mark"] == "4 · год: 5"
