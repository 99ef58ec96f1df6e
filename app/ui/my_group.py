"""The curator's screen: the group a run shows (handed to every tab), the group list as a table, and
the labels of its pickers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st
from sqlmodel import Session

from app.actor import Actor
from app.analytics import attendance, progress
from app.analytics.common import Scope, freshness_label, get_reader
from app.db import get_engine
from app.domain import fmt_date
from app.models import College
from app.reports.credential_slips import credential_slips_pdf
from app.services.curator import AbsenceRow, Credentials, GuardianRow, StudentRow
from app.settings import get_settings
from etl.warehouse import NoWarehouse

NO_LOGIN = "не выдан"
FLASH = "my_group_flash"


@dataclass(frozen=True)
class Group:
    """The group the page shows, read once per run and handed to every tab."""

    id: int
    name: str
    rows: list[StudentRow]  # with those who have left
    current: list[StudentRow]
    by_id: dict[int, StudentRow]
    today: date


def pick_student(grp: Group, key: str) -> int:
    return int(
        st.selectbox(
            "Студент",
            [r.id for r in grp.current],
            format_func=lambda i: student_label(grp.by_id[i]),
            key=key,
        )
    )


def group_frame(rows: Sequence[StudentRow]) -> pl.DataFrame:
    """One row per student; guardians and their contacts joined into readable cells."""
    return pl.DataFrame(
        {
            "№": list(range(1, len(rows) + 1)),
            "ФИО": [r.name for r in rows],
            "Дата рождения": [r.birth_date for r in rows],
            "Подгруппа": [r.subgroup for r in rows],
            "Зачислен(а)": [r.enrolled_on for r in rows],
            "Выбыл(а)": [r.left_on for r in rows],
            "Логин студента": [r.login or NO_LOGIN for r in rows],
            "Эл. почта студента": [r.email for r in rows],
            "Родители (законные представители)": [
                "; ".join(f"{g.name} ({g.relation})" for g in r.guardians) for r in rows
            ],
            "Телефоны": ["; ".join(g.phone for g in r.guardians if g.phone) for r in rows],
            "Эл. почта": ["; ".join(g.email for g in r.guardians if g.email) for r in rows],
            "Логины родителей": ["; ".join(g.login or NO_LOGIN for g in r.guardians) for r in rows],
        },
        schema={
            "№": pl.Int64,
            "ФИО": pl.String,
            "Дата рождения": pl.Date,
            "Подгруппа": pl.Int64,
            "Зачислен(а)": pl.Date,
            "Выбыл(а)": pl.Date,
            "Логин студента": pl.String,
            "Эл. почта студента": pl.String,
            "Родители (законные представители)": pl.String,
            "Телефоны": pl.String,
            "Эл. почта": pl.String,
            "Логины родителей": pl.String,
        },
    )


def student_label(row: StudentRow) -> str:
    left = f" — выбыл(а) {fmt_date(row.left_on)}" if row.left_on else ""
    return f"{row.name}{left}"


def guardian_label(row: GuardianRow) -> str:
    contact = ", ".join(p for p in (row.phone, row.email) if p)
    return f"{row.name} ({row.relation})" + (f", {contact}" if contact else "")


def person_options(rows: Sequence[StudentRow]) -> dict[str, str]:
    """Who may get credentials: «student:ID» / «guardian:ID» -> a label naming the login state."""
    out: dict[str, str] = {}
    for r in rows:
        if r.left_on is None:
            out[f"student:{r.id}"] = f"Студент: {r.name} — {r.login or 'логин ' + NO_LOGIN}"
        for g in r.guardians:
            key = f"guardian:{g.id}"
            if key not in out:
                out[key] = f"Родитель: {g.name} ({r.name}) — {g.login or 'логин ' + NO_LOGIN}"
    return out


def absence_label(row: AbsenceRow) -> str:
    return f"{fmt_date(row.lesson_date)}, {row.pair_number} пара · {row.subject} · {row.hours} ч"


def credentials_text(creds: Credentials) -> str:
    """What the curator copies to the person; the printable slip is credential_slips_pdf."""
    return f"{creds.full_name}\nЛогин: {creds.login}\nВременный пароль: {creds.password}"


def slips_pdf(actor: Actor, issued: Sequence[Credentials], group: str) -> bytes:
    """The printable slips for what was just issued, signed with the curator's name."""
    with Session(get_engine()) as db:
        college = db.get(College, actor.college_id)
    return credential_slips_pdf(
        issued, college=college.name if college else "", issued_by=actor.full_name, group=group
    )


def slips_file_name(issued: Sequence[Credentials], group: str) -> str:
    if len(issued) == 1:
        return f"Доступ к дневнику — {issued[0].full_name}.pdf"
    return f"Доступ к дневнику — группа {group}.pdf"


@dataclass(frozen=True)
class Glance:
    """The group at a glance, from the warehouse (as the analytics pages count) or the live journal."""

    freshness: str
    students: int
    average: float | None
    average_help: str
    hours_missed: int
    hours_help: str
    at_risk: tuple[tuple[str, str], ...]  # name, reasons
    risk_help: str


def warehouse_glance(college_id: int, group_id: int, today: date, students: int) -> Glance | None:
    """From the analytics marts (None when no warehouse is built yet). The caller has already checked
    that the user may act on `group_id`: the warehouse itself knows nothing of access."""
    reader = get_reader()
    try:
        published = reader.published()
    except NoWarehouse:
        return None
    group = (group_id,)
    sem_start, sem_end = progress.period_bounds("semester", today)
    month_start, month_end = attendance.period_bounds("month", today)
    prog = progress.summary(reader, Scope(college_id, sem_start, sem_end, group), "semester")
    att = attendance.summary(reader, Scope(college_id, month_start, month_end, group))
    risk = progress.at_risk(reader, college_id, group)
    avg = prog["avg_mark"]
    share = round(100 * get_settings().systematic_absence_share)
    return Glance(
        freshness=freshness_label(published),
        students=students,
        average=None if avg is None else float(avg),
        average_help=f"{progress.METRIC_DEFINITIONS['Средний балл']} Семестр с {fmt_date(sem_start)}.",
        hours_missed=int(att["hours_missed"]),
        hours_help=f"С {fmt_date(month_start)}: по уважительной причине {att['hours_excused']} ч, без "
        f"уважительной {att['hours_unexcused']} ч (пара = 2 академических часа).",
        at_risk=tuple(zip(risk["Студент"].to_list(), risk["Причины"].to_list(), strict=True)),
        risk_help="Отметка «2» или «незач» за семестр по текущим отметкам, академическая задолженность или "
        f"систематические пропуски (больше {share} % часов месяца).",
    )
