"""An uploaded table as a header and rows: XLSX, or CSV in UTF-8 (with or without BOM) or Windows-1251,
separated by «;», «,» or a tab. Encoding and separator are detected, never asked.

Row numbers are the ones the user sees in the spreadsheet. Limits are checked before the whole file
is parsed: the size first, then rows are read only up to the row limit.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from app.errors import DomainError
from app.exports.xlsx import FORMULA_PREFIXES

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100

Cell = str | int | float | date | None  # datetime is a date

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
NOTES_SHEET = "Пояснения"
ENCODING_HELP = (
    "Не удалось прочитать текст файла: он не в кодировке UTF-8 и не в Windows-1251. "
    "Сохраните таблицу как «Книга Excel (.xlsx)» или «CSV UTF-8 (разделитель — запятая)»."
)


class FileRefused(DomainError):
    """The file as a whole cannot be read: nothing in it is looked at further."""


@dataclass(frozen=True)
class Issue:
    """One thing to fix: the spreadsheet row (None for the whole file), the column, what is wrong."""

    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class SourceRow:
    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[SourceRow, ...]
    description: str  # how the file was read, for the user: format, encoding, separator


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def too_big_message() -> str:
    return f"Файл больше {MAX_BYTES // (1024 * 1024)} МБ: разделите его на части и загрузите по очереди."


def read_path(path: Path) -> Table:
    """Read a file from disk, refusing an oversized one before reading it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileRefused(f"Файл {path} не найден или недоступен.") from exc
    if size > MAX_BYTES:
        raise FileRefused(too_big_message())
    return read_table(path.read_bytes(), path.name)


def read_table(data: bytes, filename: str = "") -> Table:
    if len(data) > MAX_BYTES:
        raise FileRefused(too_big_message())
    if not data.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise FileRefused("Файл пустой: в нём нет ни заголовка, ни данных.")
    if data.startswith(_OLE):
        raise FileRefused(
            "Старый формат Excel (.xls) не поддерживается: сохраните файл как «Книга Excel (.xlsx)» или CSV."
        )
    if data.startswith(_ZIP):
        return _read_xlsx(data)
    text, encoding = decode_text(data)
    delimiter = detect_delimiter(text)
    shown = {";": "«;»", ",": "«,»", "\t": "табуляция"}[delimiter]
    return _table(_csv_rows(text, delimiter), f"CSV, кодировка {encoding}, разделитель {shown}")


# --------------------------------------------------------------------------- CSV


def decode_text(data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding: UTF-8 (a BOM is dropped) or Windows-1251."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(
            "Файл в кодировке UTF-16 (Юникод-текст): сохраните его как CSV в UTF-8 или Windows-1251, "
            "или как «Книга Excel (.xlsx)»."
        )
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    else:
        # Russian text in Windows-1251 is practically never valid UTF-8 (a lowercase letter is a
        # lead byte that needs continuation bytes), so a strict UTF-8 decode decides between them.
        candidates = [("utf-8", "UTF-8"), ("cp1251", "Windows-1251")]
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, name
    raise FileRefused(ENCODING_HELP)


def _plausible(text: str) -> bool:
    """Text, not binary: no control characters other than tab and line breaks."""
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text)


def detect_delimiter(text: str) -> str:
    """The separator that splits the first non-empty line into the most fields («;» wins a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_count = ";", 0
    for candidate in (";", ",", "\t"):
        try:
            fields = next(csv.reader([first], delimiter=candidate), [])
        except csv.Error:
            continue
        if len(fields) > best_count:
            best, best_count = candidate, len(fields)
    return best


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        # One record is one spreadsheet row, even when a quoted cell spans several lines.
        for number, record in enumerate(reader, start=1):
            yield number, tuple(normalise_cell(v) for v in record)
    except csv.Error as exc:
        raise FileRefused(
            f"Строка {number + 1} файла CSV не разбирается ({exc}): проверьте кавычки в ячейках."
        ) from exc


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        # Formulas are read as their text and never evaluated: a cell is what was typed into it.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign zip
        raise FileRefused(
            "Файл не открывается как книга Excel (.xlsx): он повреждён или это другой формат."
        ) from exc
    try:
        sheets = [s for s in book.worksheets if s.title.strip() != NOTES_SHEET] or book.worksheets
        if not sheets:
            raise FileRefused("В книге Excel нет ни одного листа.")
        sheet = sheets[0]
        rows = (
            (number, tuple(normalise_cell(v) for v in values))
            for number, values in enumerate(
                sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1
            )
        )
        try:
            return _table(rows, f"Excel (.xlsx), лист «{sheet.title}»")
        except FileRefused:
            raise
        except Exception as exc:
            raise FileRefused(
                "Книга Excel повреждена: лист не удаётся прочитать до конца. Сохраните её заново."
            ) from exc
    finally:
        book.close()


# --------------------------------------------------------------------------- shared


def normalise_cell(value: object) -> Cell:
    """Strip text, drop empty cells, and undo the apostrophe our own exports put before formula-like text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, date | int | float):
        return value
    text = str(value).replace("\xa0", " ").strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text or None


def _table(rows: Iterable[tuple[int, tuple[Cell, ...]]], description: str) -> Table:
    header: tuple[str, ...] | None = None
    header_row = 0
    data: list[SourceRow] = []
    for number, cells in rows:
        if not any(c is not None for c in cells):
            continue
        if header is None:
            names = ["" if c is None else str(c) for c in cells[:MAX_COLUMNS]]
            while names and not names[-1]:
                names.pop()
            header, header_row = tuple(names), number
            continue
        if len(data) >= MAX_ROWS:
            raise FileRefused(
                f"В файле больше {thousands(MAX_ROWS)} строк данных: разделите его на части и загрузите "
                "по очереди."
            )
        data.append(SourceRow(number, cells[: len(header)]))
    if header is None:
        raise FileRefused("Файл пустой: в нём нет ни заголовка, ни данных.")
    if not data:
        raise FileRefused(
            "В файле только строка заголовка и нет ни одной строки данных: заполните таблицу под заголовком."
        )
    return Table(header, header_row, tuple(data), description)
