"""The app's single entry point: an st.navigation router whose menu comes from the user's roles.

Roles are re-read from the database on every run (app.ui.session); each page checks them again
itself, so a page missing from the menu is not routable and one in it still guards itself.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import ROLE_LABELS, Role
from app.services.accounts import must_change_password
from app.ui import session
from app.ui.text import md

st.set_page_config(page_title="Электронный журнал", page_icon="📘", layout="wide")

actor = session.current()


def logout() -> None:
    session.logout()  # the next run finds the session ended and sends the browser to /login
    st.rerun()


if actor is None:
    # The default page, like «Главная» after login: the run after a login lands on the home page.
    st.navigation(
        [st.Page("pages/login.py", title="Вход", icon=":material/login:", default=True)], position="hidden"
    ).run()
    st.stop()
assert actor is not None

with Session(get_engine()) as db_session:
    forced_password_change = must_change_password(actor.user_id, session=db_session)

password_page = st.Page("pages/password.py", title="Смена пароля", icon=":material/key:")
help_page = st.Page("pages/help.py", title="Справка", icon=":material/help:")
logout_page = st.Page(logout, title="Выход", icon=":material/logout:", url_path="logout")

with st.sidebar:
    st.markdown(f"**{md(actor.full_name)}**")
    st.caption(", ".join(ROLE_LABELS[r] for r in sorted(actor.roles, key=list(Role).index)))

if forced_password_change:
    # A one-time password only opens the page where it is replaced.
    st.navigation([password_page, logout_page]).run()
    st.stop()

menu: dict[str, list[st.Page]] = {
    "": [st.Page("pages/home.py", title="Главная", icon=":material/home:", default=True)]
}
if actor.has(Role.teacher):
    menu[""].append(st.Page("pages/journal.py", title="Журнал", icon=":material/edit_note:"))
    menu[""].append(st.Page("pages/my_remarks.py", title="Мои замечания", icon=":material/assignment_late:"))
if actor.has(Role.teacher, Role.curator, Role.deputy, Role.director):
    menu[""].append(st.Page("pages/group_journal.py", title="Журнал группы", icon=":material/grid_on:"))
if actor.has(Role.teacher, Role.deputy):
    menu[""].append(st.Page("pages/ktp.py", title="КТП", icon=":material/list_alt:"))
if actor.has(Role.teacher, Role.curator, Role.deputy, Role.director):
    menu[""].append(st.Page("pages/attestation.py", title="Аттестация", icon=":material/workspace_premium:"))
if actor.has(Role.teacher, Role.curator, Role.deputy, Role.director, Role.officer):
    menu[""].append(
        st.Page("pages/academic_calendar.py", title="Учебный календарь", icon=":material/calendar_month:")
    )
if actor.has(Role.student, Role.guardian, Role.curator, Role.deputy, Role.director):
    menu[""].append(st.Page("pages/diary.py", title="Дневник", icon=":material/menu_book:"))
if actor.has(Role.curator, Role.deputy, Role.officer):
    menu[""].append(st.Page("pages/my_group.py", title="Моя группа", icon=":material/groups:"))
if actor.has(Role.deputy, Role.officer):
    menu[""].append(st.Page("pages/substitutions.py", title="Замены", icon=":material/swap_horiz:"))
    menu[""].append(
        st.Page("pages/timetable_changes.py", title="Изменения расписания", icon=":material/event_repeat:")
    )
if actor.has(Role.deputy):
    menu[""].append(st.Page("pages/corrections.py", title="Исправления отметок", icon=":material/rule:"))
analytics = []
if actor.has(Role.deputy, Role.officer, Role.director):
    analytics.append(
        st.Page("pages/completeness.py", title="Заполнение журналов", icon=":material/fact_check:")
    )
if actor.has(Role.deputy, Role.director, Role.curator):
    analytics.append(st.Page("pages/attendance.py", title="Посещаемость", icon=":material/event_busy:"))
if actor.has(Role.deputy, Role.director, Role.curator, Role.teacher):
    analytics.append(st.Page("pages/progress.py", title="Успеваемость", icon=":material/school:"))
if actor.has(Role.deputy, Role.director, Role.curator):
    analytics.append(st.Page("pages/reports.py", title="Отчёты", icon=":material/description:"))
if analytics:
    menu["Аналитика"] = analytics
if actor.has(Role.officer, Role.director):
    menu.setdefault("Администрирование", []).append(
        st.Page("pages/admin.py", title="Учётные записи", icon=":material/manage_accounts:")
    )
if actor.has(Role.officer):
    menu.setdefault("Администрирование", []).append(
        st.Page("pages/import_data.py", title="Импорт данных", icon=":material/upload_file:")
    )
menu["Учётная запись"] = [help_page, password_page, logout_page]

st.navigation(menu).run()
