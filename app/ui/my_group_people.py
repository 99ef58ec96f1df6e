"""Моя группа, the tabs of the group's people: the list, students, guardians, diary credentials.

Every action goes through app.services.curator, which checks the group on the server, audits the
change and refuses with a Russian message; the tabs only collect input and show the answer.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from app.actor import Actor
from app.db import get_engine
from app.domain import fmt_date
from app.errors import DomainError
from app.services import curator
from app.settings import get_settings
from app.ui import my_group as ui
from app.ui.my_group import FLASH, Group, pick_student
from app.ui.page import act
from app.ui.text import md
from app.ui.widgets import table

CREDS = "my_group_credentials"
EMAIL_HELP = (
    "Необязательно. На этот адрес приходят итоги недели и уведомления (пропуски, отметки «2»); "
    "от писем можно отписаться по ссылке в письме или в разделе «Уведомления» дневника."
)


# --------------------------------------------------------------------------- the list


def list_tab(actor: Actor, grp: Group) -> None:
    """The group list, with those who have left on request."""
    show_left = st.toggle("Показать выбывших", value=False, key="my_group_show_left")
    shown = grp.rows if show_left else grp.current
    table(ui.group_frame(shown), name=f"Список группы {grp.name}", empty="В группе нет студентов.")


# --------------------------------------------------------------------------- students


def students_tab(actor: Actor, grp: Group) -> None:
    """Add a student, change their data, or record that they left."""
    action = st.radio(
        "Действие", ["Добавить", "Изменить данные", "Выбытие"], horizontal=True, key="my_group_student_action"
    )
    if action == "Добавить":
        with st.form("student_add", clear_on_submit=False):
            c1, c2, c3 = st.columns(3)
            last = c1.text_input("Фамилия")
            first = c2.text_input("Имя")
            middle = c3.text_input("Отчество")
            c4, c5, c6 = st.columns(3)
            born = c4.date_input(
                "Дата рождения",
                value=None,
                format="DD.MM.YYYY",
                min_value=grp.today.replace(year=grp.today.year - 80),
            )
            subgroup = c5.radio("Подгруппа", [1, 2], horizontal=True)
            enrolled = c6.date_input("Дата зачисления", value=grp.today, format="DD.MM.YYYY")
            email = st.text_input("Эл. почта студента", help=EMAIL_HELP)
            submitted = st.form_submit_button("Добавить студента", type="primary")
        if submitted:
            act(
                FLASH,
                f"Студент {last} {first} добавлен(а) в группу.",
                lambda db: curator.add_student(
                    actor,
                    grp.id,
                    curator.StudentData(last, first, middle, born, int(subgroup or 1), enrolled, email),
                    session=db,
                ),
            )
    elif not grp.current:
        st.info("В группе нет студентов.")
    else:
        sid = pick_student(grp, "my_group_student")
        row = grp.by_id[sid]
        if action == "Изменить данные":
            with st.form(f"student_edit_{sid}"):
                c1, c2, c3 = st.columns(3)
                last = c1.text_input("Фамилия", value=row.last_name)
                first = c2.text_input("Имя", value=row.first_name)
                middle = c3.text_input("Отчество", value=row.middle_name)
                c4, c5 = st.columns(2)
                born = c4.date_input(
                    "Дата рождения",
                    value=row.birth_date,
                    format="DD.MM.YYYY",
                    min_value=grp.today.replace(year=grp.today.year - 80),
                )
                subgroup = c5.radio("Подгруппа", [1, 2], index=0 if row.subgroup == 1 else 1, horizontal=True)
                email = st.text_input("Эл. почта студента", value=row.email, help=EMAIL_HELP)
                submitted = st.form_submit_button("Сохранить", type="primary")
            if submitted:
                act(
                    FLASH,
                    "Данные студента сохранены.",
                    lambda db: curator.update_student(
                        actor,
                        sid,
                        curator.StudentData(last, first, middle, born, int(subgroup or 1), email=email),
                        session=db,
                    ),
                )
        else:
            st.info(
                "Выбывший студент уходит из списка группы и из журнала с даты выбытия; его отметки и "
                "посещаемость остаются в истории."
            )
            with st.form(f"student_out_{sid}"):
                left_on = st.date_input("Дата выбытия", value=grp.today, format="DD.MM.YYYY")
                reason = st.text_input(
                    "Основание", placeholder="приказ № … от ДД.ММ.ГГГГ (отчисление, перевод)"
                )
                submitted = st.form_submit_button("Отметить выбытие")
            if submitted:
                act(
                    FLASH,
                    f"{row.name}: выбытие с {fmt_date(left_on)} отмечено.",
                    lambda db: curator.move_out(actor, sid, left_on, reason, session=db),
                )


# --------------------------------------------------------------------------- guardians


def guardians_tab(actor: Actor, grp: Group) -> None:
    """A student's guardians: add, change, link one the college already has, unlink."""
    if not grp.current:
        st.info("В группе нет студентов.")
    else:
        sid = pick_student(grp, "my_group_guardian_student")
        row = grp.by_id[sid]
        if row.guardians:
            for g in row.guardians:
                st.markdown(
                    f"- {md(ui.guardian_label(g))}" + (f" · логин **{md(g.login)}**" if g.login else "")
                )
        else:
            st.caption("Родители (законные представители) не указаны.")
        action = st.radio(
            "Действие",
            ["Добавить", "Изменить данные", "Найти и привязать", "Отвязать"],
            horizontal=True,
            key="my_group_guardian_action",
        )
        if action == "Добавить":
            with st.form(f"guardian_add_{sid}"):
                c1, c2, c3 = st.columns(3)
                last = c1.text_input("Фамилия")
                first = c2.text_input("Имя")
                middle = c3.text_input("Отчество")
                c4, c5, c6 = st.columns(3)
                relation = c4.selectbox("Кем приходится", curator.RELATIONS)
                phone = c5.text_input("Телефон", placeholder="+7 912 345-67-89")
                email = c6.text_input("Эл. почта")
                submitted = st.form_submit_button("Добавить", type="primary")
            if submitted:
                act(
                    FLASH,
                    "Родитель добавлен.",
                    lambda db: curator.add_guardian(
                        actor,
                        sid,
                        curator.GuardianData(last, first, middle, phone, email),
                        relation or "родитель",
                        session=db,
                    ),
                )
        elif action == "Найти и привязать":
            st.caption(
                "Если родитель уже есть в колледже (например, у брата или сестры в другой группе), "
                "привяжите его, а не добавляйте заново: один вход откроет дневники всех его детей."
            )
            c1, c2 = st.columns(2)
            last = c1.text_input("Фамилия родителя", key="my_group_find_last")
            first = c2.text_input("Имя родителя", key="my_group_find_first")
            found = []
            if last.strip() and first.strip():
                with Session(get_engine()) as db:
                    found = curator.find_guardians(actor, last, first, session=db)
                if not found:
                    st.info("Никого не нашлось.")
            if found:
                labels = {
                    g.id: f"{g.name}"
                    + (f", тел. {g.phone}" if g.phone else "")
                    + (" · есть логин" if g.login else "")
                    for g in found
                }
                with st.form(f"guardian_link_{sid}"):
                    gid = st.selectbox("Найдено", list(labels), format_func=labels.__getitem__)
                    relation = st.selectbox("Кем приходится", curator.RELATIONS)
                    submitted = st.form_submit_button("Привязать", type="primary")
                if submitted and gid is not None:
                    act(
                        FLASH,
                        "Родитель привязан к студенту.",
                        lambda db: curator.link_guardian(actor, sid, gid, relation or "родитель", session=db),
                    )
        elif not row.guardians:
            st.info("У студента нет родителей в списке.")
        else:
            guardians = {g.id: g for g in row.guardians}
            gid = st.selectbox(
                "Родитель",
                list(guardians),
                format_func=lambda i: ui.guardian_label(guardians[i]),
                key=f"my_group_guardian_{sid}",
            )
            g = guardians[gid]
            if action == "Изменить данные":
                with st.form(f"guardian_edit_{gid}"):
                    c1, c2, c3 = st.columns(3)
                    last = c1.text_input("Фамилия", value=g.last_name)
                    first = c2.text_input("Имя", value=g.first_name)
                    middle = c3.text_input("Отчество", value=g.middle_name)
                    c4, c5 = st.columns(2)
                    phone = c4.text_input("Телефон", value=g.phone, placeholder="+7 912 345-67-89")
                    email = c5.text_input("Эл. почта", value=g.email)
                    submitted = st.form_submit_button("Сохранить", type="primary")
                if submitted:
                    act(
                        FLASH,
                        "Данные родителя сохранены.",
                        lambda db: curator.update_guardian(
                            actor,
                            gid,
                            curator.GuardianData(last, first, middle, phone, email),
                            session=db,
                        ),
                    )
            else:
                st.warning(f"{g.name} больше не сможет читать дневник студента {row.name}.")
                if st.button("Отвязать родителя", key=f"unlink_{sid}_{gid}"):
                    act(
                        FLASH,
                        "Родитель отвязан от студента.",
                        lambda db: curator.unlink_guardian(actor, sid, gid, session=db),
                    )


# --------------------------------------------------------------------------- credentials


def credentials_tab(actor: Actor, grp: Group) -> None:
    """Diary credentials for one person or the whole group, with slips to print."""
    issued_now = st.session_state.pop(CREDS, None)
    if issued_now:
        issued, skipped = issued_now
        if issued:
            st.success(
                f"Доступ к дневнику выдан: {issued[0].full_name}"
                if len(issued) == 1
                else f"Доступ к дневнику выдан: {len(issued)} чел."
            )
            st.download_button(
                "Памятки для печати (PDF)" if len(issued) > 1 else "Памятка для печати (PDF)",
                data=ui.slips_pdf(actor, issued, grp.name),
                file_name=ui.slips_file_name(issued, grp.name),
                mime="application/pdf",
                type="primary",
                icon=":material/print:",
                on_click="ignore",  # a rerun would drop the passwords shown once
            )
            if len(issued) == 1:
                st.code(ui.credentials_text(issued[0]), language=None)
            else:
                with st.expander("Логины и временные пароли"):
                    st.code("\n\n".join(ui.credentials_text(c) for c in issued), language=None)
            st.warning(
                "Пароли показаны один раз и больше нигде не хранятся: распечатайте памятки или передайте "
                "пароли сейчас. При первом входе пароль нужно сменить; временный пароль действует "
                f"{get_settings().initial_password_days} дн."
            )
        else:
            st.info("Новых реквизитов не понадобилось: у всех выбранных логин уже есть.")
        if skipped:
            with st.expander(f"Пропущены: {len(skipped)}", expanded=True):
                for line in skipped:
                    st.markdown(f"- {md(line)}")
    people = ui.person_options(grp.current)
    if not people:
        st.info("В группе нет студентов.")
    else:
        st.markdown("**Одному человеку**")
        with st.form("credentials"):
            who = st.selectbox("Кому", list(people), format_func=people.__getitem__)
            custom = st.text_input(
                "Логин (необязательно)",
                help="Для новой учётной записи; пусто — логин составится из фамилии и инициалов латиницей.",
            )
            submitted = st.form_submit_button("Выдать доступ", type="primary")
        st.caption(
            "Если логин уже выдан, он сохранится, а пароль заменится новым временным (прежний перестанет "
            "действовать)."
        )
        if submitted and who:
            kind, _, raw_id = who.partition(":")
            try:
                with Session(get_engine()) as db:
                    if kind == "student":
                        creds = curator.issue_student_credentials(
                            actor, int(raw_id), session=db, login=custom
                        )
                    else:
                        creds = curator.issue_guardian_credentials(
                            actor, int(raw_id), session=db, login=custom
                        )
            except DomainError as exc:
                st.error(exc.message)
            else:
                st.session_state[CREDS] = ([creds], [])
                st.rerun()

        st.markdown("**Всей группе**")
        with st.form("credentials_group"):
            c1, c2 = st.columns(2)
            for_students = c1.checkbox("Студентам", value=True)
            for_guardians = c2.checkbox("Родителям", value=True)
            reissue = st.checkbox(
                "Заменить пароли и тем, у кого логин уже есть",
                help="Прежние пароли перестанут действовать. Без отметки доступ получат только те, у кого "
                "логина ещё нет.",
            )
            group_submitted = st.form_submit_button("Выдать доступ группе и напечатать памятки")
        if group_submitted:
            try:
                with Session(get_engine()) as db:
                    batch = curator.issue_group_credentials(
                        actor,
                        grp.id,
                        session=db,
                        students=for_students,
                        guardians=for_guardians,
                        reissue=reissue,
                    )
            except DomainError as exc:
                st.error(exc.message)
            else:
                st.session_state[CREDS] = (batch.issued, batch.skipped)
                st.rerun()
