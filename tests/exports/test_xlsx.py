from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.exports.xlsx import neutralise, to_xlsx


def test_round_trip_with_formats_and_frozen_header():
    frame = pl.DataFrame(
        {
            "Группа": ["ИСП-21", "ТМ-31"],
            "Дата": [date(2026, 11, 27), date(2026, 11, 28)],
            "Качество знаний, %": [66.7, 100.0],
            "Занятий": [12, 3],
            "_key": [1, 2],
        }
    )
    book = load_workbook(io.BytesIO(to_xlsx({"Успеваемость": frame})))
    sheet = book["Успеваемость"]
    assert [c.value for c in sheet[1]] == [
        "Группа",
        "Дата",
        "Качество знаний, %",
        "Занятий",
    ]  # no internal keys
    assert sheet["A2"].value == "ИСП-21" and sheet["B2"].value.date() == date(2026, 11, 27)
    assert sheet["B2"].number_format == "dd.mm.yyyy" and sheet["C2"].value == 66.7
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet.column_dimensions["C"].width >= len("Качество знаний, %")


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_injection_is_neutralised(evil):
    book = load_workbook(io.BytesIO(to_xlsx(pl.DataFrame({"Тема": [evil]}))))
    cell = book.active["A2"]
    assert cell.data_type == "s" and cell.value == "'" + evil


@given(st.text(max_size=50))
def test_neutralised_text_never_starts_a_formula(text):
    out = neutralise(text)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out.endswith(text)
