"""The package works outside the checkout: a wheel installed into a new venv seeds, loads and serves
from another directory, with no source tree anywhere on its path."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.serving import free_port, serving

NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "test-results"
)


def run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, f"{' '.join(cmd)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding only the wheel built from this checkout; returns its bin/ directory."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    # No build isolation: the dev extra pins the build backend, so this needs no network.
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp / "dist"),
            str(source),
        ],
        cwd=tmp,
    )
    shutil.rmtree(source)  # the installed package must not lean on it
    wheel = next((tmp / "dist").glob("ejournal-*.whl"))
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        cwd=tmp,
    )
    # The dependencies come from the suite's own environment (installing them again would download
    # hundreds of MB per run); a path line is not a site dir, so the editable checkout there stays out.
    purelib = Path(
        run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp,
        ).strip()
    )
    (purelib / "suite_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def test_the_installed_wheel_seeds_loads_and_serves_from_another_directory(installed, new_database, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        EJOURNAL_DATABASE_URL=new_database("ejournal_wheel", migrate=False),
        EJOURNAL_DATA_DIR=str(elsewhere / "var"),
    )

    where = run(
        [
            str(installed / "python"),
            "-c",
            "import app, app.paths as p; print(app.__file__); print(p.STREAMLIT_APP); print(p.WAREHOUSE)",
        ],
        cwd=elsewhere,
        env=env,
    ).split()
    venv = installed.parent
    assert all(Path(line).is_relative_to(venv) for line in where), where

    seeded = run([str(installed / "ejournal"), "demo", "seed"], cwd=elsewhere, env=env)
    assert "Демонстрационные данные загружены" in seeded
    loaded = run([str(installed / "ejournal"), "etl", "run"], cwd=elsewhere, env=env)
    assert "Полная загрузка" in loaded
    tests_run = re.search(r"проверок данных (\d+)", loaded)
    assert tests_run and int(tests_run.group(1)) > 100, loaded  # the marts and their data tests shipped
    assert (elsewhere / "var" / "warehouse").is_dir()

    port = free_port()
    with serving(
        [str(installed / "ejournal"), "serve", "--server.port", str(port)],
        port=port,
        env=env,
        cwd=elsewhere,
        log=tmp_path / "serve.log",
    ) as url:
        assert url
