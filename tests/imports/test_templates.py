"""Templates: the kind's headers, an example row that imports cleanly, and a sheet of explanations."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlmodel import Session

from app.imports import KINDS
from app.imports.history import import_history
from app.imports.readers import read_table
from app.imports.schemas import HISTORY, SCHEMAS
from app.imports.templates import template_xlsx


@pytest.mark.parametrize("kind", [*KINDS, "history"])
def test_template_has_the_headers_an_example_and_explanations(kind):
    schema = HISTORY if kind == "history" else SCHEMAS[kind]
    data = template_xlsx(kind)
    table = read_table(data, "template.xlsx")
    assert table.headers == tuple(c.header for c in schema.columns)
    assert len(table.rows) == 1
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == [schema.title, "Пояснения"]
    notes = [row for row in book["Пояснения"].iter_rows(values_only=True)]
    assert notes[0] == ("Столбец", "Обязательный", "Что указать", "Пример")
    described = {row[0] for row in notes[1:]}
    assert {c.header for c in schema.columns} <= described


def test_every_template_imports_cleanly_in_order_and_again_unchanged(world, do_import):
    for kind in KINDS:
        result = do_import(world, kind, template_xlsx(kind), f"{kind}.xlsx")
        assert result.ok, (kind, result.errors)
        assert result.added + result.changed == 1, kind
    with Session(world.engine) as s:
        history = import_history(
            template_xlsx("history"),
            "history.xlsx",
            session=s,
            college_id=world.college_id,
            actor=world.actor("officer"),
        )
    assert history.ok, history.errors
    assert history.counts["marks"] == 1
    for kind in KINDS:
        again = do_import(world, kind, template_xlsx(kind), f"{kind}.xlsx")
        assert (again.added, again.changed, again.unchanged) == (0, 0, 1), kind
