"""Импорт данных: the officer loads reference data from XLSX or CSV — all or nothing — with templates."""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.imports import KINDS
from app.imports.readers import FileRefused, read_table
from app.imports.schemas import ORDER_HINT, SCHEMAS, match_headers
from app.imports.service import import_file
from app.imports.templates import notes_frame, template_name, template_xlsx
from app.ui.imports import XLSX, preview, show
from app.ui.page import require_page

actor = require_page(__file__)
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
