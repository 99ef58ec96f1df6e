"""Building blocks of the tabular reports (templates/report.typ): plain dicts of strings, so the
whole document is data — hashed as it is shown, rendered literally, never parsed as markup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from app.domain import fmt_date
from app.reports.common import Meta, data_hash, fmt_datetime, now_local, render

Block = dict[str, Any]


@dataclass(frozen=True)
class Col:
    title: str
    mm: float | None = None  # fixed width; None: a share of what is left (fr)
    fr: float = 1.0
    align: str = "left"
    source: str | None = None  # the frame column shown here, when its name differs from the title

    def as_json(self) -> dict[str, Any]:
        width = {"mm": self.mm} if self.mm is not None else {"fr": self.fr}
        return {"title": self.title, "width": width, "align": self.align}


def num(title: str, mm: float = 16, source: str | None = None) -> Col:
    """A narrow right-aligned column for a figure."""
    return Col(title, mm=mm, align="right", source=source)


def cell(value: object) -> str:
    """A value as Russian text: ДД.ММ.ГГГГ dates, decimal commas, «да/нет», a dash for nothing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        return fmt_datetime(value)
    if isinstance(value, date):
        return fmt_date(value)
    if isinstance(value, float):
        # Figures arrive rounded (averages to 2 places, percentages to 1): show what is there.
        text = f"{value:.2f}"
        return (text[:-1] if text.endswith("0") else text).replace(".", ",")
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    return str(value)


def heading(text: str, level: int = 1) -> Block:
    return {"kind": "heading", "text": text, "level": level}


def paragraph(text: str, size: float = 9) -> Block:
    return {"kind": "paragraph", "text": text, "size": size}


def note(text: str) -> Block:
    return {"kind": "note", "text": text}


def space(mm: float) -> Block:
    return {"kind": "space", "mm": mm}


def pagebreak() -> Block:
    return {"kind": "pagebreak"}


def table(
    columns: Sequence[Col],
    rows: Iterable[Sequence[object]],
    *,
    size: float = 8,
    total: bool = False,
    empty: str = "Нет данных.",
) -> Block:
    """A table; with total=True the last row is a bold «Итого»."""
    shown = [[cell(v) for v in row] for row in rows]
    for row in shown:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
    return {
        "kind": "table",
        "columns": [c.as_json() for c in columns],
        "rows": shown,
        "size": size,
        "total": total and bool(shown),
        "empty": empty,
    }


def frame_table(frame: pl.DataFrame, columns: Sequence[Col], **kwargs: Any) -> Block:
    """The frame's columns named by the layouts (source, else title), in the layouts' order.

    Chosen by name, so a query that gains a column does not shift what a report prints.
    """
    names = [c.source or c.title for c in columns]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ValueError(f"columns missing from the data: {missing}")
    return table(columns, frame.select(names).iter_rows(), **kwargs)


def figures(items: Iterable[tuple[str, object, str]]) -> Block:
    """Key figures: (label, value, the formula it is computed by)."""
    return {
        "kind": "figures",
        "items": [{"label": label, "value": cell(value), "definition": d} for label, value, d in items],
    }


def definitions(items: dict[str, str] | Iterable[tuple[str, str]]) -> Block:
    pairs = items.items() if isinstance(items, dict) else items
    return {"kind": "definitions", "items": [{"term": t, "definition": d} for t, d in pairs]}


def signature(position: str, name: str = "") -> Block:
    return {"kind": "signature", "position": position, "name": name}


def render_report(
    *,
    title: str,
    subtitle: str | None,
    college: str,
    header_right: str,
    blocks: list[Block],
    landscape: bool = False,
) -> bytes:
    """A PDF of the blocks under a title; the footer's hash covers everything the report shows."""
    content = {
        "title": title,
        "subtitle": subtitle,
        "college": college,
        "landscape": landscape,
        "blocks": blocks,
    }
    meta = Meta(
        title=title,
        college=college,
        header_left=college,
        header_right=header_right,
        generated_at=now_local(),
        content_hash=data_hash(content),
    )
    return render("report.typ", meta, content)
