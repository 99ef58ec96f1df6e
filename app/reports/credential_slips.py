"""Printable slips with diary credentials (реквизиты доступа, §3.1.2 and §4.2.4 of the regulation):
one per person, eight to an A4 page with cut lines, for the curator to hand out and have signed.

The PDF carries one-time passwords, so it is made in memory, offered for download once and never
stored; the data hash in the footer is taken without the passwords.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.domain import Role, fmt_date
from app.reports.common import Meta, ReportError, data_hash, now_local, render
from app.services.accounts import MIN_PASSWORD
from app.services.curator import Credentials
from app.settings import get_settings

TITLE = "Реквизиты доступа к электронному дневнику"
STAFF_TITLE = "Реквизиты доступа к электронному журналу"


DIARY_ROLES = (Role.student, Role.guardian)


def _whom(creds: Credentials) -> str:
    if creds.role not in DIARY_ROLES:
        return f"Сотрудник колледжа: {creds.position}" if creds.position else "Сотрудник колледжа"
    if creds.role is Role.guardian:
        whose = "обучающихся" if "," in creds.students else "обучающегося"
        group = f" ({creds.group})" if creds.group else ""
        return f"Родитель (законный представитель) {whose}: {creds.students or '—'}{group}"
    return f"Студент группы {creds.group}" if creds.group else "Студент"


def slip_content(
    slips: Sequence[Credentials], *, college: str, issued_by: str, issued_at: datetime, passwords: bool = True
) -> dict[str, object]:
    """What the template prints; without `passwords`, what the data hash is taken over."""
    settings = get_settings()
    diary = all(c.role in DIARY_ROLES for c in slips)
    return {
        "college": college,
        "heading": "Доступ к электронному дневнику" if diary else "Доступ к электронному журналу",
        "url": settings.public_url,
        "issued": f"{issued_by}, {fmt_date(issued_at.astimezone(settings.tz).date())}",
        "min_length": MIN_PASSWORD,
        "slips": [
            {
                "name": c.full_name,
                "whom": _whom(c),
                "login": c.login,
                **({"password": c.password} if passwords else {}),
                "expires": fmt_date(c.expires_at.astimezone(settings.tz).date()) if c.expires_at else "",
            }
            for c in slips
        ],
    }


def credential_slips_pdf(
    slips: Sequence[Credentials],
    *,
    college: str,
    issued_by: str,
    group: str = "",
    issued_at: datetime | None = None,
) -> bytes:
    if not slips:
        raise ReportError("Нет выданных реквизитов: печатать нечего.")
    moment = issued_at or now_local()
    content = slip_content(slips, college=college, issued_by=issued_by, issued_at=moment)
    without_passwords = slip_content(
        slips, college=college, issued_by=issued_by, issued_at=moment, passwords=False
    )
    title = TITLE if all(c.role in DIARY_ROLES for c in slips) else STAFF_TITLE
    meta = Meta(
        title=title,
        college=college,
        header_left=college,
        header_right=title + (f" · группа {group}" if group else ""),
        generated_at=moment,
        content_hash=data_hash(without_passwords),
    )
    return render("credential_slips.typ", meta, content)
