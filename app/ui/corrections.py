"""Correction requests on screen: the teacher's panel under the lesson form, and row labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st
from sqlmodel import Session

from app.actor import Actor
from app.db import get_engine
from app.domain import WORK_KIND_LABELS, WorkKind, fmt_date
from app.errors import DomainError
from app.services.corrections import (
    MIN_REASON,
    STATUS_LABELS,
    CorrectableMark,
    RequestRow,
    correctable_marks,
    my_requests,
    request_correction,
)
from app.settings import get_settings
from app.ui.journal import mark_options, pair_label

PANEL_TITLE = "Заявка на исправление отметки"


def kind_label(kind: str) -> str:
    try:
        return WORK_KIND_LABELS[WorkKind(kind)]
    except ValueError:
        return kind


def fmt_moment(moment: datetime | None) -> str:
    return moment.astimezone(get_settings().tz).strftime("%d.%m.%Y %H:%M") if moment else ""


def mark_label(mark: CorrectableMark) -> str:
    was = f" (исправлено: было {mark.original_value})" if mark.corrected else ""
    return f"{mark.student_name}: {mark.value}{was} — {kind_label(mark.work_kind)}"


def request_state(row: RequestRow) -> dict[str, Any]:
    """One request as the teacher sees it on the lesson screen."""
    return {
        "№": row.id,
        "Студент": row.student_name,
        "Отметка": f"{row.old_value} → {row.new_value}",
        "Причина": row.reason,
        "Состояние": STATUS_LABELS.get(row.status, row.status),
        "Решение": row.decision_comment,
        "Подана": fmt_moment(row.created_at),
    }


def history_row(row: RequestRow) -> dict[str, Any]:
    """One request in the deputy director's history and its Excel download."""
    return {
        "№": row.id,
        "Подана": fmt_moment(row.created_at),
        "Дата занятия": row.lesson_date,
        "Пара": row.pair_number,
        "Группа": row.group_name,
        "Дисциплина": row.subject_name,
        "Студент": row.student_name,
        "Вид работы": kind_label(row.work_kind),
        "Было": row.old_value,
        "Стало": row.new_value,
        "Причина": row.reason,
        "Подал(а)": row.requested_by,
        "Состояние": STATUS_LABELS.get(row.status, row.status),
        "Решение принял(а)": row.decided_by or "",
        "Дата решения": fmt_moment(row.decided_at),
        "Комментарий": row.decision_comment,
    }


def lesson_title(row: RequestRow) -> str:
    return (
        f"{fmt_date(row.lesson_date)}, {pair_label(row.pair_number)} · {row.group_name} · {row.subject_name}"
    )


def request_panel(actor: Actor, lesson_id: int, *, credit_allowed: bool) -> None:
    """Under the lesson form: file a request on one of this lesson's marks, see the earlier ones."""
    with Session(get_engine()) as db:
        marks = correctable_marks(actor, lesson_id, session=db)
        requests = my_requests(actor, lesson_id=lesson_id, session=db)
    if not marks and not requests:
        return
    flash_key = f"correction_flash_{lesson_id}"
    flash = st.session_state.pop(flash_key, None)
    # Bumped after a request is filed, so the inputs start empty again.
    generation = st.session_state.get(f"correction_gen_{lesson_id}", 0)
    with st.expander(PANEL_TITLE, expanded=flash is not None, icon=":material/edit:"):
        if flash:
            st.success(flash)
        st.caption(
            "Выставленная отметка не изменяется (§4.2.1 Положения). Заместитель директора по УР рассмотрит "
            "заявку; при одобрении новая отметка записывается рядом с прежней, и прежняя остаётся видна."
        )
        open_marks = {m.mark_id: m for m in marks if m.pending_request_id is None}
        if open_marks:
            with st.form(f"correction_form_{lesson_id}"):
                mark_id = st.selectbox(
                    "Отметка",
                    list(open_marks),
                    format_func=lambda i: mark_label(open_marks[i]),
                    index=None,
                    placeholder="— выберите отметку —",
                    key=f"correction_mark_{lesson_id}_{generation}",
                )
                value = st.selectbox(
                    "Новая отметка",
                    mark_options(credit_allowed)[1:],
                    index=None,
                    placeholder="·",
                    key=f"correction_value_{lesson_id}_{generation}",
                )
                reason = st.text_area(
                    "Причина исправления",
                    placeholder=f"Что было ошибкой (не короче {MIN_REASON} символов)",
                    height=80,
                    key=f"correction_reason_{lesson_id}_{generation}",
                )
                sent = st.form_submit_button("Подать заявку")
            if sent:
                if mark_id is None or value is None:
                    st.error("Выберите отметку и новое значение.")
                else:
                    try:
                        with Session(get_engine()) as db:
                            request_id = request_correction(actor, mark_id, value, reason, session=db)
                    except DomainError as exc:
                        st.error(exc.message)  # the form keeps what was typed
                    else:
                        st.session_state[f"correction_gen_{lesson_id}"] = generation + 1
                        st.session_state[flash_key] = (
                            f"Заявка №{request_id} подана: её рассмотрит заместитель директора по УР."
                        )
                        st.rerun()
        elif marks:
            st.info("По всем отметкам занятия уже поданы заявки: дождитесь решения.")
        if requests:
            st.markdown("**Поданные заявки**")
            st.dataframe([request_state(r) for r in requests], hide_index=True, width="stretch")
