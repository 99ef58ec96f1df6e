"""Credential slips: what a person needs to log in, eight to a page, and no password in the hash."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain import Role
from app.reports.common import ReportError
from app.reports.credential_slips import credential_slips_pdf
from app.services.curator import Credentials
from tests.reports.conftest import HASH_RE, pages_text, pdf_text

EXPIRES = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


def creds(n: int, password: str = "AB3D-EF7H-JK9L", role: Role = Role.student) -> Credentials:
    name = f"Иванова Анна Игоревна {n}"
    whose = name if role is Role.student else "Петров Иван Сергеевич, Петрова Ольга Сергеевна"
    return Credentials(f"ivanova.ai{n}", password, name, True, role, whose, "ИСП-21", EXPIRES)


def make(slips: list[Credentials]) -> bytes:
    return credential_slips_pdf(
        slips, college="Радиотехнический техникум", issued_by="Соколова Елена Викторовна", group="ИСП-21"
    )


def test_a_slip_says_where_who_and_how_to_log_in():
    text = " ".join(pdf_text(make([creds(1), creds(2, "QW3R-TY7U-PA9S", Role.guardian)])).split())
    assert "Доступ к электронному дневнику" in text and "Радиотехнический техникум" in text
    assert "Иванова Анна Игоревна 1" in text and "Студент группы ИСП-21" in text
    assert "ivanova.ai1" in text and "AB3D-EF7H-JK9L" in text and "QW3R-TY7U-PA9S" in text
    assert "Родитель (законный представитель) обучающихся: Петров Иван Сергеевич" in text
    assert "http://localhost:8501" in text
    assert "действует до 09.12.2026" in text and "не короче 8 символов" in text
    assert "Соколова Елена Викторовна, " in text


def test_eight_slips_to_a_page():
    pages = pages_text(make([creds(n) for n in range(17)]))
    assert len(pages) == 3
    assert [len(re.findall(r"ivanova\.ai\d+", p)) for p in pages] == [8, 8, 1]


def test_the_data_hash_does_not_depend_on_the_passwords():
    def footer_hash(pdf: bytes) -> str:
        found = HASH_RE.search(pdf_text(pdf))
        assert found
        return found.group(1)

    first = footer_hash(make([creds(1, "AAAA-BBBB-CCCC")]))
    assert first == footer_hash(make([creds(1, "DDDD-EEEE-FFFF")]))
    assert first != footer_hash(make([creds(2, "AAAA-BBBB-CCCC")]))


def test_nothing_to_print_is_said_in_russian():
    with pytest.raises(ReportError, match="печатать нечего"):
        make([])


def test_the_expiry_is_the_colleges_date():
    # 22:30 UTC on 09.12 is already 10.12 in Moscow, the college's clock
    late = replace(creds(1), expires_at=datetime(2026, 12, 9, 22, 30, tzinfo=UTC))
    assert "действует до 10.12.2026" in " ".join(pdf_text(make([late])).split())
