"""Моя группа: the curator keeps the group list true, issues diary credentials, records valid reasons
for absences and sees the group at a glance. The deputy director and the officer may pick any group.

Every action goes through app.services.curator, which checks the group on the server, audits the
change and refuses with a Russian message; the page only collects input and shows the answer.
The tabs are app.ui.my_group_people and app.ui.my_group_journal.
"""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import Role
from app.errors import DomainError
from app.services import curator
from app.services.journal import college_today
from app.ui import my_group as ui
from app.ui.diary import average_text
from app.ui.my_group import FLASH, Group
from app.ui.my_group_journal import announcements_tab, subgroups_tab, valid_reasons_tab
from app.ui.my_group_people import credentials_tab, guardians_tab, list_tab, students_tab
from app.ui.page import audit_view_once, page_link, require_page, show_flash
from app.ui.text import md

actor = require_page(__file__)
st.title("Моя группа")
with Session(get_engine()) as db:
    today = college_today(session=db)
    my_groups = curator.groups(actor, session=db)
if not my_groups:
    st.info("Вы не назначены куратором ни одной группы. Куратора назначает заместитель директора по УР.")
    st.stop()

group_names = {
    g.id: g.name + (f" · куратор {g.curator}" if g.curator and actor.has(Role.deputy, Role.officer) else "")
    for g in my_groups
}
if len(my_groups) > 1:
    group_id = st.selectbox(
        "Группа", list(group_names), format_func=group_names.__getitem__, key="my_group_id"
    )
else:
    group_id = my_groups[0].id

show_flash(FLASH)


try:
    with Session(get_engine()) as db:
        # group_list checks on the server that the user keeps this group: only then is it counted
        rows = curator.group_list(actor, group_id, session=db, include_left=True)
        current_count = sum(1 for r in rows if r.left_on is None)
        glance = ui.warehouse_glance(actor.college_id, group_id, today, current_count)
except DomainError as exc:
    st.error(exc.message)
    st.stop()
current = [r for r in rows if r.left_on is None]
by_id = {r.id: r for r in rows}
group_name = next(g.name for g in my_groups if g.id == group_id)
audit_view_once(actor, "group.view", entity="study_group", entity_id=group_id)

# --------------------------------------------------------------------------- at a glance

st.subheader(group_name)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Студентов", current_count)
if glance is None:
    # one home for these figures: the marts (the same ones «Успеваемость» and «Посещаемость» show)
    st.info(
        "Средний балл, пропуски и группа риска появятся после первой загрузки аналитики: её делает "
        "«ejournal serve» при запуске и затем каждые несколько секунд (или «ejournal etl run»)."
    )
else:
    m2.metric("Средний балл", average_text(glance.average), help=glance.average_help)
    m3.metric("Пропущено часов в месяце", glance.hours_missed, help=glance.hours_help)
    m4.metric("Группа риска", len(glance.at_risk), help=glance.risk_help)
    if glance.at_risk:
        with st.expander(f"Группа риска: {len(glance.at_risk)}"):
            for name, reasons in glance.at_risk:
                st.markdown(f"**{md(name)}** — {md(reasons)}")
    st.caption(glance.freshness.capitalize() + ".")


with st.container(horizontal=True):
    for name, label in (
        ("attendance", "Посещаемость группы"),
        ("progress", "Успеваемость группы"),
        ("diary", "Дневники студентов"),
    ):
        page_link(actor, name, label=label, query_params={"group": str(group_id)})

tabs = st.tabs(
    [
        "Список группы",
        "Студенты",
        "Родители",
        "Выдать доступ",
        "Уважительная причина",
        "Подгруппы по дисциплинам",
        "Объявления",
    ]
)

group = Group(group_id, group_name, rows, current, by_id, today)
for tab, show in zip(
    tabs,
    (
        list_tab,
        students_tab,
        guardians_tab,
        credentials_tab,
        valid_reasons_tab,
        subgroups_tab,
        announcements_tab,
    ),
    strict=True,
):
    with tab:
        show(actor, group)
