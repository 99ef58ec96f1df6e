"""Исправления отметок: the deputy director decides teachers' correction requests; the history."""

from datetime import timedelta

import polars as pl
import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.errors import DomainError
from app.services.corrections import STATUS_LABELS, approve, history, list_pending, reject
from app.services.journal import college_today
from app.ui import corrections as ui
from app.ui.page import require_page
from app.ui.text import md
from app.ui.widgets import table

actor = require_page(__file__)
FLASH = "corrections_flash"

with Session(get_engine()) as db:
    today = college_today(session=db)
    pending = list_pending(actor, session=db)

st.title("Исправления отметок")
st.caption(
    "Выставленная отметка не изменяется (§4.2.1 Положения). Одобренное исправление записывается новой "
    "отметкой рядом с прежней: в журнале и дневнике видно «исправлено: было …, причина …»."
)
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)

waiting_tab, history_tab = st.tabs([f"На рассмотрении ({len(pending)})", "История"])
with waiting_tab:
    if not pending:
        st.info("Заявок на рассмотрении нет.")
    for row in pending:
        with st.container(border=True):
            st.markdown(f"**Заявка №{row.id}** · {md(ui.lesson_title(row))}")
            st.markdown(
                f"{md(row.student_name)}, {ui.kind_label(row.work_kind).lower()}: "
                f"**{md(row.old_value)} → {md(row.new_value)}**"
            )
            st.markdown(f"Причина: {md(row.reason)}")
            st.caption(f"Подал(а): {md(row.requested_by)}, {ui.fmt_moment(row.created_at)}")
            with st.form(f"decide_{row.id}"):
                comment = st.text_input(
                    "Комментарий к решению",
                    key=f"decision_comment_{row.id}",
                    placeholder="Обязателен при отклонении",
                )
                c1, c2 = st.columns(2)
                approved = c1.form_submit_button("Одобрить", type="primary", key=f"approve_{row.id}")
                rejected = c2.form_submit_button("Отклонить", key=f"reject_{row.id}")
            if approved or rejected:
                try:
                    with Session(get_engine()) as db:
                        if approved:
                            approve(actor, row.id, comment, session=db)
                        else:
                            reject(actor, row.id, comment, session=db)
                except DomainError as exc:
                    st.error(exc.message)
                else:
                    st.session_state[FLASH] = (
                        f"Заявка №{row.id} одобрена: отметка исправлена ({row.old_value} → {row.new_value})."
                        if approved
                        else f"Заявка №{row.id} отклонена."
                    )
                    st.rerun()

with history_tab:
    c1, c2 = st.columns(2)
    statuses = c1.multiselect(
        "Состояние",
        list(STATUS_LABELS),
        default=list(STATUS_LABELS),
        format_func=STATUS_LABELS.__getitem__,
    )
    period = c2.date_input(
        "Подана в период",
        value=(today - timedelta(days=30), today),
        format="DD.MM.YYYY",
        max_value=today,
    )
    # A range picker yields one date while the second is being chosen.
    bounds = tuple(period) if isinstance(period, tuple) else (period,)
    start = bounds[0] if bounds else None
    end = bounds[1] if len(bounds) > 1 else start
    with Session(get_engine()) as db:
        rows = history(actor, statuses=tuple(statuses), start=start, end=end, session=db)
    table(
        pl.DataFrame([ui.history_row(r) for r in rows]),
        name="Исправления отметок",
        empty="За выбранный период заявок нет.",
    )
