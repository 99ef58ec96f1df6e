"""The semester journal archive: content, Cyrillic, spreads, the data hash and its verification, the ZIP."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.models import CurriculumItem, Subject
from app.reports.archive import build_semester_zip, semester_items, semester_keys
from app.reports.common import SemesterKey, canonical_json, data_hash
from app.reports.journal import archive_content, build_journal_archive, verify_archive_hash
from tests.reports.conftest import HASH_RE, add_absence, add_mark, add_semester_mark, pages_text, pdf_text

# Everything typst markup would interpret, and quotes: it must print exactly as typed.
SPECIAL_TOPIC = "Тема #1: $x$ *a* _b_ \\ [c] <d> \"e\" 'f' @g // h"
SPECIAL_HOMEWORK = "Упр. #set text(red) = 5 ` ~ \\n"


def _archive(world, **kwargs) -> bytes:
    return build_journal_archive(world.group_id, world.subject_id, world.semester, **kwargs)


@pytest.fixture
def journal(world):
    """Three past lessons: marks, an «н», an «ув», an «оп», a corrected mark, special characters."""
    first = world.lesson(9, topic="Введение в операционные системы", homework="Конспект §1", work_kind="oral")
    second = world.lesson(
        8, topic=SPECIAL_TOPIC, homework=SPECIAL_HOMEWORK, work_kind="control", work_done="Контрольная №1"
    )
    third = world.lesson(7, topic="Процессы и потоки", homework="")
    abramov, belova, volkov, grigorieva, _ = world.student_ids
    add_mark(world, first, abramov, "5")
    add_absence(world, first, belova, "absent")
    add_absence(world, second, volkov, "excused")
    add_absence(world, second, grigorieva, "late")
    add_mark(world, second, grigorieva, "3", kind="control")
    wrong = add_mark(world, third, abramov, "2")
    add_mark(world, third, abramov, "4", corrects=wrong, reason="Ошибка при вводе")
    return {"lessons": [first, second, third]}


def test_archive_shows_class_list_grid_topics_and_furniture_in_cyrillic(world, journal):
    pdf = _archive(world, deputy_name="Морозова Ирина Павловна")
    pages = pages_text(pdf)
    text = "\n".join(pages)
    # title page, one spread (grid on page 2, topics on page 3), semester page
    assert len(pages) == 4
    assert "ЖУРНАЛ УЧЕБНЫХ ЗАНЯТИЙ" in pages[0]
    for page in pages:
        assert "ИСП-11" in page and "ОП.01 Операционные системы" in page
        assert "-й семестр" in page
    for n, page in enumerate(pages, start=1):
        assert f"стр. {n} из 4" in page
    grid, topics = pages[1], pages[2]
    assert "Список группы, отметки и посещаемость" in grid
    for name in ("Абрамов Илья Сергеевич", "Белова Анна Игоревна", "Дмитриев Павел Викторович"):
        assert name in grid
    rows = grid.splitlines()
    # a corrected mark shows its current value with an asterisk
    assert "1 Абрамов Илья Сергеевич 5 4*" in rows, grid
    assert "2 Белова Анна Игоревна н" in rows
    assert "3 Волков Денис Андреевич ув" in rows
    assert "4 Григорьева Мария Олеговна оп 3" in rows
    first_day = world.today - timedelta(days=9)
    assert f"{first_day:%d.%m}" in grid
    assert "Содержание занятий" in topics
    assert "Введение в операционные системы" in topics and "Конспект §1" in topics
    assert "Контрольная работа: Контрольная №1" in topics
    assert f"{first_day:%d.%m.%Y}" in topics
    assert "Соколова Е. В." in topics
    semester = pages[3]
    assert "Итоги семестра" in semester and "Исправления отметок" in semester
    assert "Ошибка при вводе" in semester
    assert "Заместитель директора по УР" in semester and "Морозова Ирина Павловна" in semester, semester
    assert "(подпись)" in semester and "(дата)" in semester
    assert "Сформировано " in text


def test_special_characters_in_topics_render_literally(world, journal):
    text = pdf_text(_archive(world))
    assert SPECIAL_TOPIC in text
    assert SPECIAL_HOMEWORK in text


def test_printed_hash_matches_verification_and_changes_with_a_new_mark(world, journal):
    pdf = _archive(world)
    printed = set()
    for page in pages_text(pdf):
        found = HASH_RE.findall(page)
        assert found, "every page carries the hash"
        printed.update(found)
    assert len(printed) == 1
    recomputed = verify_archive_hash(world.group_id, world.subject_id, world.semester)
    assert len(recomputed) == 64 and recomputed[:16] == printed.pop()
    assert recomputed in pdf_text(pdf)  # the full digest beside the signature block
    # the same data, the same hash (generation time is not part of it)
    assert verify_archive_hash(world.group_id, world.subject_id, world.semester) == recomputed

    add_mark(world, journal["lessons"][0], world.student_ids[4], "3")
    changed = verify_archive_hash(world.group_id, world.subject_id, world.semester)
    assert changed != recomputed
    assert changed[:16] in pdf_text(_archive(world))


def test_hash_is_over_canonical_json_of_the_content(world, journal):
    with Session(world.engine) as s:
        content = archive_content(world.group_id, world.subject_id, world.semester, session=s)
    assert data_hash(content) == verify_archive_hash(world.group_id, world.subject_id, world.semester)
    # key order does not matter, values do
    assert data_hash(dict(reversed(list(content.items())))) == data_hash(content)
    assert canonical_json({"б": 1, "а": [1, "ё"]}) == '{"а":[1,"ё"],"б":1}'


def test_semester_marks_and_summary_per_student(world, journal):
    with Session(world.engine) as s:
        item = s.exec(
            select(CurriculumItem).where(
                CurriculumItem.study_group_id == world.group_id, CurriculumItem.subject_id == world.subject_id
            )
        ).one()
    assert item.id is not None
    add_semester_mark(world, item.id, world.student_ids[0], "4")
    with Session(world.engine) as s:
        content = archive_content(world.group_id, world.subject_id, world.semester, session=s)
    abramov = content["summary"][0]
    assert abramov["semester_mark"] == "4" and abramov["marks"] == 2 and abramov["average"] == "4,50"
    belova = content["summary"][1]
    assert belova["missed_hours"] == 2 and belova["excused_hours"] == 0
    assert content["summary"][2]["excused_hours"] == 2
    assert content["summary"][3]["lates"] == 1
    assert content["corrections"][0]["was"] == "2" and content["corrections"][0]["now"] == "4"
    assert "Экзамен" in pdf_text(_archive(world))


def test_many_dates_make_several_spreads_facing_each_other(world):
    for days_ago in range(60, 15, -1):
        world.lesson(days_ago, topic=f"Тема занятия {days_ago}", homework="Повторить")
    pages = pages_text(_archive(world))
    # 45 dates, 20 per spread: three spreads after the title page, then the semester page
    grids = [n for n, p in enumerate(pages, start=1) if "Список группы, отметки и посещаемость" in p]
    topics = [n for n, p in enumerate(pages, start=1) if "Содержание занятий" in p]
    assert grids == [2, 4, 6] and topics == [3, 5, 7]
    assert "занятия № 1–20" in pages[1] and "занятия № 41–45" in pages[5]
    assert f"стр. 1 из {len(pages)}" in pages[0]


def test_zip_holds_one_pdf_per_group_and_subject(world, journal):
    world.lesson(5, subject_id=world.credit_subject_id, topic="Лёгкая атлетика")
    key = SemesterKey.containing(world.today)
    assert key in semester_keys(world.college_id)
    items = semester_items(world.college_id, key)
    assert {(i.group_id, i.subject_id) for i in items} == {
        (world.group_id, world.subject_id),
        (world.group_id, world.credit_subject_id),
    }
    calls = []
    data = build_semester_zip(
        world.college_id, str(key), lambda done, total, label: calls.append((done, total))
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    pdfs = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert pdfs == ["ИСП-11/ОГСЭ.04 Физическая культура.pdf", "ИСП-11/ОП.01 Операционные системы.pdf"]
    for name in pdfs:
        assert archive.read(name).startswith(b"%PDF-")
    inventory = archive.read("Опись.csv").decode("utf-8-sig")
    assert verify_archive_hash(world.group_id, world.subject_id, world.semester) in inventory
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)


def test_unknown_semester_key_is_refused():
    from app.reports.common import ReportError

    with pytest.raises(ReportError, match="Неверное обозначение семестра"):
        SemesterKey.parse("2026-осень")


def test_the_inventory_runs_no_formula_from_a_name(world, journal):
    with Session(world.engine) as s:
        subject = s.get(Subject, world.subject_id)
        assert subject is not None
        subject.code = '=HYPERLINK("https://evil.example")'
        s.add(subject)
        s.commit()
    data = build_semester_zip(world.college_id, str(SemesterKey.containing(world.today)))
    rows = list(
        csv.reader(
            io.StringIO(zipfile.ZipFile(io.BytesIO(data)).read("Опись.csv").decode("utf-8-sig")),
            delimiter=";",
        )
    )
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
