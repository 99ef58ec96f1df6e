"""Advisory check for the exact-pinned runtime dependencies (docs/security.md). Needs the network.

    python tools/check_advisories.py [--pyproject pyproject.toml]

For every `name==version` in [project].dependencies it asks PyPI's JSON API (whose
`vulnerabilities` come from OSV and the PyPA advisory database) whether the pin is the latest
release and which advisories list the pinned version. The per-version endpoint answers for the
pin itself; where it cannot be reached, the project endpoint answers for the latest release, which
covers the pin only when the pin is the latest. Exit status: 0 clean, 1 an advisory lists a pinned
version, 2 a pin could not be checked. Standard library only, so it runs before anything is
installed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYPI = "https://pypi.org/pypi"
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;,]+)\s*(?:;.*)?$")


def exact_pins(pyproject: Path) -> dict[str, str]:
    """name -> version for the runtime dependencies pinned with ==."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    pins = {}
    for requirement in data["project"]["dependencies"]:
        match = _PIN.match(requirement)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def fetch(url: str, timeout: float) -> dict[str, Any] | None:
    """The JSON at url, or None where PyPI (or the proxy in between) has no answer."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: dict[str, Any] = json.load(response)
            return data
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
        print(f"  ({url}: {exc})", file=sys.stderr)
        return None


def live(vulnerabilities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in vulnerabilities if not v.get("withdrawn")]


def check(name: str, pin: str, timeout: float) -> int:
    """Print one dependency's findings; return its exit status."""
    project = fetch(f"{PYPI}/{name}/json", timeout)
    if project is None:
        print(f"{name}=={pin}: PyPI did not answer — not checked")
        return 2
    latest = project["info"]["version"]
    release = fetch(f"{PYPI}/{name}/{pin}/json", timeout)
    if release is not None:
        found, source = live(release.get("vulnerabilities", [])), f"{name}/{pin}/json"
    elif pin == latest:
        found, source = live(project.get("vulnerabilities", [])), f"{name}/json (the pin is the latest)"
    else:
        print(
            f"{name}=={pin}: latest is {latest}; the per-version endpoint did not answer, so the "
            "pin's advisories are unknown — not checked"
        )
        return 2
    state = "the latest release" if pin == latest else f"latest is {latest}"
    print(f"{name}=={pin}: {state}; advisories listing the pin: {len(found)} (from {source})")
    for v in found:
        aliases = ", ".join(v.get("aliases") or [])
        fixed = ", ".join(v.get("fixed_in") or []) or "no fixed version"
        print(
            f"  {v.get('id')} ({aliases}) fixed in {fixed}: {(v.get('summary') or v.get('details') or '')[:120]}"
        )
    return 1 if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    pins = exact_pins(args.pyproject)
    if not pins:
        sys.exit(f"{args.pyproject}: no dependency is pinned with ==")
    statuses = [check(name, pin, args.timeout) for name, pin in sorted(pins.items())]
    # An advisory outranks a pin that could not be checked.
    sys.exit(1 if 1 in statuses else max(statuses))


if __name__ == "__main__":
    main()
