"""How a page shows a spreadsheet import: the file's first rows, and the result with what to fix
(the «Импорт данных» and «Учебный календарь» pages)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.exports.xlsx import to_xlsx
from app.imports.cells import as_text
from app.imports.readers import Table
from app.imports.run import ImportResult

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
