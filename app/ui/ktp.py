"""The «КТП» page's helpers: the editor's table, the template-shaped file, the diff and history tables.

No Streamlit here: frames and labels only, so the page stays thin and these are tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import polars as pl

from app.domain import LESSON_KIND_LABELS, KtpStatus
from app.exports.xlsx import to_xlsx
from app.imports.readers import NOTES_SHEET, Cell, Issue
from app.imports.schemas import KTP
from app.imports.templates import notes_frame
from app.services.ktp import (
    FIELD_NAMES,
    ItemOption,
    Topic,
    TopicChange,
    TopicInput,
    VersionInfo,
    hours_problem,
)
from app.settings import get_settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The editor's columns: key -> header («№, раздел, тема, часы, вид занятия» and the homework).
EDITOR_COLUMNS: dict[str, str] = {
    "position": "№",
    "section": "Раздел",
    "title": "Тема",
    "hours": "Часы",
    "lesson_kind": "Вид занятия",
    "homework": "Домашнее задание",
}
KIND_OPTIONS: list[str] = list(LESSON_KIND_LABELS.values())
ORDER_HELP = (
    "Порядок тем — по «№»; строка без номера встаёт в конец, при равных номерах сохраняется порядок "
    "строк. После сохранения темы нумеруются подряд: 1, 2, 3 …"
)


def fmt_moment(moment: datetime | None) -> str:
    return moment.astimezone(get_settings().tz).strftime("%d.%m.%Y %H:%M") if moment else ""


def item_label(item: ItemOption) -> str:
    """The selector's line: the group × subject × semester and where its КТП stands."""
    state = []
    if item.approved_number is not None:
        state.append(f"утверждена версия {item.approved_number}")
    else:
        state.append("КТП не утверждён")
    if item.draft_number is not None:
        state.append(f"версия {item.draft_number} на утверждении")
    return f"{item.label} ({'; '.join(state)})"


def hours_check(total: int, planned: int) -> tuple[bool, str]:
    """(adds up, what to say) for the sum of hours against the curriculum's."""
    problem = hours_problem(total, planned)
    if problem:
        return False, problem
    return True, f"Сумма часов КТП — {total}, по учебному плану — {planned}: совпадает."


# --------------------------------------------------------------------------- the editor


def editor_frame(topics: Sequence[Topic]) -> pd.DataFrame:
    """The topics as st.data_editor edits them (Russian headers; the kind of lesson as its label)."""
    rows = [
        {
            "№": t.position,
            "Раздел": t.section,
            "Тема": t.title,
            "Часы": t.hours,
            "Вид занятия": t.kind_label or None,
            "Домашнее задание": t.homework,
        }
        for t in topics
    ]
    frame = pd.DataFrame(rows, columns=list(EDITOR_COLUMNS.values()))
    return frame.astype(
        {
            "№": "Int64",
            "Раздел": "string",
            "Тема": "string",
            "Часы": "Int64",
            "Вид занятия": "string",
            "Домашнее задание": "string",
        }
    )


def _cell(value: Any) -> Cell:
    """A value from the edited frame as a template cell: missing values (NaN, <NA>) are empty."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _cell(value.item())
    if isinstance(value, int | str):
        return value
    return str(value)


def editor_rows(frame: pd.DataFrame) -> list[dict[str, Cell]]:
    """The edited frame's rows keyed as the КТП template's columns."""
    keys = {header: key for key, header in EDITOR_COLUMNS.items()}
    return [
        {keys[h]: _cell(v) for h, v in record.items() if h in keys}
        for record in frame.to_dict(orient="records")
    ]


def topics_of_rows(rows: Sequence[Mapping[str, Cell]]) -> tuple[list[TopicInput], list[str]]:
    """Rows of the editor (keys of EDITOR_COLUMNS, cells as typed) as topics, by the КТП template's
    cell rules; and what to fix, in Russian. Rows left wholly empty are dropped; see ORDER_HELP."""
    keyed: list[tuple[float, int, Mapping[str, Cell]]] = []
    problems: list[str] = []
    for index, row in enumerate(rows, start=1):
        if all(_empty(v) for v in row.values()):
            continue
        order = float("inf")
        if not _empty(row.get("position")):
            try:
                order = float(KTP.column("position").parse(row.get("position")))
            except ValueError as exc:
                problems.append(f"Строка {index}, «№»: {exc}")
        keyed.append((order, index, row))
    keyed.sort(key=lambda k: (k[0], k[1]))
    topics: list[TopicInput] = []
    for _, index, row in keyed:
        values: dict[str, Any] = {}
        for key in ("section", "title", "hours", "lesson_kind", "homework"):
            column = KTP.column(key)
            cell = row.get(key)
            values[key] = column.default
            if _empty(cell):
                continue
            try:
                values[key] = column.parse(cell)
            except ValueError as exc:
                problems.append(f"Строка {index}, «{EDITOR_COLUMNS[key]}»: {exc}")
        if not values["title"]:
            problems.append(f"Строка {index}: не указана тема занятия.")
        topics.append(
            TopicInput(
                title=values["title"] or "",
                hours=values["hours"] or 2,
                section=values["section"] or "",
                lesson_kind=values["lesson_kind"],
                homework=values["homework"] or "",
            )
        )
    return topics, problems


def _empty(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- tables and files


def topics_frame(topics: Sequence[Topic]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "№": [t.position for t in topics],
            "Раздел": [t.section for t in topics],
            "Тема": [t.title for t in topics],
            "Часы": [t.hours for t in topics],
            "Вид занятия": [t.kind_label for t in topics],
            "Домашнее задание": [t.homework for t in topics],
        },
        schema={
            "№": pl.Int64,
            "Раздел": pl.String,
            "Тема": pl.String,
            "Часы": pl.Int64,
            "Вид занятия": pl.String,
            "Домашнее задание": pl.String,
        },
    )


def template_frame(item: ItemOption, topics: Sequence[Topic]) -> pl.DataFrame:
    """The topics in the import template's columns, every cell as text (as template_xlsx writes it)."""
    rows = [
        {
            "group": item.group_name,
            "subject": item.subject_code,
            "semester": str(item.semester),
            "position": str(t.position),
            "section": t.section,
            "title": t.title,
            "hours": str(t.hours),
            "lesson_kind": t.kind_label,
            "homework": t.homework,
        }
        for t in topics
    ]
    headers = {c.key: c.header for c in KTP.columns}
    return pl.DataFrame(
        [{headers[k]: v for k, v in row.items()} for row in rows],
        schema=dict.fromkeys(headers.values(), pl.String),
    )


def version_xlsx(item: ItemOption, topics: Sequence[Topic]) -> bytes:
    """A КТП as a file in the import template's shape: edit it and upload it back."""
    return to_xlsx({KTP.title: template_frame(item, topics), NOTES_SHEET: notes_frame(KTP)})


def version_file_name(item: ItemOption, number: int | None) -> str:
    version = f" — версия {number}" if number is not None else ""
    return f"КТП {item.group_name} {item.subject_code} {item.semester} сем{version}.xlsx".replace("/", "-")


def versions_frame(versions: Sequence[VersionInfo]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Версия": [v.number for v in versions],
            "Состояние": [v.status_label for v in versions],
            "Как составлена": [v.source_label for v in versions],
            "Автор": [v.created_by for v in versions],
            "Сохранена": [fmt_moment(v.created_at) for v in versions],
            "Тем": [v.topics for v in versions],
            "Часов": [v.hours for v in versions],
            "Комментарий автора": [v.note for v in versions],
            "Решение": [v.decided_by if v.status is not KtpStatus.withdrawn else "" for v in versions],
            "Когда": [fmt_moment(v.decided_at) for v in versions],
            "Комментарий к решению": [v.decision_comment for v in versions],
        },
        schema={
            "Версия": pl.Int64,
            "Состояние": pl.String,
            "Как составлена": pl.String,
            "Автор": pl.String,
            "Сохранена": pl.String,
            "Тем": pl.Int64,
            "Часов": pl.Int64,
            "Комментарий автора": pl.String,
            "Решение": pl.String,
            "Когда": pl.String,
            "Комментарий к решению": pl.String,
        },
    )


def version_label(v: VersionInfo) -> str:
    return f"Версия {v.number} — {v.status_label}, {fmt_moment(v.created_at)}"


def _describe(t: Topic | None) -> str:
    if t is None:
        return ""
    parts = [f"{t.position}. {t.title}", f"{t.hours} ч."]
    if t.section:
        parts.insert(0, t.section)
    if t.kind_label:
        parts.append(t.kind_label)
    return " · ".join(parts)


def diff_frame(changes: Sequence[TopicChange]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Изменение": [c.label for c in changes],
            "Было": [_describe(c.old) for c in changes],
            "Стало": [_describe(c.new) for c in changes],
            "Что изменилось": [", ".join(FIELD_NAMES[f] for f in c.fields) for c in changes],
        },
        schema=dict.fromkeys(("Изменение", "Было", "Стало", "Что изменилось"), pl.String),
    )


def issues_frame(issues: Sequence[Issue]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Строка": [i.row for i in issues],
            "Столбец": [i.column for i in issues],
            "Что исправить": [i.message for i in issues],
        },
        schema={"Строка": pl.Int64, "Столбец": pl.String, "Что исправить": pl.String},
    )
