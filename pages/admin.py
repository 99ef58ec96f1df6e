"""Администрирование: the officer runs the accounts (§4.3 of the regulation); the director reads."""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import GRANTABLE_ROLES, ROLE_LABELS, Role
from app.services import admin
from app.ui.admin import accounts_frame, role_choices, sessions_frame, staff_slip
from app.ui.page import act, require_page, show_flash
from app.ui.text import md
from app.ui.widgets import download, table

actor = require_page(__file__)
can_edit = actor.has(Role.officer)
FLASH = "admin_flash"
PASSWORD = "admin_new_password"  # shown once, for the slip; dropped when another account is chosen


def new_password(db: Session, user_id: int, reason: str) -> None:
    password = admin.reset_password(actor, user_id, reason=reason, session=db)
    st.session_state[PASSWORD] = (user_id, password)  # shown once, below the account


st.title("Администрирование")
st.caption(
    "Учётные записи сотрудников и их роли. Каждое действие записывается в журнал аудита с причиной."
    + ("" if can_edit else " Директор видит записи, изменяет их ответственный за электронный журнал.")
)
show_flash(FLASH)

c1, c2 = st.columns([3, 2])
text = c1.text_input("Поиск", placeholder="логин или часть ФИО", key="admin_find")
role_filter = c2.selectbox(
    "Роль",
    [None, *Role],
    format_func=lambda r: "все роли" if r is None else ROLE_LABELS[r],
    key="admin_role",
)
with Session(get_engine()) as db:
    found = admin.find_accounts(actor, text=text, role=role_filter, session=db)
    groups = admin.college_groups(actor, session=db)
if len(found) == admin.FIND_LIMIT:
    st.caption(f"Показаны первые {admin.FIND_LIMIT}: уточните поиск.")
table(accounts_frame(found), name="Учётные записи", empty="Учётных записей не найдено: измените поиск.")
if not found:
    st.stop()

by_id = {a.user_id: a for a in found}
chosen = st.selectbox(
    "Учётная запись",
    list(by_id),
    format_func=lambda uid: f"{by_id[uid].full_name} ({by_id[uid].login})",
    key="admin_account",
)
if st.session_state.get(PASSWORD, (None,))[0] != chosen:
    st.session_state.pop(PASSWORD, None)
with Session(get_engine()) as db:
    account = admin.account(actor, chosen, session=db)
    open_sessions = admin.open_sessions(actor, chosen, session=db)

with st.container(border=True):
    st.subheader(md(account.full_name))
    st.markdown(f"Логин: **{md(account.login)}** · состояние: {account.status}")
    st.markdown("Роли: " + (md(", ".join(account.roles)) if account.roles else "нет"))
    st.caption(f"Открытых сеансов: {len(open_sessions)}")
    if open_sessions:
        table(sessions_frame(open_sessions), name="Открытые сеансы", empty="")

issued = st.session_state.get(PASSWORD)
if issued and issued[0] == account.user_id:
    st.warning(
        f"Новый временный пароль: `{issued[1]}` — передайте его лично; после ухода со страницы "
        "его не увидеть. Сотрудник сменит его при первом входе."
    )
    download(
        "Бланк с реквизитами (PDF)",
        data=staff_slip(actor, account, issued[1]),
        file_name=f"Доступ к журналу — {account.full_name}.pdf",
        mime="application/pdf",
        icon=":material/print:",
        key=f"admin_slip_{account.user_id}",
    )

if not can_edit:
    st.stop()

grant_tab, revoke_tab, state_tab, sessions_tab = st.tabs(
    ["Выдать роль", "Снять роль", "Доступ и пароль", "Сеансы"]
)
with grant_tab, st.form("admin_grant", clear_on_submit=True):
    role = st.selectbox(
        "Роль", list(GRANTABLE_ROLES), format_func=ROLE_LABELS.__getitem__, key="admin_grant_role"
    )
    group = st.selectbox(
        "Группа (для куратора)",
        [None, *groups],
        format_func=lambda g: "—" if g is None else groups[g],
        key="admin_grant_group",
    )
    reason = st.text_input("Причина", placeholder="приказ № … от …", key="admin_grant_reason")
    if st.form_submit_button("Выдать роль", key="admin_grant_submit"):
        act(
            FLASH,
            f"{md(account.full_name)}: выдана роль «{ROLE_LABELS[role]}»"
            + (f" группы {md(groups[group])}" if role is Role.curator and group else "")
            + ".",
            lambda db: admin.grant_role(
                actor, account.user_id, role, group_id=group, reason=reason, session=db
            ),
        )

with revoke_tab:
    choices = role_choices(account)
    if not choices:
        st.info("Ролей сотрудника у этой учётной записи нет.")
    else:
        with st.form("admin_revoke", clear_on_submit=True):
            pick = st.selectbox(
                "Роль", list(choices), format_func=choices.__getitem__, key="admin_revoke_role"
            )
            reason = st.text_input("Причина", placeholder="приказ № … от …", key="admin_revoke_reason")
            if st.form_submit_button("Снять роль", key="admin_revoke_submit"):
                what, group_id = pick
                act(
                    FLASH,
                    f"{md(account.full_name)}: снята роль «{md(choices[pick])}».",
                    lambda db: admin.revoke_role(
                        actor, account.user_id, what, group_id=group_id, reason=reason, session=db
                    ),
                )

with state_tab, st.form("admin_state", clear_on_submit=True):
    reason = st.text_input(
        "Причина", placeholder="увольнение, отпуск, забыт пароль …", key="admin_state_reason"
    )
    b1, b2, b3 = st.columns(3)
    switch = b1.form_submit_button(
        "Включить" if not account.is_active else "Отключить", key="admin_switch_submit"
    )
    lift = b2.form_submit_button("Снять блокировку", disabled=not account.locked, key="admin_unlock_submit")
    reset = b3.form_submit_button(
        "Новый временный пароль", disabled=not account.is_active, key="admin_reset_submit"
    )
    if switch:
        act(
            FLASH,
            f"Учётная запись «{account.login}» {'включена' if not account.is_active else 'отключена'}.",
            lambda db: admin.set_active(
                actor, account.user_id, not account.is_active, reason=reason, session=db
            ),
        )
    if lift:
        act(
            FLASH,
            f"Блокировка учётной записи «{account.login}» снята.",
            lambda db: admin.unlock(actor, account.user_id, reason=reason, session=db),
        )
    if reset:
        act(
            FLASH,
            f"Выдан новый временный пароль для «{account.login}».",
            lambda db: new_password(db, account.user_id, reason),
        )

with sessions_tab:
    if not open_sessions:
        st.info("Открытых сеансов нет: сотрудник сейчас не в системе.")
    else:
        with st.form("admin_sessions", clear_on_submit=True):
            st.caption(
                "Завершённый сеанс закрывается при следующем действии в браузере: сотрудник увидит "
                "страницу входа. Пароль при этом не меняется."
            )
            reason = st.text_input(
                "Причина",
                placeholder="потерян телефон, вход с чужого компьютера …",
                key="admin_sessions_reason",
            )
            if st.form_submit_button(
                f"Завершить все сеансы ({len(open_sessions)})", key="admin_sessions_submit"
            ):
                act(
                    FLASH,
                    f"Сеансы учётной записи «{account.login}» завершены: {len(open_sessions)}.",
                    lambda db: admin.end_sessions(actor, account.user_id, reason=reason, session=db),
                )
