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


def _whom(creds: Credentials) -> str:
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
    return {
        "college": college,
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
    meta = Meta(
        title=TITLE,
        college=college,
        header_left=college,
        header_right=f"{TITLE}" + (f" · группа {group}" if group else ""),
        generated_at=moment,
        content_hash=data_hash(without_passwords),
    )
    return render("credential_slips.typ", meta, content)
