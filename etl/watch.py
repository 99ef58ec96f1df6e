"""Keep the journal and the warehouse current while the app runs: every few seconds, the day's
lessons from the timetable (app.services.journal.materialize_due, as the app's role), then an
incremental load, and every EJOURNAL_NOTIFY_INTERVAL_SECONDS a round of e-mail notices
(app.notify.run: after the load, so an alert read from the marts is as fresh as they are)."""

from __future__ import annotations

import logging
import os
import time

from sqlmodel import Session

from app.db import get_engine
from app.notify.run import run_once
from app.services.journal import materialize_due
from app.settings import get_settings
from etl.load import EtlBusy, run_etl

log = logging.getLogger("ejournal.etl")


def watch(*, interval: int | None = None, parent_pid: int | None = None) -> None:
    interval = interval or get_settings().etl_interval_seconds
    parent = parent_pid or os.getppid()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    notified = 0.0
    while True:
        try:
            with Session(get_engine()) as session:
                created = materialize_due(session=session)
            if created:
                log.info("создано занятий по расписанию: %d", created)
        except Exception:  # the next round tries again; the load below still runs
            log.exception("создание занятий по расписанию не удалось")
        try:
            report = run_etl()
            if report.mode != "unchanged":
                log.info(report.summary())
        except EtlBusy:
            pass
        except Exception:  # a failed load keeps the last good warehouse; try again next round
            log.exception("загрузка хранилища не удалась")
        if time.monotonic() - notified >= get_settings().notify_interval_seconds:
            notified = time.monotonic()
            try:
                round_ = run_once()
                if round_.produced.total or round_.sent.sent or round_.sent.dead:
                    log.info(str(round_))
            except Exception:  # the queue keeps what was not sent; the next round tries again
                log.exception("уведомления не отправлены")
        time.sleep(interval)
        if os.getppid() != parent:  # the app that started us is gone
            return
