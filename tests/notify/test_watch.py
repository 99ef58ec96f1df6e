"""The notices `ejournal etl watch` sends (etl/watch.py): in their own thread, each round after a
load, so an alert read from the marts is as fresh as they are."""

from __future__ import annotations

import os
import signal
import time

from etl.warehouse import read_pointer
from tests.etl.test_watch import start_watch
from tests.notify.conftest import GUARDIAN_EMAIL, absent


def test_the_watch_sends_an_alert_its_load_made(addressed, settings, relay, database_url, tmp_path):
    world = addressed
    for lesson in (world.lesson(0), world.lesson(0)):  # every hour of the month missed: systematic
        absent(world, lesson)
    env = {
        "EJOURNAL_SMTP_HOST": "127.0.0.1",
        "EJOURNAL_SMTP_PORT": str(relay.port),
        "EJOURNAL_SMTP_SENDER": settings.smtp_sender,
        "EJOURNAL_PUBLIC_URL": settings.public_url,
        "EJOURNAL_NOTIFY_INTERVAL_SECONDS": "5",
    }
    proc = start_watch(database_url, tmp_path, interval=3600, env=env)

    def systematic() -> list[str]:
        return [
            m["Subject"] for m in relay.inbox.to(GUARDIAN_EMAIL) if m["Subject"].startswith("Систематические")
        ]

    try:
        deadline = time.monotonic() + 180
        while not systematic() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert len(systematic()) == 1, out  # read from the marts of the watch's first load
    assert read_pointer(tmp_path / "warehouse") is not None
