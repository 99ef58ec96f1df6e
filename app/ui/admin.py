"""«Администрирование»: the accounts table, the roles one may revoke, the officer's slip."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from sqlmodel import Session

from app.actor import Actor
from app.db import get_engine
from app.domain import GRANTABLE_ROLES, ROLE_LABELS, Role
from app.models import College
from app.reports.credential_slips import credential_slips_pdf
from app.services.admin import Account, OpenSession
from app.services.curator import Credentials


def accounts_frame(accounts: Sequence[Account]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ФИО": [a.full_name for a in accounts],
            "Логин": [a.login for a in accounts],
            "Роли": [", ".join(a.roles) or "—" for a in accounts],
            "Состояние": [a.status for a in accounts],
        },
        schema={"ФИО": pl.String, "Логин": pl.String, "Роли": pl.String, "Состояние": pl.String},
    )


def sessions_frame(sessions: Sequence[OpenSession]) -> pl.DataFrame:
    """An account's open sessions as the officer reads them (times in the college's zone)."""
    from app.settings import get_settings

    tz = get_settings().tz
    return pl.DataFrame(
        {
            "Вход": [s.started_at.astimezone(tz).strftime("%d.%m.%Y %H:%M") for s in sessions],
            "Последнее действие": [
                s.last_seen_at.astimezone(tz).strftime("%d.%m.%Y %H:%M") for s in sessions
            ],
            "Адрес": [s.source_address for s in sessions],
            "Браузер": [s.user_agent for s in sessions],
        },
        schema={"Вход": pl.String, "Последнее действие": pl.String, "Адрес": pl.String, "Браузер": pl.String},
    )


def role_choices(account: Account) -> dict[tuple[Role, int | None], str]:
    """The staff roles the account holds, as (role, group) → label: one entry per curated group."""
    choices: dict[tuple[Role, int | None], str] = {
        (r, None): ROLE_LABELS[r] for r in account.stored if r in GRANTABLE_ROLES
    }
    for group_id, name in account.curated:
        choices[(Role.curator, group_id)] = f"куратор группы {name}"
    return choices


def staff_slip(actor: Actor, account: Account, password: str) -> bytes:
    """The printable slip for a staff member's new one-time password (the curators' slip layout)."""
    with Session(get_engine()) as db:
        college = db.get(College, actor.college_id)
    creds = Credentials(
        login=account.login,
        password=password,
        full_name=account.full_name,
        new_account=False,
        role=Role.teacher,
        expires_at=account.password_expires_at,
        position=", ".join(account.roles),
    )
    return credential_slips_pdf([creds], college=college.name if college else "", issued_by=actor.full_name)
