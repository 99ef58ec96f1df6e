"""`ejournal notify`: the e-mail notices' queue from the server's shell."""

from __future__ import annotations

import argparse


def cmd_notify_run(args: argparse.Namespace) -> None:
    import time

    from app.notify.run import run_once
    from app.settings import get_settings

    while True:
        print(run_once(send=not args.no_send), flush=True)
        if not args.watch:
            return
        time.sleep(get_settings().notify_interval_seconds)


def cmd_notify_status(_: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.db import get_owner_engine
    from app.notify.queue import status

    with Session(get_owner_engine()) as session:
        for line in status(session):
            print(line)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    notify = sub.add_parser("notify", help="уведомления родителям и студентам по эл. почте").add_subparsers(
        dest="notify_command", required=True
    )
    nr = notify.add_parser("run", help="поставить в очередь положенные уведомления и отправить очередь")
    nr.add_argument("--no-send", action="store_true", help="только поставить в очередь, не отправлять")
    nr.add_argument("--watch", action="store_true", help="повторять каждые EJOURNAL_NOTIFY_INTERVAL_SECONDS")
    nr.set_defaults(func=cmd_notify_run)
    ns = notify.add_parser("status", help="очередь уведомлений: сколько ждёт, отправлено, не доставлено")
    ns.set_defaults(func=cmd_notify_status)
