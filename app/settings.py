"""One typed settings object, read from EJOURNAL_* environment variables and validated at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# the alerts a college may send (app.notify.produce)
ALERT_KINDS = frozenset({"absence", "low_mark", "systematic", "debt"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EJOURNAL_", extra="ignore")

    # None means: run the embedded PostgreSQL server whose data lives under data_dir.
    # This URL connects as the tables' owner (migrations, seeding, backups, psql).
    database_url: str | None = None
    # The app connects as a role that does not own the tables, the ETL as a read-only role.
    # Unset: the owner URL with the user swapped (fine where the server trusts local roles, as the
    # embedded one does); an external server with passwords needs them set explicitly.
    app_database_url: str | None = None
    etl_database_url: str | None = None
    # Transactions one app process runs at once (Streamlit serves every user from one process);
    # more requests wait their turn, in order, up to db_pool_timeout_s (app.db.make_engine).
    db_pool_size: int = Field(default=4, ge=1, le=200)
    db_pool_timeout_s: float = Field(default=10.0, gt=0, le=600)
    # False: everything connects as the owner (a server where roles cannot be created).
    db_roles: bool = True
    data_dir: Path = Path("./var")
    timezone: str = "Europe/Moscow"
    checking_deadline_days: int = Field(default=7, ge=0, le=60)
    # Share of a month's hours missed above which absence is «систематические пропуски».
    systematic_absence_share: float = Field(default=0.30, gt=0, lt=1)
    # Fewer marks than this per student over the last four weeks of a subject is a remark.
    min_marks_per_month: int = Field(default=3, ge=0, le=30)
    # Lockout: this many failed logins within the window lock the account for lockout_minutes.
    login_max_failures: int = Field(default=5, ge=3, le=100)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # Failed logins from one address within that window after which the address is refused (any
    # login): spraying predictable logins stops here, before it locks every account it tries.
    login_source_max_failures: int = Field(default=30, ge=5, le=10_000)
    # A one-time initial password (issued by the officer or a curator) expires after this many days.
    initial_password_days: int = Field(default=7, ge=1, le=90)
    # Sessions end after this long without a request, and after this long in any case.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    # How often `ejournal serve` refreshes the warehouse when nothing wakes it sooner (a sealed
    # audit entry, i.e. any change, starts a load at once).
    etl_interval_seconds: int = Field(default=30, ge=5, le=3600)
    # ... but not sooner than this after the last one, so the saves of a busy minute load together.
    etl_min_gap_seconds: float = Field(default=1.0, ge=0, le=3600)
    # Audit entries are sealed into the hash chain after commit (migration 0027): `ejournal serve`
    # seals every audit_seal_interval_seconds; `ejournal audit verify` fails on an entry left
    # unsealed longer than audit_seal_seconds (a sealer that stopped).
    audit_seal_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    audit_seal_seconds: int = Field(default=120, ge=5, le=86_400)
    # The address people open the app at: printed on the credential slips handed to guardians.
    public_url: str = "http://localhost:8501"
    # E-mail notices (app.notify) go through this relay; no host: they queue and wait for one.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    # none: plain (a relay on the same host or network); starttls: upgrade on 587; ssl: TLS on 465
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_sender: str = "Электронный журнал <journal@localhost>"
    smtp_timeout_seconds: float = Field(default=20, gt=0, le=300)
    # How often `ejournal serve` produces and sends notices; attempts before a notice is dead.
    notify_interval_seconds: int = Field(default=60, ge=5, le=3600)
    notify_max_attempts: int = Field(default=8, ge=1, le=50)
    # Requests one API token may make in a minute (per server process).
    api_requests_per_minute: int = Field(default=120, ge=1, le=10_000)
    # The alerts the college sends (the weekly digest is the person's own choice).
    notify_alerts: Annotated[frozenset[str], NoDecode] = frozenset(
        {"absence", "low_mark", "systematic", "debt"}
    )
    # The digest of a week goes out from this weekday (1 = Monday … 7 = Sunday) and hour on.
    notify_digest_weekday: int = Field(default=6, ge=1, le=7)
    notify_digest_hour: int = Field(default=12, ge=0, le=23)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        # A directory of the tz database («Europe») or an over-long name is an OSError, which
        # pydantic would not turn into a validation error: the program would die with a traceback.
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"неизвестный часовой пояс «{value}» (пример: Europe/Moscow)") from exc
        return value

    @field_validator("notify_alerts", mode="before")
    @classmethod
    def _known_alerts(cls, value: object) -> object:
        if isinstance(value, str):  # EJOURNAL_NOTIFY_ALERTS=absence,low_mark
            value = {v.strip() for v in value.split(",") if v.strip()}
        unknown = set(value) - ALERT_KINDS if isinstance(value, set | frozenset | list | tuple) else set()
        if unknown:
            raise ValueError(
                f"неизвестные виды уведомлений: {', '.join(sorted(unknown))} "
                f"(допустимы: {', '.join(sorted(ALERT_KINDS))})"
            )
        return value

    @field_validator("smtp_sender")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        from email.utils import parseaddr

        if "@" not in parseaddr(value)[1]:
            raise ValueError("адрес отправителя: «Имя <адрес@домен>» или «адрес@домен»")
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        value = value.strip()
        if (
            not value.startswith(("http://", "https://"))
            or len(value) > 200
            or any(c.isspace() for c in value)
        ):
            raise ValueError(
                "адрес сайта должен начинаться с http:// или https:// (пример: https://journal.college.ru)"
            )
        return value.rstrip("/")

    @field_validator("database_url", "app_database_url", "etl_database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("EJOURNAL_DATABASE_URL должен быть адресом PostgreSQL (postgresql://…)")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def pgdata(self) -> Path:
        return self.data_dir.resolve() / "pgdata"

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir.resolve() / "warehouse"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
