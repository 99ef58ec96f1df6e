"""Cell parsers: what one spreadsheet cell holds (text, a name, a date, a number, one of named
values) as the imports store it, or a ValueError whose Russian message says what to fix."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from app import validation
from app.calendar import DENOMINATOR, EVERY_WEEK, NUMERATOR
from app.domain import (
    ALL_LESSON_MARKS,
    ATTESTATION_LABELS,
    LESSON_KIND_LABELS,
    SUBJECT_KIND_LABELS,
    WEEKDAY_NAMES,
    WORK_KIND_LABELS,
    AttendanceStatus,
    AttestationForm,
    LessonKind,
    SubjectKind,
    WorkKind,
    fmt_date,
)
from app.imports.readers import Cell

Parser = Callable[[Cell], Any]


def norm(text: str) -> str:
    """The form two spellings of one name share: case, «ё» and spacing do not matter."""
    return " ".join(text.split()).casefold().replace("ё", "е")


def norm_header(text: str) -> str:
    text = re.sub(r"\(.*\)\s*$", "", str(text))
    return norm(text).rstrip("*:. ").strip()


# --------------------------------------------------------------------------- cell parsers


def as_text(value: Cell) -> str:
    """A cell as the user typed it: 305.0 is «305», a date is ДД.ММ.ГГГГ."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return fmt_date(value)
    return "" if value is None else str(value).strip()


def text(max_len: int, *, one_line: bool = True) -> Parser:
    def parse(value: Cell) -> str:
        s = as_text(value)
        if one_line:
            s = " ".join(s.split())
        if len(s) > max_len:
            raise ValueError(f"Слишком длинный текст: {len(s)} символов, допустимо не более {max_len}.")
        return s

    return parse


def name_part(value: Cell) -> str:
    """A surname, a first name or a patronymic (app.validation's rule)."""
    return validation.name_part(as_text(value))


def person(value: Cell) -> str:
    """A full name in one cell: «Иванова Мария Петровна» or «Иванова М. П.»."""
    s = " ".join(as_text(value).split())
    if len(s) > 150:
        raise ValueError(f"Слишком длинное ФИО: {len(s)} символов, допустимо не более 150.")
    if any(not (ch.isalpha() or ch in " -'’.") for ch in s) or len(s.replace(".", " ").split()) < 2:
        raise ValueError(
            f"«{s}» не похоже на ФИО: укажите фамилию, имя и отчество, например «Иванова Мария Петровна»."
        )
    return s


_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+0?0:00(?::00)?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
DATE_HELP = "укажите дату в формате ДД.ММ.ГГГГ, например 01.09.2024"


def parse_date(value: Cell) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        raise ValueError(f"В ячейке число {as_text(value)}, а не дата: {DATE_HELP}.")
    s = as_text(value)
    if m := _DATE.fullmatch(s):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO.fullmatch(s):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError(f"«{s}» — не дата: {DATE_HELP}.")
    if not 1900 <= year <= 2100:
        raise ValueError(f"Год {year} в дате «{s}» вне допустимого диапазона 1900–2100.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Даты «{s}» не существует: проверьте день и месяц ({DATE_HELP}).") from None


def integer(lo: int, hi: int) -> Parser:
    def parse(value: Cell) -> int:
        if isinstance(value, bool | date):
            raise ValueError(f"Нужно целое число от {lo} до {hi}, а в ячейке «{as_text(value)}».")
        if isinstance(value, int):
            n = value
        elif isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"«{value}» — не целое число: укажите целое число от {lo} до {hi}.")
            n = int(value)
        else:
            s = as_text(value).replace(" ", "")
            if not re.fullmatch(r"[+-]?\d+(?:[.,]0+)?", s):
                raise ValueError(f"«{as_text(value)}» — не число: укажите целое число от {lo} до {hi}.")
            n = int(re.split(r"[.,]", s)[0])
        if not lo <= n <= hi:
            raise ValueError(f"Число {n} вне допустимого диапазона: от {lo} до {hi}.")
        return n

    return parse


def choice(options: Mapping[str, Any], what: str, shown: Sequence[str]) -> Parser:
    """One of named values; `shown` are the labels listed in the error message."""
    table = {norm(k).rstrip("."): v for k, v in options.items()}

    def parse(value: Cell) -> Any:
        s = as_text(value)
        key = norm(s).rstrip(".")
        if key in table:
            return table[key]
        raise ValueError(
            f"Неизвестное значение {what} «{s}»: допустимо " + ", ".join(f"«{x}»" for x in shown) + "."
        )

    return parse


SUBJECT_KINDS: dict[str, SubjectKind] = {
    **{label: kind for kind, label in SUBJECT_KIND_LABELS.items()},
    **{k.value: k for k in SubjectKind},
    "Междисциплинарный курс": SubjectKind.mdk,
    "УП": SubjectKind.training_practice,
    "ПП": SubjectKind.work_practice,
}
parse_subject_kind = choice(SUBJECT_KINDS, "вида", list(SUBJECT_KIND_LABELS.values()))

ATTESTATION_FORMS: dict[str, AttestationForm] = {
    **{label: form for form, label in ATTESTATION_LABELS.items()},
    **{f.value: f for f in AttestationForm},
    "Дифференцированный зачет": AttestationForm.diff_credit,
    "Дифзачёт": AttestationForm.diff_credit,
    "Диф. зачёт": AttestationForm.diff_credit,
    "ДЗ": AttestationForm.diff_credit,
    "Экзамен квалификационный": AttestationForm.qual_exam,
    "Экзамен (квалификационный)": AttestationForm.qual_exam,
    "ДФК": AttestationForm.other,
}
parse_attestation = choice(ATTESTATION_FORMS, "формы аттестации", list(ATTESTATION_LABELS.values()))

YES_NO: dict[str, bool] = {"да": True, "нет": False, "+": True, "-": False, "1": True, "0": False}
parse_yes_no = choice(YES_NO, "«да/нет»", ["да", "нет"])

_WEEKDAYS: dict[str, int] = {name: i for i, name in enumerate(WEEKDAY_NAMES[:6], start=1)}
_WEEKDAYS.update({a: i for i, a in enumerate(("пн", "вт", "ср", "чт", "пт", "сб"), start=1)})
_WEEKDAYS.update({str(i): i for i in range(1, 7)})


def parse_weekday(value: Cell) -> int:
    s = as_text(value)
    if norm(s).rstrip(".") in {"воскресенье", "вс", "7"}:
        raise ValueError("В воскресенье занятий нет: укажите день с понедельника по субботу.")
    return int(choice(_WEEKDAYS, "дня недели", WEEKDAY_NAMES[:6])(value))


def parse_timetable_subgroup(value: Cell) -> int:
    if norm(as_text(value)) in {"вся группа", "вся", "все"}:
        return 0
    return int(integer(0, 2)(value))


def parse_week_parity(value: Cell) -> int:
    """«числитель» (1), «знаменатель» (2), empty or «каждую» (0): app.calendar.week_parity."""
    word = norm(as_text(value))
    if word in {"", "каждую", "каждую неделю", "всегда", "0"}:
        return EVERY_WEEK
    if word in {"числитель", "ч", "нечётная", "нечетная", "1"}:
        return NUMERATOR
    if word in {"знаменатель", "з", "чётная", "четная", "2"}:
        return DENOMINATOR
    raise ValueError(
        f"«{as_text(value)}»: укажите «числитель», «знаменатель» или оставьте пустым (каждую неделю)."
    )


def parse_phone(value: Cell) -> str:
    return validation.phone(as_text(value))


def parse_email(value: Cell) -> str:
    return validation.email(as_text(value))


def parse_login(value: Cell) -> str:
    return validation.login(as_text(value))


def parse_speciality_code(value: Cell) -> str:
    # Excel reads «09.02.07» typed into a cell as the date 09.02.2007: give the code back.
    if isinstance(value, date):
        return f"{value.day:02d}.{value.month:02d}.{value.year % 100:02d}"
    s = as_text(value)
    if not re.fullmatch(r"\d{2}\.\d{2}\.\d{2}", s):
        raise ValueError(f"«{s}» не похоже на код специальности: нужен вид 09.02.07.")
    return s


def parse_code(value: Cell) -> str:
    """A subject or module code: «ОП.01», «МДК.01.01», «ПМ.01»."""
    s = "".join(as_text(value).split())
    if not s or len(s) > 30:
        raise ValueError(f"Код «{s}» недопустим: не длиннее 30 символов, например ОП.01 или МДК.01.01.")
    return s


MARKS: dict[str, str] = {
    **{m: m for m in ALL_LESSON_MARKS},
    "зачтено": "зач",
    "зачет": "зач",
    "не зачтено": "незач",
    "незачтено": "незач",
    "не зач": "незач",
    "незачет": "незач",
}


def parse_mark(value: Cell) -> str:
    s = as_text(value)
    mark = MARKS.get(norm(s).rstrip("."))
    if mark is None:
        raise ValueError(f"Отметка «{s}» недопустима: возможны 5, 4, 3, 2, «зач» и «незач».")
    return mark


ATTENDANCE_MARKS: dict[str, AttendanceStatus] = {
    "н": AttendanceStatus.absent,
    "нб": AttendanceStatus.absent,
    "ув": AttendanceStatus.excused,
    "б": AttendanceStatus.excused,
    "уп": AttendanceStatus.excused,
    "оп": AttendanceStatus.late,
}


def parse_attendance(value: Cell) -> AttendanceStatus:
    s = as_text(value)
    status = ATTENDANCE_MARKS.get(norm(s).rstrip("."))
    if status is None:
        raise ValueError(
            f"Отметка посещаемости «{s}» недопустима: «н» — отсутствовал, «ув» или «б» — по уважительной "
            "причине, «оп» — опоздал; присутствие не отмечается (пустая ячейка)."
        )
    return status


WORK_KINDS: dict[str, WorkKind] = {
    **{label: kind for kind, label in WORK_KIND_LABELS.items()},
    **{k.value: k for k in WorkKind},
}
parse_work_kind = choice(WORK_KINDS, "вида работы", list(WORK_KIND_LABELS.values()))

LESSON_KINDS: dict[str, LessonKind] = {
    **{label: kind for kind, label in LESSON_KIND_LABELS.items()},
    **{k.value: k for k in LessonKind},
    "Теоретическое занятие": LessonKind.lecture,
    "Теория": LessonKind.lecture,
    "Урок": LessonKind.combined,
    "Комбинированный урок": LessonKind.combined,
    "Практическая работа": LessonKind.practical,
    "Практика": LessonKind.practical,
    "ПЗ": LessonKind.practical,
    "Лабораторная работа": LessonKind.laboratory,
    "ЛР": LessonKind.laboratory,
    "Самостоятельная работа обучающихся": LessonKind.independent,
    "СРС": LessonKind.independent,
    "Контрольное занятие": LessonKind.control,
    "Зачёт": LessonKind.attestation,
    "Зачет": LessonKind.attestation,
    "Дифференцированный зачёт": LessonKind.attestation,
    "Дифференцированный зачет": LessonKind.attestation,
    "Экзамен": LessonKind.attestation,
}
parse_lesson_kind = choice(LESSON_KINDS, "вида занятия", list(LESSON_KIND_LABELS.values()))


def parse_academic_year(value: Cell) -> int:
    """«2026/2027», «2026/27», «2026-2027» or «2026»: the year the academic year begins."""
    s = as_text(value).replace(" ", "")
    m = re.fullmatch(r"(\d{4})(?:\.0)?(?:[/-](\d{2}|\d{4}))?", s)
    if not m:
        raise ValueError(f"«{s}» — не учебный год: укажите, например, «2026/2027».")
    year = int(m[1])
    if m[2] and int(m[2]) % 100 != (year + 1) % 100:
        raise ValueError(f"«{s}»: второй год учебного года — следующий за первым (например, «2026/2027»).")
    if not 1990 <= year <= 2100:
        raise ValueError(f"Учебный год {year} вне допустимого диапазона 1990–2100.")
    return year


CALENDAR_KINDS: dict[str, str] = {
    "Сессия": "session",
    "Промежуточная аттестация": "session",
    "Каникулы": "holidays",
    "Практика": "practice",
    "Нерабочие дни": "non_teaching",
    "Нерабочий день": "non_teaching",
    "Праздник": "non_teaching",
}
parse_calendar_kind = choice(
    CALENDAR_KINDS, "вида периода", ["Сессия", "Каникулы", "Практика", "Нерабочие дни"]
)
HALVES: dict[str, int] = {"1": 1, "2": 2, "осень": 1, "осенний": 1, "весна": 2, "весенний": 2}
parse_half = choice(HALVES, "полугодия", ["1 (осень)", "2 (весна)"])
