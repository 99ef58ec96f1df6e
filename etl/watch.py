"""Keep the warehouse fresh while the app runs: an incremental load every few seconds."""

from __future__ import annotations

import logging
import os
import time

from app.settings import get_settings
from etl.load import EtlBusy, run_etl

log = logging.getLogger("ejournal.etl")


def watch(*, interval: int | None = None, parent_pid: int | None = None) -> None:
    interval = interval or get_settings().etl_interval_seconds
    parent = parent_pid or os.getppid()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    while True:
        try:
            report = run_etl()
            if report.mode != "unchanged":
                log.info(report.summary())
        except EtlBusy:
            pass
        except Exception:  # a failed load keeps the last good warehouse; try again next round
            log.exception("загрузка хранилища не удалась")
        time.sleep(interval)
        if os.getppid() != parent:  # the app that started us is gone
            return
