"""`ejournal serve`: the web application, with the warehouse kept fresh beside it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys


def cmd_serve(args: argparse.Namespace) -> None:
    from app.db import database_url
    from app.migrate import upgrade
    from app.paths import STREAMLIT_APP

    url = database_url()
    upgrade(url)
    env = dict(os.environ)
    # The app and its children use the same server the CLI just started.
    env["EJOURNAL_DATABASE_URL"] = url
    # Keep the warehouse fresh while the app runs: a first load now, then a refresh loop beside it.
    subprocess.run([sys.executable, "-m", "app.cli", "etl", "run"], env=env, check=False)
    subprocess.Popen([sys.executable, "-m", "app.cli", "etl", "watch"], env=env, start_new_session=False)
    os.environ.update(env)
    from app.settings import get_settings
    from app.web import serve

    get_settings.cache_clear()

    serve(STREAMLIT_APP, args.streamlit_args)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="запустить веб-приложение (Streamlit); параметры Streamlit передаются ему: --server.port 8600",
    )
    serve.set_defaults(func=cmd_serve, streamlit_args=[])
