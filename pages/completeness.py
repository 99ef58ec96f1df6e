"""Заполнение журналов: completeness, remarks, weekly analysis and the monthly roll-up."""

from datetime import timedelta

import plotly.express as px
import streamlit as st
from sqlmodel import Session

from app.analytics import completeness as q
from app.analytics.common import Scope, filter_options, period_bounds
from app.db import get_engine
from app.domain import fmt_date
from app.services.journal import college_today
from app.ui.documents import documents_tab
from app.ui.page import require_page
from app.ui.widgets import table, warehouse_or_stop

actor = require_page(__file__)
st.title("Заполнение журналов")
reader = warehouse_or_stop()
with Session(get_engine()) as db:
    today = college_today(session=db)
options = filter_options(reader, actor.college_id)

with st.container(border=True):
    c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1, 1])
    period = c1.radio("Период", ["Неделя", "Месяц"], horizontal=True)
    anchor = c2.date_input(
        "Дата в периоде", value=today - timedelta(days=1), format="DD.MM.YYYY", max_value=today
    )
    group = c3.selectbox(
        "Группа",
        [None, *options["groups"]],
        format_func=lambda g: "Все группы" if g is None else options["groups"][g],
    )
    subject = c4.selectbox(
        "Дисциплина",
        [None, *options["subjects"]],
        format_func=lambda s: "Все дисциплины" if s is None else options["subjects"][s],
    )
    teacher = c5.selectbox(
        "Преподаватель",
        [None, *options["teachers"]],
        format_func=lambda t: "Все преподаватели" if t is None else options["teachers"][t],
    )
start, end = period_bounds("week" if period == "Неделя" else "month", anchor)
scope = Scope(actor.college_id, start, end, (group,) if group else None, subject, teacher)
st.caption(
    f"Период: {fmt_date(start)} — {fmt_date(end)}. «Заполнено в день занятия» — тема, задания и их тип, "
    "домашнее задание и посещаемость записаны в день занятия (§4.2.1 Положения)."
)

summary = q.summary(reader, scope)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Занятий проведено", summary["held"])
m2.metric("Заполнено в день занятия", "—" if summary["pct_on_day"] is None else f"{summary['pct_on_day']} %")
m3.metric("Открытых замечаний", summary["remarks_open"])
m4.metric("Просроченных замечаний", summary["remarks_overdue"])
m5.metric(
    "Письменные работы без отметок",
    summary["written_overdue"],
    help="Контрольные и тестовые работы, по которым после срока проверки не у всех есть отметки",
)

tabs = st.tabs(
    [
        "По преподавателям",
        "По группам",
        "По дисциплинам",
        "Замечания",
        "Занятия",
        "Динамика",
        "Анализ недели",
        "Отчёт за месяц",
        "Накопляемость",
        "КТП",
        "Документы",
    ]
)
with tabs[0]:
    frame = q.breakdown(reader, scope, "teacher")
    if frame.height:
        chart = px.bar(
            frame.head(25),
            x="Заполнено в день занятия, %",
            y="Преподаватель",
            orientation="h",
            range_x=[0, 100],
            height=max(300, 22 * min(frame.height, 25)),
        )
        chart.update_layout(yaxis={"autorange": "reversed"}, margin={"l": 0, "r": 0, "t": 10, "b": 0})
        st.plotly_chart(chart, width="stretch")
    table(frame, name="Заполнение по преподавателям")
with tabs[1]:
    table(q.breakdown(reader, scope, "group"), name="Заполнение по группам")
with tabs[2]:
    table(q.breakdown(reader, scope, "subject"), name="Заполнение по дисциплинам")
with tabs[3]:
    states = st.multiselect(
        "Состояние",
        ["open", "overdue", "fixed"],
        default=["open", "overdue"],
        format_func=q.REMARK_STATES.__getitem__,
    )
    st.caption(
        "Замечание устраняется заполнением журнала: после ближайшего обновления данных оно станет "
        "«устранено». Срок — неделя после занятия (для письменных работ — срок проверки)."
    )
    table(q.remarks(reader, scope, tuple(states)), name="Замечания", empty="Замечаний нет.")
with tabs[4]:
    only = st.toggle("Только занятия с нарушениями", value=True)
    table(q.lessons(reader, scope, only_defects=only), name="Занятия", empty="Таких занятий нет.")
with tabs[5]:
    trend_scope = Scope(
        actor.college_id, today - timedelta(days=120), today, scope.group_ids, subject, teacher
    )
    trend = q.weekly_trend(reader, trend_scope)
    if trend.height:
        line = px.line(trend, x="Неделя", y="Заполнено в день занятия, %", markers=True, range_y=[0, 100])
        line.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0})
        st.plotly_chart(line, width="stretch")
    table(trend, name="Динамика заполнения")
with tabs[6]:
    week_start, _ = period_bounds("week", anchor)
    st.caption(
        f"«Анализ работы с классными журналами» за неделю с {fmt_date(week_start)}: размещается на доске "
        "информации для преподавателей; замечания устраняются в течение недели."
    )
    table(
        q.weekly_analysis(reader, actor.college_id, week_start), name=f"Анализ недели {fmt_date(week_start)}"
    )
with tabs[7]:
    month_start, _ = period_bounds("month", anchor)
    st.caption(
        f"Отчёт о работе преподавателей с электронными журналами за {month_start:%m.%Y} для "
        "заместителя директора по УР."
    )
    table(q.monthly_rollup(reader, actor.college_id, month_start), name=f"Отчёт за {month_start:%m.%Y}")
with tabs[8]:
    st.caption(
        "Студенты, посетившие не менее 4 занятий за последние 4 недели, но получившие меньше отметок, "
        "чем требуется."
    )
    table(
        q.mark_accumulation(reader, actor.college_id, scope.group_ids),
        name="Накопляемость отметок",
        empty="Нарушений накопляемости нет.",
    )
with tabs[9]:
    table(q.ktp_progress(reader, actor.college_id, scope.group_ids), name="Выполнение КТП")
with tabs[10]:
    documents_tab(actor, reader, anchor)
