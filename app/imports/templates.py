"""Downloadable templates: the kind's columns with an example row, and a sheet «Пояснения» on each column."""

from __future__ import annotations

import polars as pl

from app.exports.xlsx import to_xlsx
from app.imports.readers import MAX_BYTES, MAX_ROWS, NOTES_SHEET, thousands
from app.imports.schemas import HISTORY, ORDER_HINT, SCHEMAS, Schema


def schema_of(kind: str) -> Schema:
    return HISTORY if kind == HISTORY.kind else SCHEMAS[kind]


def notes_frame(schema: Schema) -> pl.DataFrame:
    rows = [
        {
            "Столбец": c.header,
            "Обязательный": "да" if c.required else "нет",
            "Что указать": c.help,
            "Пример": c.example,
        }
        for c in schema.columns
    ]
    general = [
        schema.purpose,
        schema.before,
        ORDER_HINT,
        "Первая заполненная строка листа — заголовок; порядок столбцов любой, регистр и лишние пробелы "
        "не важны, лишние столбцы не читаются. Строку-пример удалите.",
        "Файл импортируется целиком или не импортируется совсем: при любой ошибке ничего не записывается, "
        "а в ответе перечислены все ошибки с номерами строк. Повторный импорт того же файла ничего не меняет.",
        f"Форматы: .xlsx (первый лист) или CSV в UTF-8 или Windows-1251 с разделителем «;» или «,». "
        f"Не больше {thousands(MAX_ROWS)} строк и {MAX_BYTES // (1024 * 1024)} МБ.",
    ]
    rows += [
        {"Столбец": "", "Обязательный": "", "Что указать": line, "Пример": ""} for line in general if line
    ]
    return pl.DataFrame(
        rows, schema=dict.fromkeys(("Столбец", "Обязательный", "Что указать", "Пример"), pl.String)
    )


def template_xlsx(kind: str) -> bytes:
    schema = schema_of(kind)
    # Every cell is text, as typed: dates stay ДД.ММ.ГГГГ and codes like 09.02.07 are not turned into dates.
    example = pl.DataFrame(
        [{c.header: c.example for c in schema.columns}],
        schema=dict.fromkeys((c.header for c in schema.columns), pl.String),
    )
    return to_xlsx({schema.title: example, NOTES_SHEET: notes_frame(schema)})


def template_name(kind: str) -> str:
    return f"Шаблон импорта — {schema_of(kind).title}.xlsx"
