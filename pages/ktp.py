"""КТП: the teacher drafts the календарно-тематический план of their own group × subject (on the page
or from the import template's file); the deputy director approves or rejects the drafts."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from app.actor import Actor
from app.db import get_engine
from app.domain import KtpStatus, Role
from app.errors import DomainError
from app.imports.readers import FileRefused
from app.imports.templates import template_name, template_xlsx
from app.services import ktp
from app.ui import ktp as ui
from app.ui.page import require_page
from app.ui.widgets import table

actor = require_page(__file__)
FLASH = "ktp_flash"

st.title("КТП")
st.caption(
    "Календарно-тематическое планирование: темы по порядку с разделом, часами и видом занятия. "
    "Преподаватель заносит КТП своей дисциплины (§3.2.4 Положения) и отвечает за его прохождение "
    "своевременно и в полном объёме (§4.3); каждое сохранение — новая версия, заместитель директора по УР "
    "её утверждает. Темы занятий в «Журнале» выбираются из утверждённой версии."
)
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)


def done(message: str) -> None:
    st.session_state[FLASH] = message
    st.rerun()


def show_check(total: int, planned: int) -> bool:
    ok, message = ui.hours_check(total, planned)
    (st.success if ok else st.warning)(message)
    return ok


def teacher_view(actor: Actor) -> None:
    with Session(get_engine()) as db:
        items = ktp.my_items(actor, session=db)
    if not items:
        st.info(
            "В учебном плане за вами не закреплено ни одной дисциплины. КТП составляет преподаватель, "
            "который ведёт дисциплину в группе: обратитесь к ответственному за электронный журнал."
        )
        return
    by_id = {i.id: i for i in items}
    chosen = st.selectbox(
        "Группа и дисциплина", list(by_id), format_func=lambda i: ui.item_label(by_id[i]), key="ktp_item"
    )
    item = by_id[chosen if chosen is not None else items[0].id]
    with Session(get_engine()) as db:
        versions = ktp.versions(actor, item.id, session=db)
        approved = next((v for v in versions if v.status is KtpStatus.approved), None)
        latest = versions[0] if versions else None
        approved_topics = ktp.version_topics(actor, approved.id, session=db) if approved else []
        # what editing starts from: a newer draft or rejected version, else the approved КТП
        base = (
            latest
            if latest is not None and latest.status in (KtpStatus.draft, KtpStatus.rejected)
            else approved
        )
        base_topics = ktp.version_topics(actor, base.id, session=db) if base else []

    st.markdown(f"По учебному плану: **{item.planned_hours} ч.** за {item.semester} семестр.")
    if approved:
        st.markdown(
            f"Утверждённая версия **{approved.number}**: тем {approved.topics}, часов {approved.hours}"
            + (f"; утвердил(а) {approved.decided_by}" if approved.decided_by else "")
            + (f", {ui.fmt_moment(approved.decided_at)}" if approved.decided_at else "")
            + "."
        )
    else:
        st.info("Утверждённого КТП нет: составьте его и отправьте на утверждение.")
    if latest is not None and latest.status is KtpStatus.draft:
        st.info(f"Версия {latest.number} на утверждении у заместителя директора по УР.")
    if latest is not None and latest.status is KtpStatus.rejected:
        st.warning(
            f"Версия {latest.number} отклонена"
            + (f" ({latest.decided_by})" if latest.decided_by else "")
            + f": {latest.decision_comment}"
        )

    shown, edit, upload, past = st.tabs(
        ["Утверждённый КТП", "Редактировать", "Загрузить из файла", "История версий"]
    )
    with shown:
        if approved:
            table(ui.topics_frame(approved_topics), name=f"КТП версия {approved.number}")
        else:
            st.info("Утверждённой версии пока нет.")

    with edit:
        if base is not None and base is not approved:
            st.caption(f"Правка начинается с версии {base.number} ({base.status_label}).")
        st.caption(ui.ORDER_HELP)
        edited = st.data_editor(
            ui.editor_frame(base_topics),
            key=f"ktp_editor_{item.id}_{base.id if base else 0}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                "№": st.column_config.NumberColumn(min_value=1, max_value=1000, step=1, format="%d"),
                "Раздел": st.column_config.TextColumn(max_chars=200),
                "Тема": st.column_config.TextColumn(max_chars=500, width="large"),
                "Часы": st.column_config.NumberColumn(
                    min_value=1, max_value=50, step=1, default=2, format="%d"
                ),
                "Вид занятия": st.column_config.SelectboxColumn(options=ui.KIND_OPTIONS),
                "Домашнее задание": st.column_config.TextColumn(max_chars=1000),
            },
        )
        topics, problems = ui.topics_of_rows(ui.editor_rows(edited))
        for problem in problems:
            st.error(problem)
        adds_up = bool(topics) and show_check(sum(t.hours for t in topics), item.planned_hours)
        if not topics:
            st.info("В таблице нет тем: добавьте строки (кнопка «+» под таблицей).")
        note = st.text_input(
            "Комментарий для заместителя директора (что изменено)", key=f"ktp_note_{item.id}"
        )
        if st.button(
            "Сохранить и отправить на утверждение",
            type="primary",
            disabled=bool(problems) or not adds_up,
            key=f"ktp_save_{item.id}",
        ):
            try:
                with Session(get_engine()) as db:
                    version_id = ktp.save_draft(actor, item.id, topics, note=note, session=db)
                    saved = next(v for v in ktp.versions(actor, item.id, session=db) if v.id == version_id)
            except DomainError as exc:
                st.error(exc.message)
            else:
                done(f"Сохранена версия {saved.number} КТП: она отправлена на утверждение.")

    with upload:
        st.markdown(
            "Файл — шаблон импорта «КТП» (те же столбцы, что у ответственного): темы только этой группы, "
            "дисциплины и семестра, «№» задаёт порядок."
        )
        c1, c2 = st.columns(2)
        c1.download_button(
            "Скачать шаблон",
            data=template_xlsx("ktp"),
            file_name=template_name("ktp"),
            mime=ui.XLSX,
            on_click="ignore",
            icon=":material/download:",
            key="ktp_template",
        )
        c2.download_button(
            "Скачать текущий КТП в формате шаблона",
            data=ui.version_xlsx(item, base_topics),
            file_name=ui.version_file_name(item, base.number if base else None),
            mime=ui.XLSX,
            on_click="ignore",
            icon=":material/download:",
            key=f"ktp_current_{item.id}",
            disabled=not base_topics,
        )
        file = st.file_uploader(
            "Файл Excel (.xlsx) или CSV", type=["xlsx", "csv", "txt"], key=f"ktp_upload_{item.id}"
        )
        if file is not None:
            data = file.getvalue()
            try:
                with Session(get_engine()) as db:
                    parsed = ktp.read_file(actor, item.id, data, file.name, session=db)
            except (FileRefused, DomainError) as exc:
                st.error(exc.message)
            else:
                st.caption(f"{parsed.description}; тем: {len(parsed.topics)}.")
                if parsed.errors:
                    st.error(f"В файле ошибок: {len(parsed.errors)}. Исправьте их и загрузите файл снова.")
                    st.dataframe(ui.issues_frame(parsed.errors), hide_index=True, width="stretch")
                else:
                    st.dataframe(ui.topics_frame(parsed.topics), hide_index=True, width="stretch")
                    file_ok = show_check(sum(t.hours for t in parsed.topics), item.planned_hours)
                    file_note = st.text_input(
                        "Комментарий для заместителя директора", key=f"ktp_fnote_{item.id}"
                    )
                    if st.button(
                        "Сохранить файл и отправить на утверждение",
                        type="primary",
                        disabled=not file_ok,
                        key=f"ktp_file_save_{item.id}",
                    ):
                        try:
                            with Session(get_engine()) as db:
                                ktp.upload_draft(actor, item.id, data, file.name, note=file_note, session=db)
                        except DomainError as exc:
                            st.error(exc.message)
                        else:
                            done("КТП из файла сохранён новой версией и отправлен на утверждение.")

    with past:
        history(actor, versions)


def history(actor: Actor, versions: list[ktp.VersionInfo]) -> None:
    if not versions:
        st.info("Версий КТП пока нет.")
        return
    st.dataframe(ui.versions_frame(versions), hide_index=True, width="stretch")
    by_id = {v.id: v for v in versions}
    chosen = st.selectbox(
        "Темы версии",
        list(by_id),
        format_func=lambda v: ui.version_label(by_id[v]),
        key=f"ktp_history_{versions[0].curriculum_item_id}",
    )
    if chosen is not None:
        with Session(get_engine()) as db:
            topics = ktp.version_topics(actor, chosen, session=db)
        table(
            ui.topics_frame(topics),
            name=f"История КТП — версия {by_id[chosen].number}",
            empty="В версии нет тем.",
        )


def deputy_view(actor: Actor) -> None:
    with Session(get_engine()) as db:
        waiting = ktp.pending(actor, session=db)
    waiting_tab, college_tab = st.tabs([f"На утверждении ({len(waiting)})", "КТП колледжа"])
    with waiting_tab:
        if not waiting:
            st.info("Версий КТП на утверждении нет.")
        for p in waiting:
            decide(actor, p)
    with college_tab:
        with Session(get_engine()) as db:
            items = ktp.college_items(actor, session=db)
        if not items:
            st.info("В учебном плане колледжа пока нет дисциплин.")
            return
        by_id = {i.id: i for i in items}
        chosen = st.selectbox(
            "Группа и дисциплина",
            list(by_id),
            format_func=lambda i: ui.item_label(by_id[i]),
            key="ktp_college_item",
        )
        item = by_id[chosen if chosen is not None else items[0].id]
        st.caption(f"Преподаватель: {item.teacher_name or '—'}; по учебному плану {item.planned_hours} ч.")
        with Session(get_engine()) as db:
            versions = ktp.versions(actor, item.id, session=db)
        history(actor, versions)


def decide(actor: Actor, p: ktp.PendingDraft) -> None:
    draft = p.draft
    with st.container(border=True):
        st.markdown(f"**{p.item.label}** — версия {draft.number}")
        st.caption(
            f"Составил(а): {draft.created_by or '—'}, {ui.fmt_moment(draft.created_at)}; {draft.source_label}; "
            f"тем {draft.topics}, часов {draft.hours} (по учебному плану {p.item.planned_hours})."
        )
        if draft.note:
            st.markdown(f"Комментарий преподавателя: {draft.note}")
        with Session(get_engine()) as db:
            new = ktp.version_topics(actor, draft.id, session=db)
            old = ktp.version_topics(actor, p.approved.id, session=db) if p.approved else []
        changes = ktp.diff(old, new)
        against = f"с утверждённой версией {p.approved.number}" if p.approved else "утверждённой версии нет"
        st.markdown(
            f"Сравнение {against}: {ktp.diff_summary(changes)}" if p.approved else f"{against.capitalize()}."
        )
        if changes and p.approved:
            st.dataframe(ui.diff_frame(changes), hide_index=True, width="stretch")
        with st.expander(f"Все темы версии {draft.number}"):
            st.dataframe(ui.topics_frame(new), hide_index=True, width="stretch")
        with st.form(f"ktp_decide_{draft.id}"):
            comment = st.text_input(
                "Комментарий к решению",
                key=f"ktp_comment_{draft.id}",
                placeholder="Обязателен при отклонении",
            )
            c1, c2 = st.columns(2)
            approved = c1.form_submit_button("Утвердить", type="primary", key=f"ktp_approve_{draft.id}")
            rejected = c2.form_submit_button("Отклонить", key=f"ktp_reject_{draft.id}")
        if approved or rejected:
            try:
                with Session(get_engine()) as db:
                    if approved:
                        ktp.approve(actor, draft.id, comment, session=db)
                    else:
                        ktp.reject(actor, draft.id, comment, session=db)
            except DomainError as exc:
                st.error(exc.message)
            else:
                done(
                    f"Версия {draft.number} КТП ({p.item.label}) утверждена: темы занятий выбираются из неё."
                    if approved
                    else f"Версия {draft.number} КТП ({p.item.label}) отклонена и возвращена преподавателю."
                )


if actor.has(Role.teacher) and actor.has(Role.deputy):
    mine, deputy = st.tabs(["Мои КТП", "Утверждение КТП"])
    with mine:
        teacher_view(actor)
    with deputy:
        deputy_view(actor)
elif actor.has(Role.deputy):
    deputy_view(actor)
else:
    teacher_view(actor)
