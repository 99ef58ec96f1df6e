"""Property tests of app.validation: names, phones and e-mail addresses as the curator's forms and the
imports take them (one rule for both; on 18bf9b7 a phone was stored in two spellings)."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from app import validation
from app.errors import DomainError
from app.services.curator.common import _name
from app.validation import MAX_NAME, Invalid

normalise_phone, normalise_email = validation.phone, validation.email

CANONICAL_PHONE = re.compile(r"^\+7 \d{3} \d{3}-\d{2}-\d{2}$")
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
WHITESPACE = st.text(alphabet=" \t\n\u00a0\u2009", max_size=3)


def _try(fn, *args, **kwargs) -> tuple[str, str]:
    try:
        return "ok", fn(*args, **kwargs)
    except (DomainError, Invalid) as exc:
        return "refused", exc.message


@st.composite
def written_phones(draw: st.DrawFn) -> tuple[str, str]:
    """A Russian number as people write it, and its ten digits."""
    digits = draw(st.text(alphabet="0123456789", min_size=10, max_size=10))
    prefix = draw(st.sampled_from(["+7", "8", "7", ""]))
    out = prefix
    for i, d in enumerate(digits):
        if i in (0, 3, 6, 8) or draw(st.booleans()):
            out += draw(st.sampled_from(["", " ", "-", "(", ")", " (", ") "]))
        out += d
    return draw(WHITESPACE) + out + draw(WHITESPACE), digits


@given(written_phones())
def test_a_russian_number_in_any_usual_writing_becomes_the_canonical_one(phone):
    written, digits = phone
    assert normalise_phone(written) == f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


@given(st.one_of(st.text(alphabet="0123456789 +()-", max_size=20), st.text(max_size=20)))
@example("+7 912 345-67-89")
@example("٩١٢٣٤٥٦٧٨٩")  # Arabic-Indic digits are digits to \d, not to a phone
def test_an_accepted_phone_is_canonical_and_keeps_the_digits(value):
    outcome, result = _try(normalise_phone, value)
    if outcome == "refused":
        assert "Телефон указан неверно" in result
        return
    if not value.strip():
        assert result == ""
        return
    if not CANONICAL_PHONE.match(result):  # another country's: «+» and its digits
        assert re.fullmatch(r"\+\d{11,15}", result) and value.strip().startswith("+")
        assert result[1] != "7" and result[1:] == re.sub(r"\D", "", value)
        return
    assert re.sub(r"\D", "", result)[1:] == re.sub(r"\D", "", value)[-10:]
    assert normalise_phone(result) == result


@given(
    code=st.sampled_from(["+8", "+81", "+86", "+1", "+44", "+375", "+998"]),
    rest=st.text("0123456789", min_size=10),
)
def test_a_number_with_a_foreign_country_code_keeps_its_country(code, rest):
    value = (code + rest)[:14]  # 11 to 13 digits after the plus
    outcome, result = _try(normalise_phone, value)
    assert (outcome, result) == ("ok", value)  # «+» and its digits, never read as a Russian number
    assert normalise_phone(result) == result


def test_every_form_of_a_phone_is_stored_in_one_spelling():
    for typed in ("+79123456789", "89123456789", "8 (912) 345-67-89", "9123456789", "+7 912 345 67 89"):
        assert normalise_phone(typed) == "+7 912 345-67-89"
    assert normalise_phone("  ") == ""
    assert normalise_phone("+375 29 123-45-67") == "+375291234567"


@st.composite
def addresses(draw: st.DrawFn) -> str:
    part = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789._+-", min_size=1, max_size=20)
    host = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-", min_size=1, max_size=15)
    tld = st.sampled_from(["ru", "RU", "рф", "com", "org", "edu.ru"])
    return f"{draw(part)}@{draw(host)}.{draw(tld)}"


@given(addresses(), WHITESPACE, WHITESPACE)
def test_an_address_is_accepted_trimmed_and_lower_case(address, before, after):
    assert normalise_email(before + address + after) == address.lower()


@given(st.one_of(st.text(max_size=30), st.text(alphabet="ab@. \t", max_size=12)))
@example("a" * 250 + "@b.ru")
@example("0@..0")  # an empty label in the domain was accepted
def test_an_accepted_address_has_one_at_a_dotted_domain_and_no_spaces(value):
    outcome, result = _try(normalise_email, value)
    if outcome == "refused":
        assert "электронной почты" in result
        return
    assert result == value.strip().lower() and normalise_email(result) == result
    if result:
        local, at, domain = result.partition("@")
        assert at and local and "." in domain.strip(".") and "@" not in domain
        assert not any(c.isspace() for c in result) and len(result) <= 254


@given(st.characters(categories=["Cc"]).filter(lambda c: not c.isspace()))
def test_an_address_with_a_control_character_is_refused(control):
    outcome, _ = _try(normalise_email, f"ivan{control}ova@mail.ru")
    assert outcome == "refused"


words = st.text(alphabet=CYRILLIC, min_size=1, max_size=12)


@given(
    st.lists(words, min_size=1, max_size=4),
    st.lists(st.sampled_from([" ", "-", "'"]), min_size=3, max_size=3),
    WHITESPACE,
    WHITESPACE,
)
def test_a_name_is_its_words_with_single_separators(parts, separators, before, after):
    canonical = parts[0] + "".join(s + w for s, w in zip(separators, parts[1:], strict=False))
    typed = before + canonical.replace(" ", "  \t ") + after
    outcome, result = _try(_name, typed, "фамилию")
    if len(canonical) > MAX_NAME:
        assert outcome == "refused" and f"длиннее {MAX_NAME}" in result
    else:
        assert (outcome, result) == ("ok", canonical)


@given(st.one_of(st.text(max_size=70), st.text(alphabet=CYRILLIC + " -'\t1.", max_size=70)))
@example("Анна - Мария")
@example("<script>")
def test_an_accepted_name_is_letters_with_single_separators(value):
    outcome, result = _try(_name, value, "имя")
    if outcome == "refused":
        assert result.startswith("Укажите имя") or "«имя»" in result
        return
    assert re.fullmatch(r"[A-Za-zА-Яа-яЁё]+(?:[ '\-][A-Za-zА-Яа-яЁё]+)*", result)
    assert len(result) <= MAX_NAME and _name(result, "имя") == result


@given(WHITESPACE)
def test_an_empty_name_is_refused_only_where_required(blank):
    assert _try(_name, blank, "фамилию") == ("refused", "Укажите фамилию.")
    assert _name(blank, "отчество", required=False) == ""
