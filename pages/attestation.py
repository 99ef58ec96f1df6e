"""Промежуточная аттестация: the attestation sheets of a half, filled by the subject's teacher
during the session; retakes; the deputy sets the session and closes the half."""

import polars as pl
import streamlit as st
from sqlmodel import Session

from app import calendar
from app.db import get_engine
from app.domain import Role, fmt_date
from app.reports.attestation_sheet import sheet_pdf, sheets_pdf
from app.services import attestation
from app.services.journal import college_today
from app.ui.page import act, require_page, show_flash
from app.ui.text import md
from app.ui.widgets import download, table

actor = require_page(__file__)
FLASH = "attestation_flash"
EMPTY = "—"


st.title("Промежуточная аттестация")
show_flash(FLASH)

with Session(get_engine()) as db:
    today = college_today(session=db)
now = calendar.Half.containing(today)
halves = [now]
for _ in range(3):
    halves.append(halves[-1].previous())


def half_label(h: calendar.Half) -> str:
    season = "осень" if h.half == 1 else "весна"
    return f"{h.year}/{h.year + 1}, {season} ({fmt_date(h.start)} — {fmt_date(h.end)})"


half = st.selectbox("Полугодие", halves, format_func=half_label, key="attestation_half")
assert half is not None
with Session(get_engine()) as db:
    window = calendar.session_window(actor.college_id, half, session=db)
    summaries = attestation.sheets(actor, half, session=db)
st.caption(
    f"Сессия: {fmt_date(window[0])} — {fmt_date(window[1])}. Ведомость заполняет преподаватель дисциплины "
    "(или заместитель директора) с начала сессии; отметка в ведомости не изменяется, задолженность "
    "закрывается пересдачей."
)

if actor.has(Role.deputy):
    with st.expander("Сессия и закрытие семестра (заместитель директора)"):
        with st.form("attestation_window"):
            c1, c2 = st.columns(2)
            starts = c1.date_input("Начало сессии", window[0], format="DD.MM.YYYY", key="attestation_starts")
            ends = c2.date_input("Окончание сессии", window[1], format="DD.MM.YYYY", key="attestation_ends")
            if st.form_submit_button("Сохранить даты сессии", key="attestation_window_submit"):
                act(
                    FLASH,
                    f"Сессия: {fmt_date(starts)} — {fmt_date(ends)}.",
                    lambda db: calendar.set_session_window(actor, half, starts, ends, session=db),
                )
        confirm = st.checkbox(
            "Все ведомости полугодия заполнены: после закрытия первые отметки не вносятся, только пересдачи",
            key="attestation_confirm",
        )
        deadline = st.date_input(
            "Пересдачи принимаются до",
            value=None,
            min_value=today,
            format="DD.MM.YYYY",
            help="Пусто — без срока.",
            key="attestation_deadline",
        )
        if st.button("Закрыть семестр", disabled=not confirm, key="attestation_close"):
            act(
                FLASH,
                "Семестр закрыт" + (f"; пересдачи до {fmt_date(deadline)}." if deadline else "."),
                lambda db: attestation.close_half(actor, half, retakes_until=deadline, session=db),
            )

if not summaries:
    st.info(
        "Ведомостей за это полугодие нет: у ваших дисциплин нет экзамена, зачёта или годовой отметки "
        "в этом семестре."
    )
    st.stop()

overview = pl.DataFrame(
    {
        "Ведомость": [s.title for s in summaries],
        "Форма": [s.form_label for s in summaries],
        "Заполнено": [f"{s.filled} из {s.students}" for s in summaries],
        "Задолженностей": [s.debts for s in summaries],
    }
)
table(overview, name="Ведомости", empty="")
deputy = actor.full_name if actor.has(Role.deputy) else ""  # who signs the printed sheets
printable = sorted({s.group_name for s in summaries})
c1, c2 = st.columns([2, 3])
print_group = c1.selectbox(
    "Напечатать ведомости",
    [None, *printable],
    format_func=lambda g: g or "все группы",
    key="attestation_print",
)
print_keys = [s.key for s in summaries if print_group in (None, s.group_name)]
print_title = f"{half_label(half)}" + (f", группа {print_group}" if print_group else "")


def all_sheets_pdf() -> bytes:
    # made on the click (deferred), not on every run: the whole session's sheets take seconds
    with Session(get_engine()) as db:
        chosen_sheets = [attestation.sheet(actor, i, kind=k, session=db) for i, k in print_keys]
        return sheets_pdf(chosen_sheets, session=db, college_id=actor.college_id, title=print_title,
                          deputy=deputy)  # fmt: skip


download(
    f"Все ведомости ({len(print_keys)}) для печати (PDF)",
    data=all_sheets_pdf,
    file_name=f"Ведомости {print_title}.pdf".replace("/", "_"),
    mime="application/pdf",
    key="attestation_all_pdf",
    icon=":material/print:",
    where=c2,
)
by_key = {s.key: s for s in summaries}
chosen = st.selectbox(
    "Ведомость",
    list(by_key),
    format_func=lambda k: f"{by_key[k].title} — {by_key[k].form_label}",
    key="attestation_item",
)
assert chosen is not None
with Session(get_engine()) as db:
    sheet = attestation.sheet(actor, chosen[0], kind=chosen[1], session=db)
sheet_id = f"{sheet.item_id}_{sheet.kind.value}"

st.subheader(md(sheet.title))
st.caption(
    f"{sheet.form_label} · преподаватель {md(sheet.teacher_name or EMPTY)}"
    + (" · семестр закрыт" if sheet.closed else "")
)
if sheet.commission:
    st.caption("Комиссия: " + md(", ".join(name for _, name in sheet.commission)))
if actor.has(Role.deputy) and sheet.kind is attestation.SheetKind.semester:
    with st.expander("Комиссия (заместитель директора)"), st.form(f"attestation_commission_{sheet_id}"):
        with Session(get_engine()) as db:
            staff = attestation.college_teachers(actor, session=db)
        members = st.multiselect(
            "Члены комиссии",
            list(staff),
            default=[t for t, _ in sheet.commission if t in staff],
            format_func=staff.__getitem__,
            placeholder="— преподаватели —",
            help="Члены комиссии видят ведомость и заполняют её, как преподаватель дисциплины.",
            key=f"commission_{sheet_id}",
        )
        if st.form_submit_button("Назначить комиссию", key="attestation_commission_submit"):
            act(
                FLASH,
                "Комиссия назначена." if members else "Комиссия снята.",
                lambda db: attestation.name_commission(actor, sheet.item_id, list(members), session=db),
            )
with Session(get_engine()) as db:
    pdf = sheet_pdf(sheet, session=db, college_id=actor.college_id, deputy=deputy)
download(
    "Ведомость для печати (PDF)",
    data=pdf,
    file_name=f"Ведомость {sheet.group_name} {sheet.subject_name} {sheet.semester} сем"
    f"{' годовая' if sheet.kind is attestation.SheetKind.year else ''}.pdf".replace("/", "_"),
    mime="application/pdf",
    key=f"attestation_pdf_{sheet_id}",
    icon=":material/print:",
)

if not sheet.may_enter(actor):
    table(
        pl.DataFrame(
            {
                "Студент": [r.student_name for r in sheet.rows],
                "Отметка": [" → ".join(r.history) or EMPTY for r in sheet.rows],
                "Дата": [r.taken_on for r in sheet.rows],
            },
            schema={"Студент": pl.String, "Отметка": pl.String, "Дата": pl.Date},
        ),
        name=f"Ведомость {sheet.group_name} {sheet.subject_name}",
    )
    st.stop()

missing = [r for r in sheet.rows if r.value is None]
with st.form(f"attestation_sheet_{sheet_id}"):
    picked: dict[int, str] = {}
    for r in sheet.rows:
        c1, c2 = st.columns([3, 2])
        c1.markdown(md(r.student_name))
        if r.value is None:
            value = c2.selectbox(
                "Отметка",
                [EMPTY, *sheet.allowed],
                key=f"att_{sheet_id}_{r.student_id}",
                label_visibility="collapsed",
            )
            if value != EMPTY:
                picked[r.student_id] = value
        else:
            shown = " → ".join(r.history)
            c2.markdown(f"**{md(shown)}**" + (" — задолженность" if r.is_debt else ""))
    if st.form_submit_button(
        "Сохранить ведомость", type="primary", disabled=not missing, key="attestation_save"
    ):
        act(
            FLASH,
            f"Ведомость «{sheet.title}»: внесено отметок — {len(picked)}.",
            lambda db: attestation.enter(actor, sheet.item_id, picked, kind=sheet.kind, session=db),
        )

debts = [r for r in sheet.rows if r.is_debt]
if debts:
    with (
        st.expander(f"Пересдача ({len(debts)})"),
        st.form(f"attestation_retake_{sheet.item_id}", clear_on_submit=True),
    ):
        names = {r.student_id: f"{r.student_name} (сейчас «{r.value}»)" for r in debts}
        who = st.selectbox("Студент", list(names), format_func=names.__getitem__, key="retake_student")
        value = st.selectbox(
            "Отметка пересдачи", [v for v in sheet.allowed if v != "не допущен"], key="retake_value"
        )
        commission = st.text_input(
            "Комиссия",
            value=", ".join(name for _, name in sheet.commission),
            placeholder="ФИО членов комиссии",
            key="retake_commission",
        )
        reason = st.text_input("Основание", placeholder="приказ № … от …", key="retake_reason")
        if st.form_submit_button("Внести пересдачу", key="retake_submit"):
            act(
                FLASH,
                "Пересдача внесена.",
                lambda db: attestation.retake(
                    actor, sheet.item_id, who, value, reason=reason, commission=commission, session=db
                ),
            )
