"""What each kind of import expects: its Russian columns, how every cell is parsed, and its natural key.

Parsers raise ValueError with a Russian message that says what to fix; a column that names another
entity (a group, a teacher, a subject) carries `ref` and is resolved against the database by the
service. Headers are matched ignoring case, «ё»/«е», extra spaces, a trailing «*» or «:» and a
parenthesised note, so «дата рождения (ДД.ММ.ГГГГ)» is «Дата рождения».
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.domain import (
    AttestationForm,
    Role,
    SubjectKind,
    WorkKind,
)
from app.imports import KINDS
from app.imports.cells import (
    Parser,
    as_text,
    integer,
    name_part,
    norm,
    norm_header,
    parse_academic_year,
    parse_attendance,
    parse_attestation,
    parse_calendar_kind,
    parse_code,
    parse_date,
    parse_email,
    parse_half,
    parse_lesson_kind,
    parse_login,
    parse_mark,
    parse_phone,
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
from app.imports.readers import Issue, SourceRow, Table

# (reference kind, parsed text) -> the entity, or ValueError with a Russian message
Resolver = Callable[[str, Any], Any]


# --------------------------------------------------------------------------- schemas


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Parser
    help: str
    example: str
    required: bool = True
    default: Any = None  # for an optional cell left empty
    ref: str | None = None  # "group", "teacher", "subject": resolved against the database
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # column keys of the natural key inside the file
    purpose: str
    before: str = ""  # what must be imported first
    # who may import it, and what the others are told
    roles: frozenset[Role] = frozenset({Role.officer})
    refusal: str = "Импортировать данные может только ответственный за электронный журнал."

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass
class Record:
    row: int
    values: dict[str, Any]
    present: frozenset[str]  # columns the file has (absent optional columns leave fields untouched)
    raw: dict[str, str] = field(default_factory=dict)  # cells as typed, for messages


def match_headers(schema: Schema, table: Table) -> tuple[dict[str, int], list[Issue]]:
    """Column key -> index in the file; and what is missing or doubled."""
    by_name: dict[str, Column] = {}
    for c in schema.columns:
        for name in (c.header, *c.aliases):
            by_name[norm_header(name)] = c
    found: dict[str, int] = {}
    issues: list[Issue] = []
    for index, header in enumerate(table.headers):
        column = by_name.get(norm_header(header))
        if column is None:
            continue  # extra columns are allowed and ignored
        if column.key in found:
            issues.append(
                Issue(
                    table.header_row,
                    column.header,
                    f"Столбец «{column.header}» встречается в заголовке дважды: оставьте один.",
                )
            )
            continue
        found[column.key] = index
    if not found:
        expected = ", ".join(f"«{c.header}»" for c in schema.columns if c.required)
        issues.append(
            Issue(
                table.header_row,
                "",
                f"В строке заголовка не найдено ни одного знакомого столбца. Проверьте, что выбран вид "
                f"данных «{schema.title}», что первая заполненная строка — заголовок, и что файл в UTF-8 "
                f"или Windows-1251. Нужны столбцы: {expected}.",
            )
        )
        return found, issues
    for c in schema.columns:
        if c.required and c.key not in found:
            issues.append(
                Issue(
                    table.header_row,
                    c.header,
                    f"Нет обязательного столбца «{c.header}»: добавьте его в строку заголовка "
                    f"(строка {table.header_row}). {c.help}",
                )
            )
    return found, issues


def parse_rows(
    schema: Schema, table: Table, columns: dict[str, int], resolve: Resolver, *, check_keys: bool = True
) -> tuple[list[Record], list[Issue]]:
    """Every row's cells parsed and references resolved. Rows with a cell error, and repeats of a key
    already seen, are left out: the rest is still checked further, so one pass reports every error."""
    records: list[Record] = []
    issues: list[Issue] = []
    for row in table.rows:
        record, row_issues = _parse_row(schema, row, columns, resolve)
        issues.extend(row_issues)
        if record is not None:
            records.append(record)
    if check_keys:
        records, repeats = unique_keys(schema, records)
        issues.extend(repeats)
    return records, issues


def _parse_row(
    schema: Schema, row: SourceRow, columns: dict[str, int], resolve: Resolver
) -> tuple[Record | None, list[Issue]]:
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    issues: list[Issue] = []
    for c in schema.columns:
        if c.key not in columns:
            continue
        index = columns[c.key]
        cell = row.cells[index] if index < len(row.cells) else None
        if cell is None:
            if c.required:
                issues.append(Issue(row.number, c.header, f"Не заполнено обязательное поле «{c.header}»."))
            values[c.key] = c.default
            continue
        raw[c.key] = as_text(cell)
        try:
            value = c.parse(cell)
            if c.ref is not None:
                value = resolve(c.ref, value)
        except ValueError as exc:
            issues.append(Issue(row.number, c.header, str(exc)))
            continue
        values[c.key] = value
    for c in schema.columns:
        if c.key not in columns:
            values.setdefault(c.key, c.default)
    if issues:
        return None, issues
    return Record(row.number, values, frozenset(columns), raw), []


def key_of(schema: Schema, record: Record) -> tuple[Any, ...]:
    def part(value: Any) -> Any:
        if isinstance(value, str):
            return norm(value)
        if hasattr(value, "id"):
            return (type(value).__name__, value.id)
        return value

    return tuple(part(record.values.get(k)) for k in schema.key)


def unique_keys(schema: Schema, records: list[Record]) -> tuple[list[Record], list[Issue]]:
    """The records with their first occurrence of each natural key, and an issue per repeat."""
    seen: dict[tuple[Any, ...], int] = {}
    unique: list[Record] = []
    issues: list[Issue] = []
    first_column = schema.column(schema.key[0]).header
    names = ", ".join(f"«{schema.column(k).header}»" for k in schema.key)
    for record in records:
        key = key_of(schema, record)
        if key in seen:
            shown = ", ".join(record.raw.get(k, "") or "—" for k in schema.key)
            issues.append(
                Issue(
                    record.row,
                    first_column,
                    f"Повтор: строка с теми же значениями ({names}: {shown}) уже есть в строке "
                    f"{seen[key]}. Оставьте одну из них.",
                )
            )
        else:
            seen[key] = record.row
            unique.append(record)
    return unique, issues


# --------------------------------------------------------------------------- the kinds

_GROUP = Column("group", "Группа", text(50), "Название учебной группы, как в журнале.", "ИСП-21", ref="group")


def _names(last: str, first: str, middle: str) -> tuple[Column, Column, Column]:
    """Фамилия, Имя, Отчество, with the kind's own example."""
    return (
        Column("last_name", "Фамилия", name_part, "Фамилия.", last),
        Column("first_name", "Имя", name_part, "Имя.", first),
        Column(
            "middle_name", "Отчество", name_part, "Отчество (если есть).", middle, required=False, default=""
        ),
    )


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
        _GROUP,
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
        _GROUP,
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
        _GROUP,
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
        _GROUP,
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
        _GROUP,
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

SCHEMAS: dict[str, Schema] = {
    s.kind: s for s in (TEACHERS, GROUPS, STUDENTS, GUARDIANS, SUBJECTS, CURRICULUM, KTP, TIMETABLE, CALENDAR)
}
assert {k: s.title for k, s in SCHEMAS.items()} == KINDS
ORDER_HINT = (
    "Порядок импорта: преподаватели → группы → студенты → родители; дисциплины → учебный план → КТП → "
    "расписание. Учебный календарь — в любой момент."
)
