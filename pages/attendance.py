"""Посещаемость: hours missed (excused, unexcused), lates, the calendar, systematic absentees, the trend."""

from datetime import date

import plotly.express as px
import polars as pl
import streamlit as st
from sqlmodel import Session

from app.analytics import attendance as q
from app.analytics.access import attendance_groups
from app.analytics.common import Scope, filter_options
from app.calendar import year_bounds
from app.db import get_engine
from app.domain import fmt_date
from app.services.journal import college_today
from app.ui.page import require_page
from app.ui.widgets import table, url_index, warehouse_or_stop

actor = require_page(__file__)
st.title("Посещаемость")
reader = warehouse_or_stop()
with Session(get_engine()) as db:
    today = college_today(session=db)
    # Who may see which groups is decided here, on the server, on every run — never by a widget or the URL.
    allowed = attendance_groups(actor, session=db)
if allowed == ():
    st.info("За вами не закреплены учебные группы: посещаемость показывается куратору по его группам.")
    st.stop()

options = filter_options(reader, actor.college_id)
groups = {g: name for g, name in options["groups"].items() if allowed is None or g in allowed}
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([1, 1, 1, 2])
    period = c1.radio("Период", list(q.PERIODS), format_func=q.PERIODS.__getitem__, horizontal=True)
    anchor = c2.date_input("Дата в периоде", value=today, format="DD.MM.YYYY", max_value=today)
    group = c3.selectbox(
        "Группа",
        [None, *groups],
        index=url_index("group", [None, *groups]),
        format_func=lambda g: "Все группы" if g is None else groups[g],
    )
    group_ids = allowed if group is None or group not in groups else (group,)
    student_names = q.students(reader, actor.college_id, group_ids)
    student = c4.selectbox(
        "Студент",
        [None, *student_names],
        format_func=lambda s: "Все студенты" if s is None else student_names[s],
    )
if student is not None and student not in student_names:
    student = None
assert isinstance(anchor, date)
start, end = q.period_bounds(period, anchor)
scope = Scope(actor.college_id, start, end, group_ids)
share = q.systematic_share(reader)
st.caption(
    f"Период: {fmt_date(start)} — {fmt_date(end)}. Учитываются проведённые занятия; пара = 2 академических "
    f"часа. Систематические пропуски — больше {round(100 * share)} % часов за месяц."
)

s = q.summary(reader, scope, student)
defs = q.METRIC_DEFINITIONS
m = st.columns(6)
m[0].metric("Пропущено часов", s["hours_missed"], help=defs["Пропущено часов"])
m[1].metric("По уважительной причине", s["hours_excused"], help=defs["По уважительной причине"])
m[2].metric("Без уважительной причины", s["hours_unexcused"], help=defs["Без уважительной причины"])
m[3].metric("Опозданий", s["lates"], help=defs["Опозданий"])
m[4].metric(
    "Доля пропусков",
    "—" if s["pct_missed"] is None else f"{s['pct_missed']} %".replace(".", ","),
    help=defs["Доля пропусков, %"],
)
m[5].metric("Систематически пропускающих", s["systematic_students"], help=defs["Систематические пропуски"])
with st.expander("Как считаются показатели"):
    for name, text in defs.items():
        st.markdown(f"**{name}** — {text}")

tabs = st.tabs(
    ["По группам", "По студентам", "По дисциплинам", "Календарь", "Систематические пропуски", "Динамика"]
)
with tabs[0]:
    frame = q.by_group(reader, scope, student)
    if frame.height:
        chart = px.bar(
            frame.unpivot(
                index="Группа",
                on=["По уважительной причине", "Без уважительной причины"],
                variable_name="Причина",
                value_name="Часов",
            ),
            x="Группа",
            y="Часов",
            color="Причина",
            color_discrete_map={"По уважительной причине": "#8FB8DE", "Без уважительной причины": "#D9534F"},
        )
        chart.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, legend_title_text="")
        st.plotly_chart(chart, width="stretch")
    table(frame, name="Пропуски по группам")
with tabs[1]:
    table(q.by_student(reader, scope, student), name="Пропуски по студентам")
with tabs[2]:
    table(q.by_subject(reader, scope, student), name="Пропуски по дисциплинам")
with tabs[3]:
    by = st.radio(
        "Строки календаря",
        ["student", "group"],
        index=0 if group is not None or student is not None else 1,
        format_func={"student": "Студенты", "group": "Группы"}.__getitem__,
        horizontal=True,
    )
    cal = q.heatmap(reader, scope, by, student)
    title = "Студент" if by == "student" else "Группа"
    if s["hours_held"] == 0:
        st.info("Нет проведённых занятий за выбранный период.")
    elif cal.height == 0:
        st.success("Пропусков за период нет.")
    else:
        cal = cal.with_columns(pl.col("Дата").dt.strftime("%d.%m").alias("День"))
        grid = cal.pivot(on="День", index=title, values="Пропущено часов", aggregate_function="sum")
        days = cal.sort("Дата")["День"].unique(maintain_order=True).to_list()
        grid = grid.select([title, *days])
        heat = px.imshow(
            grid.drop(title).to_numpy(),
            x=days,
            y=grid[title].to_list(),
            color_continuous_scale="Reds",
            aspect="auto",
            labels={"x": "День", "y": title, "color": "Пропущено часов"},
        )
        heat.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=max(260, 24 * grid.height + 80))
        st.plotly_chart(heat, width="stretch")
        st.caption(
            "Пропущенные часы по дням; пустая клетка — в этот день занятий не было. Показаны не более "
            f"{q.HEATMAP_ROWS} строк с наибольшим числом пропусков."
        )
        table(cal.drop("День"), name="Календарь пропусков")
with tabs[4]:
    st.caption(defs["Систематические пропуски"] + f" Сейчас установлено: {round(100 * share)} %.")
    table(
        q.systematic(reader, scope, student),
        name="Систематические пропуски",
        empty="Систематически пропускающих занятия за период нет.",
    )
with tabs[5]:
    trend_scope = Scope(actor.college_id, *year_bounds(anchor), group_ids)
    trend = q.monthly_trend(reader, trend_scope, student)
    if trend.height:
        line = px.line(trend, x="Месяц", y="Доля пропусков, %", markers=True)
        line.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0})
        st.plotly_chart(line, width="stretch")
    table(trend, name="Динамика посещаемости")
