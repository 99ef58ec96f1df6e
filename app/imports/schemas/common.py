"""What a column and a schema of an import kind are, and how a file's header and rows are read
against one: every cell parsed, references resolved, repeats of a natural key reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.domain import Role
from app.imports.cells import Parser, as_text, norm, norm_header, text
from app.imports.readers import Issue, SourceRow, Table

# (reference kind, parsed text) -> the entity, or ValueError with a Russian message
Resolver = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Parser
    help: str
    example: str
    required: bool = True
    default: Any = None  # for an optional cell left empty
    ref: str | None = None  # "group", "teacher", "subject": resolved against the database
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # column keys of the natural key inside the file
    purpose: str
    before: str = ""  # what must be imported first
    # who may import it, and what the others are told
    roles: frozenset[Role] = frozenset({Role.officer})
    refusal: str = "Импортировать данные может только ответственный за электронный журнал."

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass
class Record:
    row: int
    values: dict[str, Any]
    present: frozenset[str]  # columns the file has (absent optional columns leave fields untouched)
    raw: dict[str, str] = field(default_factory=dict)  # cells as typed, for messages


def match_headers(schema: Schema, table: Table) -> tuple[dict[str, int], list[Issue]]:
    """Column key -> index in the file; and what is missing or doubled."""
    by_name: dict[str, Column] = {}
    for c in schema.columns:
        for name in (c.header, *c.aliases):
            by_name[norm_header(name)] = c
    found: dict[str, int] = {}
    issues: list[Issue] = []
    for index, header in enumerate(table.headers):
        column = by_name.get(norm_header(header))
        if column is None:
            continue  # extra columns are allowed and ignored
        if column.key in found:
            issues.append(
                Issue(
                    table.header_row,
                    column.header,
                    f"Столбец «{column.header}» встречается в заголовке дважды: оставьте один.",
                )
            )
            continue
        found[column.key] = index
    if not found:
        expected = ", ".join(f"«{c.header}»" for c in schema.columns if c.required)
        issues.append(
            Issue(
                table.header_row,
                "",
                f"В строке заголовка не найдено ни одного знакомого столбца. Проверьте, что выбран вид "
                f"данных «{schema.title}», что первая заполненная строка — заголовок, и что файл в UTF-8 "
                f"или Windows-1251. Нужны столбцы: {expected}.",
            )
        )
        return found, issues
    for c in schema.columns:
        if c.required and c.key not in found:
            issues.append(
                Issue(
                    table.header_row,
                    c.header,
                    f"Нет обязательного столбца «{c.header}»: добавьте его в строку заголовка "
                    f"(строка {table.header_row}). {c.help}",
                )
            )
    return found, issues


def parse_rows(
    schema: Schema, table: Table, columns: dict[str, int], resolve: Resolver, *, check_keys: bool = True
) -> tuple[list[Record], list[Issue]]:
    """Every row's cells parsed and references resolved. Rows with a cell error, and repeats of a key
    already seen, are left out: the rest is still checked further, so one pass reports every error."""
    records: list[Record] = []
    issues: list[Issue] = []
    for row in table.rows:
        record, row_issues = _parse_row(schema, row, columns, resolve)
        issues.extend(row_issues)
        if record is not None:
            records.append(record)
    if check_keys:
        records, repeats = unique_keys(schema, records)
        issues.extend(repeats)
    return records, issues


def _parse_row(
    schema: Schema, row: SourceRow, columns: dict[str, int], resolve: Resolver
) -> tuple[Record | None, list[Issue]]:
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    issues: list[Issue] = []
    for c in schema.columns:
        if c.key not in columns:
            continue
        index = columns[c.key]
        cell = row.cells[index] if index < len(row.cells) else None
        if cell is None:
            if c.required:
                issues.append(Issue(row.number, c.header, f"Не заполнено обязательное поле «{c.header}»."))
            values[c.key] = c.default
            continue
        raw[c.key] = as_text(cell)
        try:
            value = c.parse(cell)
            if c.ref is not None:
                value = resolve(c.ref, value)
        except ValueError as exc:
            issues.append(Issue(row.number, c.header, str(exc)))
            continue
        values[c.key] = value
    for c in schema.columns:
        if c.key not in columns:
            values.setdefault(c.key, c.default)
    if issues:
        return None, issues
    return Record(row.number, values, frozenset(columns), raw), []


def key_of(schema: Schema, record: Record) -> tuple[Any, ...]:
    def part(value: Any) -> Any:
        if isinstance(value, str):
            return norm(value)
        if hasattr(value, "id"):
            return (type(value).__name__, value.id)
        return value

    return tuple(part(record.values.get(k)) for k in schema.key)


def unique_keys(schema: Schema, records: list[Record]) -> tuple[list[Record], list[Issue]]:
    """The records with their first occurrence of each natural key, and an issue per repeat."""
    seen: dict[tuple[Any, ...], int] = {}
    unique: list[Record] = []
    issues: list[Issue] = []
    first_column = schema.column(schema.key[0]).header
    names = ", ".join(f"«{schema.column(k).header}»" for k in schema.key)
    for record in records:
        key = key_of(schema, record)
        if key in seen:
            shown = ", ".join(record.raw.get(k, "") or "—" for k in schema.key)
            issues.append(
                Issue(
                    record.row,
                    first_column,
                    f"Повтор: строка с теми же значениями ({names}: {shown}) уже есть в строке "
                    f"{seen[key]}. Оставьте одну из них.",
                )
            )
        else:
            seen[key] = record.row
            unique.append(record)
    return unique, issues


# The group a row belongs to: the people kinds (students) and the studies kinds name it alike.
GROUP_COLUMN = Column(
    "group", "Группа", text(50), "Название учебной группы, как в журнале.", "ИСП-21", ref="group"
)
