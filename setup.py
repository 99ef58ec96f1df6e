"""Everything is declared in pyproject.toml; this only adds the bundle (see app/paths.py).

The Streamlit entry point, its pages and config and the warehouse's SQL live at the top of the
checkout, outside the Python packages, where the project's layout keeps them. A wheel copies them
into app/_bundle so that an installed ejournal runs from any directory.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def bundled() -> tuple[str, ...]:
    """app/paths.py's BUNDLED, read without importing the package (its dependencies are not here)."""
    tree = ast.parse((HERE / "app" / "paths.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "BUNDLED" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise RuntimeError("app/paths.py has no BUNDLED")


class BuildPyWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        bundle = Path(self.build_lib) / "app" / "_bundle"
        for name in bundled():
            source, target = HERE / name, bundle / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(
                    source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildPyWithBundle})
