"""Reading files and parsing cells: detection of encoding and separator, dates, numbers, marks (hypothesis)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import ALL_LESSON_MARKS, fmt_date
from app.imports.cells import integer, parse_date, parse_mark, parse_phone
from app.imports.readers import FileRefused, decode_text, detect_delimiter, normalise_cell, read_table
from tests.imports.helpers import csv_bytes, xlsx

CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
CELL_CHARS = CYRILLIC + '0123456789 .,;-«»№()"\n'

words = st.text(alphabet=CYRILLIC, min_size=1, max_size=12)
cells = st.text(alphabet=CELL_CHARS, max_size=20)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    header = draw(st.lists(words, min_size=2, max_size=6, unique_by=str.casefold))
    body = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), min_size=1, max_size=8))
    return [header, *body]


@settings(max_examples=150, deadline=None)
@given(
    table=tables(),
    delimiter=st.sampled_from([";", ","]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
)
def test_encoding_and_separator_are_detected_on_cyrillic_text(table, delimiter, encoding):
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    data = out.getvalue().encode(encoding)
    text, name = decode_text(data)
    assert name == ("Windows-1251" if encoding == "cp1251" else "UTF-8")
    assert detect_delimiter(text) == delimiter
    expected = [tuple(normalise_cell(c) for c in row) for row in table[1:]]
    expected = [row for row in expected if any(c is not None for c in row)]
    if not expected:
        with pytest.raises(FileRefused, match="только строка заголовка"):
            read_table(data)
        return
    read = read_table(data)
    assert read.headers == tuple(table[0])
    assert [r.cells for r in read.rows] == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip(day):
    assert parse_date(fmt_date(day)) == day
    assert parse_date(f"{day.day}.{day.month}.{day.year}") == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(normalise_cell(datetime.combine(day, time(0)))) == day
    assert parse_date(f"{fmt_date(day)} 0:00") == day


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_russian_refusal(text):
    try:
        assert isinstance(parse_date(text), date)
    except ValueError as exc:
        assert "ДД.ММ.ГГГГ" in str(exc) or "вне допустимого диапазона" in str(exc)


@given(
    st.integers(min_value=1, max_value=31), st.integers(min_value=1, max_value=12), st.integers(1900, 2100)
)
def test_impossible_dates_are_named(day, month, year):
    typed = f"{day:02d}.{month:02d}.{year}"
    try:
        expected = date(year, month, day)
    except ValueError:
        with pytest.raises(ValueError, match="не существует"):
            parse_date(typed)
    else:
        assert parse_date(typed) == expected


@given(st.sampled_from(ALL_LESSON_MARKS), st.sampled_from(["", " ", "  "]), st.booleans())
def test_marks_parse_whatever_the_spacing_and_case(mark, pad, upper):
    typed = pad + (mark.upper() if upper else mark) + pad
    assert parse_mark(typed) == mark


@given(st.integers(min_value=-100, max_value=100))
def test_numeric_marks_are_two_to_five_only(n):
    for cell in (n, float(n), str(n)):
        if 2 <= n <= 5:
            assert parse_mark(cell) == str(n)
        else:
            with pytest.raises(ValueError, match="недопустима: возможны 5, 4, 3, 2"):
                parse_mark(cell)


@given(st.text(max_size=10))
def test_any_text_is_a_mark_or_a_refusal(text):
    try:
        assert parse_mark(text) in ALL_LESSON_MARKS
    except ValueError as exc:
        assert "недопустима" in str(exc)


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_integers_in_and_out_of_range(n):
    parse = integer(1, 10)
    for cell in (n, float(n), str(n), f" {n} "):
        if 1 <= n <= 10:
            assert parse(cell) == n
        else:
            with pytest.raises(ValueError, match=r"вне допустимого диапазона|не число"):
                parse(cell)


@given(st.from_regex(r"9[0-9]{9}", fullmatch=True), st.sampled_from(["+7 {} ", "8{}", "8 ({}", "{}"]))
def test_phones_have_one_spelling(number, form):
    typed = form.format(number[:3] + ") " + number[3:6] + "-" + number[6:8] + "-" + number[8:])
    typed = typed.replace(") ", "") if "(" not in typed else typed
    stored = f"+7 {number[:3]} {number[3:6]}-{number[6:8]}-{number[8:]}"  # app.validation's one spelling
    assert parse_phone(typed) == stored
    assert parse_phone(parse_phone(typed)) == stored


# --------------------------------------------------------------------------- files


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows_and_formulas_stay_text():
    data = xlsx(
        [["Группа", "Тема"], None, ["ИСП-11", "=1+1"], ["ИСП-11", "'=SUM(A1)"], ["", ""], ["ИСП-12", "-x"]],
        start_row=3,
    )
    table = read_table(data, "any.xlsx")
    assert table.header_row == 4
    assert table.headers == ("Группа", "Тема")
    assert [(r.number, r.cells) for r in table.rows] == [
        (6, ("ИСП-11", "=1+1")),
        (7, ("ИСП-11", "=SUM(A1)")),  # our exports' apostrophe before formula-like text is dropped
        (9, ("ИСП-12", "-x")),
    ]
    assert "лист «Лист1»" in table.description


def test_the_notes_sheet_is_skipped():
    import openpyxl

    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Пояснения"
    notes.append(["Столбец", "Что указать"])
    data_sheet = book.create_sheet("Данные")
    data_sheet.append(["Группа"])
    data_sheet.append(["ИСП-11"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.headers == ("Группа",) and table.rows[0].cells == ("ИСП-11",)


def test_csv_with_bom_and_quoted_multiline_cells():
    rows = [["Тема", "Домашнее задание"], ["Введение", "§1;\nвопросы 1–3"], ["Вторая", ""]]
    table = read_table(csv_bytes(rows, delimiter=";", bom=True))
    assert table.headers == ("Тема", "Домашнее задание")
    assert [r.number for r in table.rows] == [2, 3]
    assert table.rows[0].cells == ("Введение", "§1;\nвопросы 1–3")
    assert "UTF-8" in table.description and "«;»" in table.description


def test_tab_separated_text_is_read_too():
    table = read_table("Группа\tФамилия\r\nИСП-11\tКротов\r\n".encode("cp1251"))
    assert table.rows[0].cells == ("ИСП-11", "Кротов")
    assert "Windows-1251" in table.description
