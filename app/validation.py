"""What the journal accepts as a person's name, a phone, an e-mail address and a login: the one
home of each rule, for the curator's forms, the accounts and the spreadsheet imports alike.

Each check takes the text as typed and returns it as stored, or raises `Invalid` (a ValueError)
with a Russian message that says what to fix; a service turns that into its DomainError, an
import into the cell's error.
"""

from __future__ import annotations

import re

MAX_NAME = 60  # a surname, a first name or a patronymic
MAX_EMAIL = 254

# Letters, and single hyphens, apostrophes or spaces between them: «Салтыков-Щедрин», «Д’Артаньян».
_NAME = re.compile(r"^[A-Za-zА-Яа-яЁё]+(?:[ '’\-][A-Za-zА-Яа-яЁё]+)*$")
_PHONE_CHARS = re.compile(r"^[0-9 +()\-.]*$")
# An e-mail address as the journal takes it: one «@», a domain of dot-separated labels, none empty.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
# A login a person can type from a printed slip: 3–64 lowercase Latin letters, digits, «.», «-», «_».
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class Invalid(ValueError):
    """A value the journal does not take; the message says what to fix, in Russian."""

    @property
    def message(self) -> str:
        return str(self)


def name_part(value: str, title: str = "фамилия, имя или отчество") -> str:
    """A surname, a first name or a patronymic, spaces collapsed; empty stays empty."""
    value = " ".join(value.split())
    if not value:
        return ""
    if len(value) > MAX_NAME:
        raise Invalid(f"Поле «{title}» длиннее {MAX_NAME} символов: {len(value)}.")
    if not _NAME.match(value):
        raise Invalid(
            f"«{value}» не похоже на фамилию, имя или отчество: поле «{title}» может содержать только буквы, "
            "дефис, апостроф и пробел."
        )
    return value


def phone(value: str) -> str:
    """A phone in the one stored spelling: a Russian number as «+7 912 345-67-89» (from «8 (912)
    345-67-89», «9123456789», «+7…»), another country's as «+» and its digits; empty stays empty."""
    value = value.strip()
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    international = value.startswith("+")
    if not _PHONE_CHARS.match(value):
        digits = ""
    # 8… is the trunk prefix only when dialled without a plus; «+8…», «+81…» are other countries.
    if len(digits) == 11 and digits[0] in ("7" if international else "78"):
        digits = digits[1:]
    elif len(digits) == 10 and not international:
        pass
    elif international and 11 <= len(digits) <= 15 and not digits.startswith("7"):
        return "+" + digits
    else:
        raise Invalid(
            f"Телефон указан неверно: «{value}» не похоже на номер телефона — укажите, например, +7 912 345-67-89."
        )
    return f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


def email(value: str) -> str:
    """An e-mail address, trimmed and lower-cased; empty stays empty."""
    value = value.strip().lower()
    if value and not is_email(value):
        raise Invalid(
            f"Адрес электронной почты указан неверно: «{value}» не похоже на адрес (пример: ivanova@mail.ru)."
        )
    return value


def is_email(value: str) -> bool:
    """Whether `value` (already trimmed and lower-cased) is an address we accept; printable only,
    so NUL and other control characters (PostgreSQL text cannot hold NUL) are refused."""
    return len(value) <= MAX_EMAIL and value.isprintable() and _EMAIL.match(value) is not None


def login(value: str) -> str:
    """A login, trimmed and lower-cased."""
    value = value.strip().lower()
    if not is_login(value):
        raise Invalid(
            f"Логин «{value}» недопустим: от 3 до 64 латинских букв, цифр, точек, дефисов и подчёркиваний, "
            "начинается с буквы или цифры."
        )
    return value


def is_login(value: str) -> bool:
    return _LOGIN.match(value) is not None


# How a login is spelt from a Russian name («Соловьёва» -> «soloveva»): the suggested logins of
# the curator's credentials and the demo's.
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "-",
            "y",
            "-",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def translit(text: str) -> str:
    """A login-safe Latin spelling: «Соловьёва» -> «soloveva»."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower()).replace("-", "")
