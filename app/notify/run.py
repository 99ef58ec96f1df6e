"""One round of notices: queue what is due, then send what is queued (`ejournal notify run`, and
each round of `ejournal serve`'s refresh loop)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.db import get_engine
from app.notify.produce import ProduceReport, produce
from app.notify.queue import SendReport, send_due
from app.services.journal import college_now
from app.settings import Settings, get_settings


@dataclass
class RunReport:
    produced: ProduceReport
    sent: SendReport

    def __str__(self) -> str:
        return f"Уведомления: {self.produced}; {self.sent}."


def _reader(settings: Settings) -> object | None:
    from etl.warehouse import NoWarehouse, WarehouseReader

    try:
        reader = WarehouseReader(settings.warehouse_dir)
        reader.published()
    except NoWarehouse:
        return None
    return reader


def run_once(*, settings: Settings | None = None, send: bool = True) -> RunReport:
    settings = settings or get_settings()
    engine = get_engine()
    reader = _reader(settings)
    try:
        with Session(engine) as session:
            now = college_now(session=session)
            produced = produce(session, settings, now, reader=reader)
            session.commit()  # one transaction: every notice of the round, or none
    finally:
        close = getattr(reader, "close", None)
        if close is not None:
            close()
    sent = send_due(engine, settings) if send else SendReport()
    return RunReport(produced, sent)
