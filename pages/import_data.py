"""Импорт данных: the officer loads reference data from XLSX or CSV — all or nothing — with templates."""

import polars as pl
import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import Role
from app.exports.xlsx import to_xlsx
from app.imports import KINDS
from app.imports.readers import FileRefused, Table, read_table
from app.imports.schemas import ORDER_HINT, SCHEMAS, as_text, match_headers
from app.imports.service import ImportResult, import_file
from app.imports.templates import notes_frame, template_name, template_xlsx
from app.ui.page import require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 10


def preview(table: Table) -> pl.DataFrame:
    """The first rows as the file has them, every cell as text, with the spreadsheet's row numbers."""
    names: list[str] = []
    for i, header in enumerate(table.headers, start=1):
        name = header or f"Столбец {i}"
        names.append(name if name not in names else f"{name} ({i})")
    rows = [
        {"Строка": str(row.number)}
        | {name: as_text(row.cells[i]) if i < len(row.cells) else "" for i, name in enumerate(names)}
        for row in table.rows[:PREVIEW_ROWS]
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(["Строка", *names], pl.String))


def errors_frame(result: ImportResult) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Строка": [e.row for e in result.errors],
            "Столбец": [e.column for e in result.errors],
            "Что исправить": [e.message for e in result.errors],
        },
        schema={"Строка": pl.Int64, "Столбец": pl.String, "Что исправить": pl.String},
    )


def show(result: ImportResult) -> None:
    if not result.ok:
        st.error(result.summary())
        frame = errors_frame(result)
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button(
            "Скачать список ошибок (Excel)",
            data=to_xlsx({"Ошибки": frame}, title=f"Ошибки импорта «{result.title}»"),
            file_name=f"Ошибки импорта — {result.title}.xlsx",
            mime=XLSX,
            on_click="ignore",
            icon=":material/download:",
        )
        return
    st.success(result.summary())
    c1, c2, c3 = st.columns(3)
    c1.metric("Добавлено", result.added)
    c2.metric("Изменено", result.changed)
    c3.metric("Без изменений", result.unchanged)
    for note in result.notes:
        st.info(note)
    if result.credentials:
        # Shown on this run only: the passwords are not stored anywhere in clear.
        st.warning(
            "Созданы учётные записи с временными паролями. Пароли показываются один раз: скачайте или "
            "распечатайте их сейчас. При первом входе пароль нужно сменить."
        )
        frame = pl.DataFrame(
            {
                "ФИО": [c.full_name for c in result.credentials],
                "Логин": [c.login for c in result.credentials],
                "Временный пароль": [c.password for c in result.credentials],
            }
        )
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button(
            "Скачать реквизиты доступа (Excel)",
            data=to_xlsx({"Реквизиты": frame}, title="Реквизиты доступа преподавателей"),
            file_name="Реквизиты доступа.xlsx",
            mime=XLSX,
            on_click="ignore",
            icon=":material/download:",
        )


actor = require(Role.officer)
st.title("Импорт данных")
st.caption(
    ORDER_HINT + " Файл импортируется целиком или не импортируется совсем: при любой ошибке ничего не "
    "записывается. Повторный импорт того же файла ничего не меняет."
)

kind = st.selectbox("Что импортировать", list(KINDS), format_func=KINDS.__getitem__)
schema = SCHEMAS[kind]
st.markdown(" ".join(p for p in (schema.purpose, schema.before) if p))
c1, c2 = st.columns([1, 3])
c1.download_button(
    "Скачать шаблон",
    data=template_xlsx(kind),
    file_name=template_name(kind),
    mime=XLSX,
    on_click="ignore",
    icon=":material/download:",
)
with c2.expander("Столбцы файла"):
    st.dataframe(notes_frame(schema), hide_index=True, width="stretch")

upload = st.file_uploader(
    "Файл Excel (.xlsx) или CSV (UTF-8 или Windows-1251, разделитель «;» или «,»)",
    type=["xlsx", "csv", "txt"],
    key=f"upload_{kind}",
)
if upload is None:
    st.stop()
data = upload.getvalue()
try:
    table = read_table(data, upload.name)
except FileRefused as exc:
    st.error(exc.message)
    st.stop()

st.subheader("Первые строки файла")
st.caption(f"{table.description}; строк данных: {len(table.rows)}.")
st.dataframe(preview(table), hide_index=True, width="stretch")
_, header_issues = match_headers(schema, table)
for issue in header_issues:
    st.warning(issue.message)

if st.button("Импортировать", type="primary", icon=":material/upload:"):
    with Session(get_engine()) as db, st.spinner("Проверка и импорт…"):
        outcome = import_file(kind, data, upload.name, session=db, college_id=actor.college_id, actor=actor)
    show(outcome)
