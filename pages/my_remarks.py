"""Мои замечания: the logged-in teacher's remarks with links into «Журнал», their row of the weekly
analysis, КТП and накопляемость; and «Доска информации», the college's weekly analysis (§4.2.2)."""

from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from app.analytics import my_remarks as q
from app.analytics.common import period_bounds
from app.analytics.completeness import REMARK_STATES
from app.db import get_engine
from app.domain import fmt_date
from app.services.journal import college_today
from app.ui.page import page_link, require_page
from app.ui.widgets import table, warehouse_or_stop

MAX_LINKS = 30

actor = require_page(__file__)
st.title("Мои замечания")
reader = warehouse_or_stop()
if actor.teacher_id is None:
    st.info(q.NO_TEACHER)
    st.stop()
with Session(get_engine()) as db:
    today = college_today(session=db)
year_start, _ = period_bounds("year", today)

summary = q.summary(reader, actor, today)
total = summary["remarks_open"] + summary["remarks_overdue"] + summary["remarks_fixed"]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Открытых замечаний", summary["remarks_open"])
m2.metric("Просроченных замечаний", summary["remarks_overdue"])
m3.metric("Устранено", summary["remarks_fixed"])
m4.metric("Заполнено в день занятия", "—" if summary["pct_on_day"] is None else f"{summary['pct_on_day']} %")
st.caption(
    f"Ваши занятия с {fmt_date(year_start)}. Замечания «Анализа работы с классными журналами» устраняются "
    "в течение недели (§4.2.1 Положения): заполните журнал — после ближайшего обновления данных замечание "
    "станет «устранено»."
)

tabs = st.tabs(["Замечания", "По неделям", "КТП", "Накопляемость", "Доска информации"])
with tabs[0]:
    states = st.multiselect(
        "Состояние", list(REMARK_STATES), default=list(REMARK_STATES), format_func=REMARK_STATES.__getitem__
    )
    frame = q.remarks(reader, actor, today, tuple(states))
    table(
        frame,
        name="Мои замечания",
        empty="Замечаний нет — журнал заполнен вовремя."
        if total == 0
        else "Замечаний в выбранном состоянии нет.",
    )
    links = q.lesson_links(frame)
    if links:
        st.markdown("**Открыть занятие в журнале**")
        for link in links[:MAX_LINKS]:
            page_link(actor, "journal", label=link.label, query_params={"lesson": str(link.lesson_id)})
        if len(links) > MAX_LINKS:
            st.caption(f"Показаны первые {MAX_LINKS} занятий из {len(links)}: сузьте выбор состояния.")
with tabs[1]:
    st.caption(
        "Ваша строка «Анализа работы с классными журналами» по неделям учебного года: проведено занятий, "
        "заполнено в день занятия, заполнено с опозданием, замечания недели по состоянию."
    )
    table(q.weekly(reader, actor, today), name="Мои недели", empty="В этом учебном году занятий ещё не было.")
with tabs[2]:
    st.caption(
        "Преподаватель отвечает за своевременное и в полном объёме прохождение КТП (§4.3 Положения). "
        "Отставание — сколько занятий проведено сверх пройденных тем КТП; от 3 занятий — «отстаёт от КТП»."
    )
    table(
        q.ktp(reader, actor), name="Выполнение КТП", empty="За вами не закреплены дисциплины учебного плана."
    )
with tabs[3]:
    st.caption(
        "Студенты ваших групп, посетившие по вашей дисциплине не менее 4 занятий за последние 4 недели, "
        "но получившие меньше отметок, чем требуется (накопляемость отметок)."
    )
    table(q.accumulation(reader, actor), name="Накопляемость отметок", empty="Нарушений накопляемости нет.")
with tabs[4]:
    anchor = st.date_input(
        "Дата в неделе",
        value=today - timedelta(days=1),
        format="DD.MM.YYYY",
        max_value=today,
        key="board_day",
    )
    week_start, week_end = period_bounds("week", anchor)
    st.caption(
        f"«Анализ работы с классными журналами» за неделю {fmt_date(week_start)} — {fmt_date(week_end)}, "
        "размещённый ответственным за электронный журнал на доске информации для педагогических работников "
        "(§4.2.2 Положения). Только для просмотра."
    )
    table(
        q.board(reader, actor, week_start),
        name=f"Анализ недели {fmt_date(week_start)}",
        empty="За эту неделю анализа нет: занятий не проводилось.",
    )
