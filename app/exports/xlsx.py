"""Formatted Excel downloads of any table the app shows.

Headers in bold with a frozen first row, column widths fitted to the content, dates as ДД.ММ.ГГГГ,
percentages with one decimal. Text that a spreadsheet would run as a formula (starting with
=, +, -, @, or a tab/CR) is written as text with a leading apostrophe-quote prefix so it stays
inert (OWASP «CSV/formula injection»).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

import polars as pl
import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60


def neutralise(value: str) -> str:
    """Make a cell that a spreadsheet would evaluate into plain text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def visible(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns meant for people: internal keys start with an underscore."""
    return frame.select([c for c in frame.columns if not c.startswith("_")])


def to_xlsx(sheets: dict[str, pl.DataFrame] | pl.DataFrame, *, title: str | None = None) -> bytes:
    """One workbook, a sheet per frame; returns the file's bytes."""
    if isinstance(sheets, pl.DataFrame):
        sheets = {"Данные": sheets}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    header = book.add_format(
        {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    date_fmt = book.add_format({"num_format": "dd.mm.yyyy"})
    datetime_fmt = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    number_fmt = book.add_format({"num_format": "0.0"})
    title_fmt = book.add_format({"bold": True, "font_size": 12})
    for name, frame in sheets.items():
        frame = visible(frame)
        sheet = book.add_worksheet(_sheet_name(name))
        top = 0
        if title:
            sheet.write_string(0, 0, neutralise(title), title_fmt)
            top = 2
        for col, column in enumerate(frame.columns):
            sheet.write_string(top, col, neutralise(column), header)
        widths = [len(c) for c in frame.columns]
        for row_index, row in enumerate(frame.iter_rows(), start=top + 1):
            for col, value in enumerate(row):
                widths[col] = max(
                    widths[col], _write(sheet, row_index, col, value, date_fmt, datetime_fmt, number_fmt)
                )
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(width + 2, MAX_WIDTH))
        sheet.freeze_panes(top + 1, 0)
        if frame.width:
            sheet.autofilter(top, 0, top + max(frame.height, 1), frame.width - 1)
    book.close()
    return buffer.getvalue()


def _write(
    sheet: xlsxwriter.worksheet.Worksheet,
    row: int,
    col: int,
    value: object,
    date_fmt: xlsxwriter.format.Format,
    datetime_fmt: xlsxwriter.format.Format,
    number_fmt: xlsxwriter.format.Format,
) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        sheet.write_string(row, col, "да" if value else "нет")
        return 3
    if isinstance(value, datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), datetime_fmt)
        return 16
    if isinstance(value, date):
        sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), date_fmt)
        return 10
    if isinstance(value, float):
        sheet.write_number(row, col, value, number_fmt)
        return len(f"{value:.1f}")
    if isinstance(value, int):
        sheet.write_number(row, col, value)
        return len(str(value))
    text = neutralise(
        ", ".join(map(str, value))
        if isinstance(value, Sequence) and not isinstance(value, str)
        else str(value)
    )
    sheet.write_string(row, col, text)
    return min(len(text), MAX_WIDTH)


def _sheet_name(name: str) -> str:
    # Excel forbids []:*?/\ in sheet names and caps them at 31 characters.
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip() or "Лист"
    return cleaned[:31]
