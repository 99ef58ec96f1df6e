"""The «КТП» page's helpers: the editor's rows as topics, and the file that uploads back."""

from __future__ import annotations

import pandas as pd

from app.domain import LessonKind
from app.imports.readers import read_table
from app.imports.schemas import KTP, match_headers
from app.services.ktp import ItemOption, Topic, TopicInput
from app.ui import ktp as ui

ITEM = ItemOption(7, "ИСП-11", "ОП.01", "Операционные системы", 3, 72, 1, "Соколова Е. В.", True, 1, None)
TOPICS = [
    Topic(1, "Введение", 2, "Раздел 1", LessonKind.lecture, "конспект"),
    Topic(2, "=Процессы", 4, "", None, ""),
]


def test_the_editor_frame_comes_back_as_the_same_topics():
    frame = ui.editor_frame(TOPICS)
    assert list(frame.columns) == ["№", "Раздел", "Тема", "Часы", "Вид занятия", "Домашнее задание"]
    topics, problems = ui.topics_of_rows(ui.editor_rows(frame))
    assert problems == []
    assert topics == [
        TopicInput("Введение", 2, "Раздел 1", LessonKind.lecture, "конспект"),
        TopicInput("=Процессы", 4, "", None, ""),
    ]


def test_rows_are_ordered_by_number_empty_rows_dropped_and_problems_named():
    frame = pd.DataFrame(
        [
            {"№": 2.0, "Тема": "Вторая", "Часы": 2.0, "Вид занятия": "Семинар"},
            {"№": float("nan"), "Тема": "Без номера", "Часы": float("nan")},
            {"№": None, "Тема": None, "Часы": None},
            {"№": 1, "Тема": "Первая", "Часы": 60, "Вид занятия": "Прогулка"},
            {"№": 2, "Тема": "  ", "Часы": 2},
        ]
    )
    topics, problems = ui.topics_of_rows(ui.editor_rows(frame))
    assert [t.title for t in topics] == ["Первая", "Вторая", "", "Без номера"]
    assert (
        topics[1].lesson_kind is LessonKind.seminar and topics[3].hours == 2
    )  # an empty hours cell: one pair
    assert problems == [
        "Строка 4, «Часы»: Число 60 вне допустимого диапазона: от 1 до 50.",
        "Строка 4, «Вид занятия»: Неизвестное значение вида занятия «Прогулка»: допустимо «Лекция», "
        "«Комбинированное занятие», «Практическое занятие», «Лабораторное занятие», «Семинар», "
        "«Самостоятельная работа», «Контрольная работа», «Консультация», «Промежуточная аттестация».",
        "Строка 5: не указана тема занятия.",
    ]


def test_the_version_file_has_the_templates_columns_and_reads_back():
    table = read_table(ui.version_xlsx(ITEM, TOPICS), "ктп.xlsx")
    assert table.headers == tuple(c.header for c in KTP.columns)
    columns, issues = match_headers(KTP, table)
    assert issues == [] and len(table.rows) == 2
    first = table.rows[0].cells
    assert first[columns["group"]] == "ИСП-11" and first[columns["lesson_kind"]] == "Лекция"
    assert table.rows[1].cells[columns["title"]] == "=Процессы"  # kept as text, never a formula
    assert ui.version_file_name(ITEM, 2) == "КТП ИСП-11 ОП.01 3 сем — версия 2.xlsx"


def test_labels_and_the_hours_check():
    assert ui.item_label(ITEM) == "ИСП-11 · ОП.01 Операционные системы, 3 семестр (утверждена версия 1)"
    assert ui.hours_check(72, 72) == (True, "Сумма часов КТП — 72, по учебному плану — 72: совпадает.")
    assert ui.hours_check(70, 72) == (False, "Сумма часов КТП — 70, по учебному плану — 72: не хватает 2 ч.")
