"""Keep the journal and the warehouse current while the app runs (`ejournal etl watch`, which
`ejournal serve` runs beside the app).

- The sealer (a thread): every EJOURNAL_AUDIT_SEAL_INTERVAL_SECONDS it seals the committed audit
  entries into the hash chain (app.audit_chain.seal_all; migration 0027).
- The wake-up: audit_seal() announces what it sealed with NOTIFY ejournal_sealed, and every change
  a user makes is audited, so a sealed entry means the journal changed. A listener thread wakes
  the load at once (but not sooner than EJOURNAL_ETL_MIN_GAP_SECONDS after the last), whichever
  server's sealer sealed it; without one, the load runs every EJOURNAL_ETL_INTERVAL_SECONDS. (The
  writers themselves do not NOTIFY: PostgreSQL serialises the commits of notifying transactions,
  which is the queue the sealer exists to remove.)
- The loop: every EJOURNAL_ETL_INTERVAL_SECONDS the day's lessons from the timetable
  (app.services.journal.materialize_due, as the app's role); every round an incremental load.
- The notices (a thread): every EJOURNAL_NOTIFY_INTERVAL_SECONDS a round of e-mail notices
  (app.notify.run), each after a round of the loop has ended since the one before, so an alert read
  from the marts is as fresh as they are. Not in the loop: for a region a round of notices takes
  5–7 s even with nothing to send, and a save made meanwhile waited for it to reach the marts.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import psycopg
from sqlmodel import Session

from app.audit_chain import seal_all
from app.db import etl_database_url, get_engine
from app.notify.run import run_once
from app.services.journal import materialize_due
from app.settings import get_settings
from etl.load import EtlBusy, run_etl

log = logging.getLogger("ejournal.etl")

CHANNEL = "ejournal_sealed"  # audit_seal()'s NOTIFY


def _seal_loop(stop: threading.Event) -> None:
    interval = get_settings().audit_seal_interval_seconds
    while not stop.wait(interval):
        try:
            with Session(get_engine()) as session:
                seal_all(session=session)
        except Exception:  # the next round tries again; verify reports an entry left too long
            log.exception("записи журнала аудита не включены в цепочку")


def _notify_loop(loaded: threading.Event, stop: threading.Event) -> None:
    while not stop.is_set():
        if not loaded.wait(1.0):  # no round of the loop has ended since the last notices
            continue
        loaded.clear()
        try:
            round_ = run_once()
            if round_.produced.total or round_.sent.sent or round_.sent.dead:
                log.info(str(round_))
        except Exception:  # the queue keeps what was not sent; the next round tries again
            log.exception("уведомления не отправлены")
        stop.wait(get_settings().notify_interval_seconds)


def _listen_loop(wake: threading.Event, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with psycopg.connect(etl_database_url(), autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                while not stop.is_set():
                    for _ in conn.notifies(timeout=1.0, stop_after=1):
                        wake.set()
        except Exception:  # the server restarted: listen again; the interval still runs the loop
            log.exception("ожидание изменений прервано")
            stop.wait(5)


def watch(*, interval: int | None = None, parent_pid: int | None = None) -> None:
    interval = interval or get_settings().etl_interval_seconds
    parent = parent_pid or os.getppid()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    wake, stop, loaded = threading.Event(), threading.Event(), threading.Event()
    threading.Thread(target=_seal_loop, args=(stop,), name="audit-sealer", daemon=True).start()
    threading.Thread(target=_listen_loop, args=(wake, stop), name="change-listener", daemon=True).start()
    threading.Thread(target=_notify_loop, args=(loaded, stop), name="notices", daemon=True).start()
    materialized = -float("inf")
    try:
        while True:
            wake.clear()
            # The day's lessons once an interval, not on every wake-up: a change never needs
            # them (the timetable's own changes make theirs), and for a region it takes seconds.
            materialize = time.monotonic() - materialized >= interval
            if materialize:
                materialized = time.monotonic()
            _round(materialize=materialize)
            loaded.set()
            gap = min(get_settings().etl_min_gap_seconds, interval)
            time.sleep(gap)  # what changes meanwhile is loaded by the next round, together
            wake.wait(interval - gap)
            if os.getppid() != parent:  # the app that started us is gone
                return
    finally:
        stop.set()


def _round(*, materialize: bool) -> None:
    if materialize:
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
