"""The kinds of people: teachers, groups, students, guardians — their columns and natural keys."""

from __future__ import annotations

from app.imports.cells import (
    integer,
    name_part,
    parse_date,
    parse_email,
    parse_login,
    parse_phone,
    parse_speciality_code,
    person,
    text,
)
from app.imports.schemas.common import GROUP_COLUMN, Column, Schema


def _names(last: str, first: str, middle: str) -> tuple[Column, Column, Column]:
    """Фамилия, Имя, Отчество, with the kind's own example."""
    return (
        Column("last_name", "Фамилия", name_part, "Фамилия.", last),
        Column("first_name", "Имя", name_part, "Имя.", first),
        Column(
            "middle_name", "Отчество", name_part, "Отчество (если есть).", middle, required=False, default=""
        ),
    )


GROUPS = Schema(
    "groups",
    "Группы",
    (
        Column("name", "Группа", text(50), "Название учебной группы, например ИСП-21.", "ИСП-21"),
        Column(
            "speciality_code",
            "Код специальности",
            parse_speciality_code,
            "Код специальности или профессии по ФГОС СПО, вида 09.02.07.",
            "09.02.07",
        ),
        Column(
            "speciality_name",
            "Специальность",
            text(200),
            "Название специальности: нужно, только если такой специальности ещё нет — она будет создана.",
            "Информационные системы и программирование",
            required=False,
        ),
        Column(
            "admission_year",
            "Год набора",
            integer(1990, 2100),
            "Год, в котором группа начала обучение (четыре цифры).",
            "2024",
        ),
        Column(
            "curator",
            "Куратор",
            person,
            "ФИО куратора группы — преподавателя, уже внесённого в систему (можно «Иванова М. П.»).",
            "Иванова Мария Петровна",
            required=False,
            ref="teacher",
        ),
    ),
    key=("name",),
    purpose="Учебные группы: специальность, год набора, куратор.",
    before="Сначала импортируйте преподавателей (кураторов).",
)

STUDENTS = Schema(
    "students",
    "Студенты",
    (
        GROUP_COLUMN,
        *_names("Петров", "Иван", "Сергеевич"),
        Column(
            "birth_date",
            "Дата рождения",
            parse_date,
            "Дата рождения в формате ДД.ММ.ГГГГ: вместе с группой и ФИО отличает студента.",
            "14.03.2008",
        ),
        Column(
            "subgroup",
            "Подгруппа",
            integer(1, 2),
            "Подгруппа для занятий по подгруппам: 1 или 2 (пусто — 1).",
            "1",
            required=False,
            default=1,
        ),
        Column(
            "enrolled_on",
            "Дата зачисления",
            parse_date,
            "Дата зачисления (ДД.ММ.ГГГГ); пусто — 1 сентября года набора группы.",
            "01.09.2024",
            required=False,
        ),
    ),
    key=("group", "last_name", "first_name", "middle_name", "birth_date"),
    purpose="Студенты групп. Студент определяется группой, ФИО и датой рождения.",
    before="Сначала импортируйте группы.",
)

GUARDIANS = Schema(
    "guardians",
    "Родители",
    (
        *_names("Петрова", "Ольга", "Николаевна"),
        Column(
            "phone",
            "Телефон",
            parse_phone,
            "Телефон родителя: вместе с ФИО отличает его. Любая запись: +7 912 345-67-89, 89123456789.",
            "8 912 345-67-89",
        ),
        Column(
            "email",
            "Email",
            parse_email,
            "Адрес электронной почты (необязательно).",
            "petrova@mail.ru",
            required=False,
            aliases=("Электронная почта", "E-mail", "Почта"),
        ),
        Column(
            "group",
            "Группа студента",
            text(50),
            "Группа, в которой учится ребёнок.",
            "ИСП-21",
            ref="group",
            aliases=("Группа",),
        ),
        Column(
            "student",
            "Студент",
            person,
            "ФИО студента полностью, как в списке группы.",
            "Петров Иван Сергеевич",
            aliases=("ФИО студента",),
        ),
        Column(
            "student_birth_date",
            "Дата рождения студента",
            parse_date,
            "Дата рождения студента (ДД.ММ.ГГГГ): нужна, если в группе есть однофамильцы с тем же ФИО.",
            "14.03.2008",
            required=False,
        ),
        Column(
            "relation",
            "Кем приходится",
            text(40),
            "Кем приходится студенту: мать, отец, опекун… (пусто — «родитель»).",
            "мать",
            required=False,
            default="родитель",
        ),
    ),
    key=("last_name", "first_name", "middle_name", "phone", "group", "student"),
    purpose="Родители (законные представители) и их связь со студентами. Один родитель нескольких детей — "
    "по строке на каждого ребёнка.",
    before="Сначала импортируйте студентов.",
)

TEACHERS = Schema(
    "teachers",
    "Преподаватели",
    (
        *_names("Иванова", "Мария", "Петровна"),
        Column(
            "position",
            "Должность",
            text(100),
            "Должность (пусто — «преподаватель»): преподаватель, мастер п/о …",
            "преподаватель",
            required=False,
            default="преподаватель",
        ),
        Column(
            "login",
            "Логин",
            parse_login,
            "Логин для входа (необязательно). Если указан, а учётной записи ещё нет, она создаётся "
            "с временным паролем, который показывается один раз.",
            "m.ivanova",
            required=False,
        ),
    ),
    key=("last_name", "first_name", "middle_name"),
    purpose="Преподаватели и мастера п/о; при указанном логине — учётные записи с временным паролем.",
)
