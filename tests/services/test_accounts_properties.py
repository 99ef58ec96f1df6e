"""Property tests of the account rules: password policy, no truncation, login normalisation, one message."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.domain import Role
from app.errors import DomainError
from app.models import UserAccount
from app.passwords import hash_password, verify_password
from app.services.accounts import (
    LOGIN_FAILED,
    MAX_LOGIN,
    MAX_PASSWORD,
    MIN_PASSWORD,
    authenticate,
    common_passwords,
    create_user,
    validate_password,
)
from tests.factories import PASSWORD

# Argon2 is slow on purpose, and the database ones commit: few examples, no deadline.
SLOW = settings(max_examples=25, deadline=None)
DB = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

COMMON = sorted(common_passwords())
LETTERS = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя0123456789-_."


def new_teacher(s: Session, world, login: str) -> tuple[int, str | None]:
    """create_user as the tests here need it: a teacher of the world's college with PASSWORD."""
    return create_user(
        session=s,
        college_id=world.college_id,
        login=login,
        password=PASSWORD,
        full_name="Проверка Логина",
        roles={Role.teacher},
    )


@st.composite
def any_case(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if f else c for c, f in zip(word, flips, strict=True))


def _outcome(password: str, login: str = "") -> str:
    try:
        validate_password(password, login=login)
    except DomainError as exc:
        return exc.message
    return "ok"


@given(st.text(max_size=MAX_PASSWORD + 40))
def test_length_alone_decides_between_short_long_and_further_checks(password):
    outcome = _outcome(password)
    if len(password) < MIN_PASSWORD:
        assert "короткий" in outcome
    elif len(password) > MAX_PASSWORD:
        assert "длинный" in outcome
    else:
        assert outcome == "ok" or ("распространён" in outcome and password.lower() in common_passwords()), (
            outcome
        )


@given(st.integers(MIN_PASSWORD, MAX_PASSWORD), st.sampled_from("aZ9ёЖ€ 🔑"))
def test_every_length_from_8_to_128_is_accepted(length, char):
    password = ("x7" + char * length)[:length]
    assert _outcome(password) == "ok"


@given(st.sampled_from([p for p in COMMON if len(p) >= MIN_PASSWORD]).flatmap(any_case))
def test_common_passwords_are_refused_in_any_letter_case(password):
    assert "распространён" in _outcome(password)


@given(st.text(alphabet=LETTERS, min_size=MIN_PASSWORD, max_size=64).flatmap(any_case))
def test_a_password_equal_to_the_login_is_refused_in_any_case(login):
    assume(login.lower() not in common_passwords())
    assert "логином" in _outcome(login.swapcase(), login=login)


@SLOW
@given(
    prefix=st.text(min_size=72, max_size=100),
    tails=st.lists(st.text(min_size=1, max_size=20), min_size=2, max_size=2, unique=True),
)
def test_no_truncation_after_72_characters(prefix, tails):
    """bcrypt ignores everything past 72 bytes; argon2id must tell these passwords apart."""
    first, second = (prefix + t for t in tails)
    assume(len(first) <= MAX_PASSWORD and len(second) <= MAX_PASSWORD)
    hashed = hash_password(first)
    assert verify_password(hashed, first)
    assert not verify_password(hashed, second)


_logins = itertools.count(1)


@DB
@given(
    name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=3, max_size=20),
    typed=st.data(),
    padding=st.tuples(st.sampled_from(["", " ", "\t", "  \n"]), st.sampled_from(["", " ", "\t"])),
)
def test_logins_are_stored_and_matched_trimmed_and_lower_case(world, name, typed, padding):
    login = f"p{next(_logins)}-{world.college_id}-{name}"
    given_as = padding[0] + typed.draw(any_case(login)) + padding[1]
    with Session(world.engine) as s:
        uid, _ = new_teacher(s, world, given_as)
        s.commit()
        assert s.exec(select(UserAccount.login).where(UserAccount.id == uid)).one() == login
        typed_again = padding[1] + typed.draw(any_case(login)) + padding[0]
        assert authenticate(typed_again, PASSWORD, session=s).user_id == uid


@DB
@given(
    who=st.one_of(st.just("teacher"), st.text(max_size=30), st.text(alphabet="\x00teacher", min_size=1)),
    password=st.text(max_size=40).filter(lambda p: p != PASSWORD),
)
@example(who="tea\x00cher", password="wrong-password")  # PostgreSQL text cannot hold NUL
def test_unknown_login_and_wrong_password_get_the_same_russian_message(world, who, password):
    """Whatever is typed (control characters included) the answer is the one message, never a crash."""
    login = world.logins["teacher"] if who == "teacher" else who
    with Session(world.engine) as s, pytest.raises(DomainError) as info:
        authenticate(login, password, session=s)
    assert (info.value.message, info.value.code) == (LOGIN_FAILED, "login_failed")


@DB
@given(
    name=st.text(alphabet="abc", min_size=1, max_size=8),
    control=st.characters(categories=["Cc", "Zl", "Zp"]),
)
@example(name="new", control="\x00")
def test_a_login_with_a_control_character_is_refused_in_russian(world, name, control):
    login = f"c{next(_logins)}-{world.college_id}-{name}{control}{name}"
    with Session(world.engine) as s, pytest.raises(DomainError, match="управляющие символы"):
        new_teacher(s, world, login)


@DB
@given(length=st.integers(MAX_LOGIN - 20, MAX_LOGIN + 40))
@example(length=MAX_LOGIN + 1)
def test_a_login_that_is_created_can_log_in(world, length):
    """No account whose login is longer than what authenticate reads."""
    login = f"l{next(_logins)}-{world.college_id}-".ljust(length, "x")
    with Session(world.engine) as s:
        try:
            new_teacher(s, world, login)
        except DomainError as exc:
            assert "длиннее" in exc.message and length > MAX_LOGIN
            return
        s.commit()
        assert authenticate(login, PASSWORD, session=s).user_id
