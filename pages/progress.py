"""Успеваемость: the four metrics with their definitions, by group / subject / teacher and over time,
mark distributions, students at risk, academic debts and control-work results."""

from datetime import date

import plotly.express as px
import polars as pl
import streamlit as st
from sqlmodel import Session

from app.analytics import progress as q
from app.analytics.access import PROGRESS_VIEWS, progress_groups, progress_views
from app.analytics.common import Scope, filter_options
from app.db import get_engine
from app.domain import fmt_date
from app.services.journal import college_today
from app.ui.page import require_page
from app.ui.widgets import table, url_index, warehouse_or_stop

actor = require_page(__file__)
st.title("Успеваемость")
reader = warehouse_or_stop()

views = progress_views(actor)
if not views:
    st.info("За вами не закреплены группы или дисциплины.")
    st.stop()
view = views[0]
if len(views) > 1:
    view = st.radio("Показать", views, format_func=PROGRESS_VIEWS.__getitem__, horizontal=True)
if view not in views:  # only the actor's own roles can be chosen
    view = views[0]

with Session(get_engine()) as db:
    today = college_today(session=db)
    # What the chosen role may see is computed here, on the server, on every run.
    allowed, own_teacher = progress_groups(actor, view, session=db)
if allowed == ():
    st.info("За вами не закреплены учебные группы или дисциплины.")
    st.stop()

options = filter_options(reader, actor.college_id)
groups = {g: name for g, name in options["groups"].items() if allowed is None or g in allowed}
with st.container(border=True):
    c1, c2, c3, c4, c5 = st.columns([1.4, 1, 1, 1, 1])
    kind = c1.radio(
        "Период", list(q.PERIOD_KINDS), index=1, format_func=q.PERIOD_KINDS.__getitem__, horizontal=True
    )
    anchor = c2.date_input("Дата в периоде", value=today, format="DD.MM.YYYY", max_value=today)
    group = c3.selectbox(
        "Группа",
        [None, *groups],
        index=url_index("group", [None, *groups]),
        format_func=lambda g: "Все группы" if g is None else groups[g],
    )
    subject = c4.selectbox(
        "Дисциплина",
        [None, *options["subjects"]],
        format_func=lambda s: "Все дисциплины" if s is None else options["subjects"][s],
    )
    if own_teacher is None:
        teacher = c5.selectbox(
            "Преподаватель",
            [None, *options["teachers"]],
            format_func=lambda t: "Все преподаватели" if t is None else options["teachers"][t],
        )
    else:
        teacher = own_teacher
        c5.text_input("Преподаватель", value=options["teachers"].get(own_teacher, "—"), disabled=True)
group_ids = allowed if group is None or group not in groups else (group,)
assert isinstance(anchor, date)
start, end = q.period_bounds(kind, anchor)
scope = Scope(actor.college_id, start, end, group_ids, subject, own_teacher or teacher)
st.caption(
    f"Период: {q.PERIOD_KINDS[kind].lower()} {fmt_date(start)} — {fmt_date(end)}. {q.BASIS[q.basis(scope)]}"
)

s = q.summary(reader, scope, kind)
defs = q.METRIC_DEFINITIONS


def show(value: float | None, unit: str = " %") -> str:
    return "—" if value is None else f"{value}{unit}".replace(".", ",")


cols = st.columns(5)
for col, (label, value, unit) in zip(
    cols,
    [
        (q.N_LABEL, s["n_assessed"], ""),
        ("Средний балл", s["avg_mark"], ""),
        ("Абсолютная успеваемость, %", s["abs_progress_pct"], " %"),
        ("Качество знаний, %", s["quality_pct"], " %"),
        ("СОУ, %", s["sou_pct"], " %"),
    ],
    strict=True,
):
    with col:
        st.metric(label.removesuffix(", %"), show(value, unit))
        st.caption(defs[label])
st.caption(
    f"n5 = {s['n5']}, n4 = {s['n4']}, n3 = {s['n3']}, n2 = {s['n2']}, nн/а = {s['n_na']}. "
    + defs["Отметка за период"]
)

tabs = st.tabs(
    [
        "По группам",
        "По дисциплинам",
        "По преподавателям",
        "Группа × дисциплина",
        "Динамика",
        "Распределение отметок",
        "Студенты",
        "Группа риска",
        "Задолженности",
        "Контрольные работы",
        "Итоги сессии",
    ]
)


def group_bars(frame: pl.DataFrame, metrics: list[str]) -> None:
    """Percentages by group, side by side."""
    chart = px.bar(
        frame.unpivot(index="Группа", on=metrics, variable_name="Показатель", value_name="%"),
        x="Группа",
        y="%",
        color="Показатель",
        barmode="group",
        range_y=[0, 100],
    )
    chart.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, legend_title_text="")
    st.plotly_chart(chart, width="stretch")


with tabs[0]:
    frame = q.by_group(reader, scope, kind)
    if frame.height:
        group_bars(frame, ["Абсолютная успеваемость, %", "Качество знаний, %", "СОУ, %"])
    table(frame, name="Успеваемость по группам")
with tabs[1]:
    table(q.by_subject(reader, scope, kind), name="Успеваемость по дисциплинам")
with tabs[2]:
    st.caption(
        "Группа × дисциплина относится к преподавателю, который провёл большую часть её занятий за период."
    )
    table(q.by_teacher(reader, scope, kind), name="Успеваемость по преподавателям")
with tabs[3]:
    st.caption("«зач»/«незач» не входят в пятибалльные показатели: «Зачтено, %» = зач / (зач + незач + н/а).")
    table(q.by_group_subject(reader, scope, kind), name="Успеваемость по группам и дисциплинам")
with tabs[4]:
    year_start, year_end = q.period_bounds("year", anchor)
    trend = q.monthly_trend(
        reader, Scope(actor.college_id, year_start, year_end, group_ids, subject, own_teacher or teacher)
    )
    if trend.height:
        line = px.line(
            trend,
            x="Месяц",
            y=["Абсолютная успеваемость, %", "Качество знаний, %", "СОУ, %"],
            markers=True,
            range_y=[0, 100],
        )
        line.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, legend_title_text="")
        st.plotly_chart(line, width="stretch")
    table(trend, name="Динамика успеваемости")
with tabs[5]:
    dist = q.mark_distribution(reader, scope, kind)
    if dist["Текущих отметок"].sum() or dist["Итоговых отметок (студентов)"].sum():
        bars = px.bar(
            dist.unpivot(index="Отметка", variable_name="Что считаем", value_name="Количество"),
            x="Отметка",
            y="Количество",
            color="Что считаем",
            barmode="group",
        )
        bars.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, legend_title_text="")
        st.plotly_chart(bars, width="stretch")
        table(dist, name="Распределение отметок")
    else:
        st.info("Нет отметок за выбранный период.")
with tabs[6]:
    if group_ids is None:
        st.info("Выберите группу, чтобы увидеть отметки её студентов.")
    else:
        table(q.students(reader, scope, kind), name="Отметки студентов")
with tabs[7]:
    st.caption(
        "Текущий семестр: средний балл по дисциплине округляется до «2» (или «незач»), есть академические "
        "задолженности или систематические пропуски в этом месяце."
    )
    table(
        q.at_risk(reader, actor.college_id, group_ids),
        name="Группа риска",
        empty="Студентов группы риска нет.",
    )
with tabs[8]:
    st.caption(defs["Академическая задолженность"])
    table(
        q.debts(reader, actor.college_id, group_ids, subject, own_teacher or teacher),
        name="Академические задолженности",
        empty="Академических задолженностей нет.",
    )
with tabs[9]:
    st.caption(
        "Успеваемость и качество — по студентам, которые писали работу и уже получили отметку по пятибалльной шкале."
    )
    table(
        q.control_works(reader, scope),
        name="Контрольные работы",
        empty="Контрольных работ за период не было.",
    )
with tabs[10]:
    st.caption(defs["Итоги сессии"])
    halves = q.session_halves(reader, actor.college_id)
    if not halves:
        st.info("Ведомостей промежуточной аттестации пока нет.")
    else:
        chosen_half = st.selectbox(
            "Полугодие",
            halves,
            format_func=lambda h: f"{h[0]}/{h[0] + 1}, {'зимняя' if h[1] == 1 else 'летняя'} сессия",
            key="progress_session_half",
        )
        assert chosen_half is not None
        results = q.session_results(reader, actor.college_id, group_ids, *chosen_half)
        groups_only = results.filter(results["Группа"] != "Итого")
        if groups_only.height:
            group_bars(
                groups_only,
                ["Абс. успеваемость на сессии, %", "Абс. успеваемость сейчас, %", "Качество сейчас, %"],
            )
        table(results, name="Итоги сессии", empty="По выбранным группам ведомостей за это полугодие нет.")
