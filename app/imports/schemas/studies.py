"""The kinds of studies: subjects, the curriculum, the КТП, the timetable, the calendar, and the
history of marks and attendance — their columns and natural keys."""

from __future__ import annotations

from app.domain import AttestationForm, Role, SubjectKind, WorkKind
from app.imports.cells import (
    integer,
    parse_academic_year,
    parse_attendance,
    parse_attestation,
    parse_calendar_kind,
    parse_code,
    parse_date,
    parse_half,
    parse_lesson_kind,
    parse_mark,
    parse_speciality_code,
    parse_subject_kind,
    parse_timetable_subgroup,
    parse_week_parity,
    parse_weekday,
    parse_work_kind,
    parse_yes_no,
    person,
    text,
)
from app.imports.schemas.common import GROUP_COLUMN, Column, Schema

_SUBJECT = Column(
    "subject",
    "Код",
    parse_code,
    "Код дисциплины, МДК или практики из учебного плана (импорт «Дисциплины»).",
    "МДК.01.01",
    ref="subject",
    aliases=("Код дисциплины", "Код предмета"),
)
_SEMESTER = Column("semester", "Семестр", integer(1, 10), "Номер семестра обучения группы, от 1 до 10.", "3")

SUBJECTS = Schema(
    "subjects",
    "Дисциплины",
    (
        Column("code", "Код", parse_code, "Код по учебному плану: ОП.01, МДК.01.01, УП.01 …", "МДК.01.01"),
        Column("name", "Название", text(200), "Полное название.", "Разработка программных модулей"),
        Column(
            "kind",
            "Вид",
            parse_subject_kind,
            "Дисциплина, МДК, Учебная практика, Производственная практика или ГИА (пусто — Дисциплина).",
            "МДК",
            required=False,
            default=SubjectKind.discipline,
        ),
        Column(
            "module",
            "Модуль",
            parse_code,
            "Код профессионального модуля для МДК и практик, например ПМ.01 (для дисциплины — пусто).",
            "ПМ.01",
            required=False,
            aliases=("ПМ", "Профессиональный модуль"),
        ),
        Column(
            "module_name",
            "Название модуля",
            text(300),
            "Название модуля: нужно, только если такого модуля у специальности ещё нет.",
            "Разработка модулей программного обеспечения для компьютерных систем",
            required=False,
        ),
        Column(
            "speciality_code",
            "Код специальности",
            parse_speciality_code,
            "Код специальности, к которой относится модуль (нужен, если указан модуль).",
            "09.02.07",
            required=False,
        ),
    ),
    key=("code",),
    purpose="Дисциплины, МДК, учебные и производственные практики, с профессиональным модулем.",
    before="Модуль относится к специальности: сначала импортируйте группы (они создают специальности).",
)

CURRICULUM = Schema(
    "curriculum",
    "Учебный план",
    (
        GROUP_COLUMN,
        _SUBJECT,
        _SEMESTER,
        Column("hours", "Часов", integer(1, 3000), "Часов по учебному плану в этом семестре.", "72"),
        Column(
            "form",
            "Форма аттестации",
            parse_attestation,
            "Экзамен, Дифференцированный зачёт, Зачёт, Квалификационный экзамен, Государственная итоговая "
            "аттестация или Другие формы контроля (пусто — Другие формы контроля).",
            "Экзамен",
            required=False,
            default=AttestationForm.other,
        ),
        Column(
            "year_mark",
            "Годовая отметка",
            parse_yes_no,
            "«да», если учебный план требует годовую отметку (в последнем семестре учебного года дисциплины); "
            "пусто — нет.",
            "нет",
            required=False,
            default=False,
        ),
        Column(
            "teacher",
            "Преподаватель",
            person,
            "ФИО преподавателя, ведущего дисциплину в группе (необязательно).",
            "Иванова Мария Петровна",
            required=False,
            ref="teacher",
        ),
    ),
    key=("group", "subject", "semester"),
    purpose="Учебный план: группа × дисциплина × семестр — часы, форма аттестации, преподаватель.",
    before="Сначала импортируйте группы, дисциплины и преподавателей.",
)

KTP = Schema(
    "ktp",
    "КТП",
    (
        GROUP_COLUMN,
        _SUBJECT,
        _SEMESTER,
        Column(
            "position", "№", integer(1, 1000), "Порядковый номер темы в КТП.", "1", aliases=("Номер", "№ п/п")
        ),
        Column(
            "section",
            "Раздел",
            text(200),
            "Раздел программы, к которому относится тема (необязательно).",
            "Раздел 1. Основы программирования",
            required=False,
            default="",
        ),
        Column("title", "Тема", text(500), "Тема занятия.", "Жизненный цикл программного обеспечения"),
        Column(
            "hours",
            "Часов",
            integer(1, 50),
            "Часов на тему (пусто — 2, одна пара).",
            "2",
            required=False,
            default=2,
        ),
        Column(
            "lesson_kind",
            "Вид занятия",
            parse_lesson_kind,
            "Лекция, Комбинированное занятие, Практическое занятие, Лабораторное занятие, Семинар, "
            "Самостоятельная работа, Контрольная работа, Консультация или Промежуточная аттестация "
            "(необязательно).",
            "Лекция",
            required=False,
        ),
        Column(
            "homework",
            "Домашнее задание",
            text(1000, one_line=False),
            "Домашнее задание по теме (необязательно).",
            "Конспект, §1.1, вопросы 1–5",
            required=False,
            default="",
        ),
    ),
    key=("group", "subject", "semester", "position"),
    purpose="Календарно-тематическое планирование: темы по порядку с разделом, часами, видом занятия и "
    "домашним заданием. Импорт ответственного сразу утверждает новую версию КТП; преподаватель загружает "
    "этот же файл на странице «КТП» как черновик на утверждение.",
    before="Сначала импортируйте учебный план: тема относится к строке учебного плана.",
)

TIMETABLE = Schema(
    "timetable",
    "Расписание",
    (
        GROUP_COLUMN,
        Column(
            "subgroup",
            "Подгруппа",
            parse_timetable_subgroup,
            "1 или 2 для занятия подгруппы; пусто или 0 — вся группа.",
            "",
            required=False,
            default=0,
        ),
        Column(
            "weekday", "День недели", parse_weekday, "Понедельник … Суббота (можно Пн, Вт …).", "Понедельник"
        ),
        Column("pair", "Пара", integer(1, 8), "Номер пары, от 1 до 8.", "1"),
        _SUBJECT,
        Column(
            "teacher",
            "Преподаватель",
            person,
            "ФИО преподавателя, уже внесённого в систему.",
            "Иванова Мария Петровна",
            ref="teacher",
        ),
        Column(
            "room", "Аудитория", text(30), "Аудитория (необязательно).", "305", required=False, default=""
        ),
        Column(
            "valid_from",
            "Действует с",
            parse_date,
            "С какой даты действует строка (ДД.ММ.ГГГГ).",
            "01.09.2025",
        ),
        Column(
            "valid_to", "Действует по", parse_date, "По какую дату включительно (ДД.ММ.ГГГГ).", "28.12.2025"
        ),
        Column(
            "week",
            "Неделя",
            parse_week_parity,
            "«числитель» или «знаменатель» для пары через неделю; пусто — каждую неделю.",
            "",
            required=False,
            default=0,
        ),
    ),
    key=("group", "subgroup", "weekday", "pair", "valid_from", "week"),
    purpose="Расписание занятий по дням недели на период действия.",
    before="Сначала импортируйте группы, дисциплины и преподавателей.",
)

HISTORY = Schema(
    "history",
    "История отметок и посещаемости",
    (
        Column("date", "Дата", parse_date, "Дата занятия (ДД.ММ.ГГГГ).", "15.10.2024"),
        Column("pair", "Пара", integer(1, 8), "Номер пары, от 1 до 8.", "2"),
        GROUP_COLUMN,
        Column(
            "subgroup",
            "Подгруппа",
            parse_timetable_subgroup,
            "1 или 2 для занятия подгруппы; пусто — вся группа.",
            "",
            required=False,
            default=0,
        ),
        _SUBJECT,
        Column(
            "teacher",
            "Преподаватель",
            person,
            "ФИО преподавателя, который вёл занятие.",
            "Иванова Мария Петровна",
            ref="teacher",
        ),
        Column(
            "student",
            "Студент",
            person,
            "ФИО студента полностью.",
            "Петров Иван Сергеевич",
            aliases=("ФИО студента",),
        ),
        Column(
            "mark",
            "Отметка",
            parse_mark,
            "5, 4, 3, 2, «зач» или «незач» (пусто — без отметки).",
            "5",
            required=False,
        ),
        Column(
            "work_kind",
            "Вид работы",
            parse_work_kind,
            "За какую работу отметка (пусто — Устный опрос).",
            "Устный опрос",
            required=False,
            default=WorkKind.oral,
        ),
        Column(
            "attendance",
            "Посещаемость",
            parse_attendance,
            "«н», «ув» («б») или «оп»; пусто — присутствовал.",
            "",
            required=False,
        ),
        Column("topic", "Тема", text(500), "Тема занятия (необязательно).", "Введение", required=False),
        Column(
            "comment", "За что", text(200), "За что отметка (необязательно).", "", required=False, default=""
        ),
    ),
    key=("date", "pair", "group", "subgroup", "student", "work_kind"),
    purpose="Отметки и посещаемость из другой системы (перенос истории; только из командной строки).",
    before="Сначала импортируйте группы, студентов, дисциплины, преподавателей и учебный план.",
)


CALENDAR = Schema(
    "calendar",
    "Учебный календарь",
    (
        Column("year", "Учебный год", parse_academic_year, "Учебный год, например 2026/2027.", "2026/2027"),
        Column(
            "kind",
            "Вид периода",
            parse_calendar_kind,
            "Сессия (промежуточная аттестация), Каникулы, Практика или Нерабочие дни.",
            "Каникулы",
        ),
        Column(
            "half",
            "Полугодие",
            parse_half,
            "Для сессии: 1 — зимняя (осеннее полугодие), 2 — летняя (весеннее); для остальных — пусто.",
            "",
            required=False,
        ),
        Column("starts_on", "Начало", parse_date, "Первый день периода, ДД.ММ.ГГГГ.", "29.12.2026"),
        Column("ends_on", "Окончание", parse_date, "Последний день периода, ДД.ММ.ГГГГ.", "10.01.2027"),
        Column(
            "title",
            "Название",
            text(120),
            "Как период назван в календаре (необязательно).",
            "Зимние каникулы",
            required=False,
            default="",
        ),
    ),
    key=("year", "kind", "half", "starts_on"),
    roles=frozenset({Role.officer, Role.deputy}),  # the calendar is the deputy's (app.calendar)
    refusal="Загружать учебный календарь могут заместитель директора и ответственный за электронный журнал.",
    purpose="Учебный календарь колледжа на год: сессии, каникулы, практика, нерабочие дни. Каникулы и "
    "нерабочие дни отменяют занятия; период с тем же видом и началом обновляется.",
)
