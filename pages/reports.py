"""Отчёты: semester and year reports on progress, attendance and контрольные работы, the curator's
group report and the information letter to a guardian, as PDF downloads."""

from datetime import date

import streamlit as st
from sqlmodel import Session

from app.analytics.common import filter_options
from app.db import get_engine
from app.domain import Role, fmt_date
from app.errors import DomainError
from app.reports.common import ReportError
from app.reports.guardian_letter import guardian_letter_pdf
from app.reports.options import curated_groups, group_students, student_guardians
from app.reports.progress_reports import (
    college_report_pdf,
    curator_report_pdf,
    group_report_pdf,
    period_label,
)
from app.services import notices
from app.services.journal import college_today
from app.ui.documents import pdf_button
from app.ui.page import act, require_page, show_flash
from app.ui.widgets import warehouse_or_stop


def _letter_pdf(db: Session, student_id: int, start: date, end: date, guardian_id: int | None) -> bytes:
    """The letter as the curator downloads it, its refusal as the action's."""
    try:
        return guardian_letter_pdf(
            student_id, start, end, guardian_id=guardian_id, curator_name=actor.full_name, session=db
        )
    except ReportError as exc:
        raise DomainError(str(exc)) from None


actor = require_page(__file__)
LETTER_FLASH = "reports_letter_flash"
st.title("Отчёты")
reader = warehouse_or_stop()
college_wide = actor.has(Role.deputy, Role.director)
with Session(get_engine()) as db:
    today = college_today(session=db)
    own_groups = curated_groups(actor, session=db) if actor.has(Role.curator) else {}
# The deputy director and the director see every group; a curator only the groups they lead.
groups = filter_options(reader, actor.college_id)["groups"] if college_wide else own_groups
if not groups:
    st.info("Вы не являетесь куратором ни одной группы — отчётов для вас нет.")
    st.stop()
deputy_name = actor.full_name if actor.has(Role.deputy) else ""

with st.container(border=True):
    c1, c2 = st.columns(2)
    kind = c1.radio(
        "Период отчёта",
        ["semester", "year"],
        format_func={"semester": "Семестр", "year": "Учебный год"}.__getitem__,
        horizontal=True,
    )
    anchor = c2.date_input("Дата в периоде", value=today, format="DD.MM.YYYY", max_value=today)
start, end, period = period_label(kind, anchor)
st.caption(
    f"Период: {period}. Показатели — по правилам «Сетевого города»: определения и N печатаются рядом с "
    "цифрами в каждом отчёте."
)

sections = ["Группа"] + (["Колледж"] if college_wide else []) + (["Письмо родителям"] if own_groups else [])
tabs = dict(zip(sections, st.tabs(sections), strict=True))

with tabs["Группа"]:
    group_id = st.selectbox("Группа", list(groups), format_func=groups.__getitem__, key="report_group")
    name = groups[group_id]
    own = group_id in own_groups
    signer_position = "Заместитель директора по УР" if college_wide and not own else f"Куратор группы {name}"
    signer = deputy_name if college_wide and not own else actor.full_name
    pdf_button(
        f"Отчёт по группе {name}: успеваемость, посещаемость, контрольные работы (PDF)",
        lambda: group_report_pdf(
            reader, actor.college_id, group_id, kind, anchor, signer_position=signer_position, signer=signer
        ),
        file_name=f"Отчёт {name} {start:%Y-%m-%d}.pdf",
        key="pdf_group_report",
    )
    st.caption(
        "Отчёт куратора за семестр — сводная ведомость отметок по дисциплинам и пропусков каждого студента, "
        "группа риска, задолженности; представляется заместителю директора по УР (§4.2.4 Положения)."
    )
    pdf_button(
        f"Отчёт куратора группы {name} за семестр (PDF)",
        lambda: curator_report_pdf(reader, actor.college_id, group_id, anchor),
        file_name=f"Отчёт куратора {name} {start:%Y-%m-%d}.pdf",
        key="pdf_curator_report",
    )

if "Колледж" in tabs:
    with tabs["Колледж"]:
        st.caption("Успеваемость по группам и дисциплинам, посещаемость, контрольные работы, задолженности.")
        pdf_button(
            "Отчёт по колледжу (PDF)",
            lambda: college_report_pdf(reader, actor.college_id, kind, anchor, signer=deputy_name),
            file_name=f"Отчёт по колледжу {start:%Y-%m-%d}.pdf",
            key="pdf_college_report",
        )

if "Письмо родителям" in tabs:
    with tabs["Письмо родителям"]:
        st.caption(
            "Информационное письмо родителям (законным представителям) об отметках и посещаемости студента "
            "за выбранный период — за подписью куратора."
        )
        letter_group = st.selectbox(
            "Группа", list(own_groups), format_func=own_groups.__getitem__, key="letter_group"
        )
        with Session(get_engine()) as db:
            students = group_students(actor.college_id, letter_group, session=db)
        if not students:
            st.info("В группе нет студентов.")
            st.stop()
        student_id = st.selectbox(
            "Студент", list(students), format_func=students.__getitem__, key="letter_student"
        )
        with Session(get_engine()) as db:
            guardians = student_guardians(student_id, session=db)
        guardian_id = st.selectbox(
            "Кому",
            [None, *guardians],
            format_func=lambda g: "Родителям (законным представителям)" if g is None else guardians[g],
            key="letter_guardian",
        )
        l1, l2 = st.columns(2)
        letter_from = l1.date_input(
            "С",
            value=max(start, today.replace(day=1)),
            format="DD.MM.YYYY",
            max_value=today,
            key="letter_from",
        )
        letter_to = l2.date_input("По", value=today, format="DD.MM.YYYY", max_value=today, key="letter_to")
        if isinstance(letter_from, date) and isinstance(letter_to, date) and letter_from <= letter_to:
            pdf_button(
                f"Информационное письмо: {students[student_id]}, {fmt_date(letter_from)} — {fmt_date(letter_to)}",
                lambda: guardian_letter_pdf(
                    student_id, letter_from, letter_to, guardian_id=guardian_id, curator_name=actor.full_name
                ),
                file_name=f"Письмо {students[student_id]} {letter_to:%Y-%m-%d}.pdf",
                key="pdf_guardian_letter",
            )
            if st.button(
                "Отправить родителям на эл. почту",
                icon=":material/forward_to_inbox:",
                key="email_guardian_letter",
            ):
                act(
                    LETTER_FLASH,
                    lambda n: f"Письмо поставлено в очередь на отправку: адресатов {n}.",
                    lambda db: notices.email_letter(
                        actor,
                        student_id,
                        letter_from,
                        letter_to,
                        _letter_pdf(db, student_id, letter_from, letter_to, guardian_id),
                        guardian_id=guardian_id,
                        session=db,
                    ),
                )
            show_flash(LETTER_FLASH)
        else:
            st.warning("Начало периода должно быть не позже его окончания.")
