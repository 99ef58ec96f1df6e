"""Sample files for the import tests, generated in memory: XLSX and CSV in either encoding and separator."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import xlsxwriter
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.models import AuditEvent

Rows = Sequence[Sequence[Any]]


def xlsx(rows: Rows, *, sheet: str = "Лист1", start_row: int = 0) -> bytes:
    """A workbook whose first sheet holds `rows` (dates as real dates, formulas as formulas)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row or []):
            if value is None:
                continue
            if isinstance(value, date):
                ws.write_datetime(r, c, value, date_format)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif isinstance(value, str) and value.startswith("="):
                ws.write_formula(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: Rows, *, delimiter: str = ";", encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            ["" if v is None else v.strftime("%d.%m.%Y") if isinstance(v, date) else v for v in row]
        )
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def audit_events(engine: Engine, college_id: int, action: str) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.college_id == college_id, AuditEvent.action == action)
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        )


def count(engine: Engine, model: Any, **where: Any) -> int:
    with Session(engine) as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(s.exec(query).one())
