"""The pinned Streamlit is past every known advisory and its config keeps the protections (no network)."""

from __future__ import annotations

import importlib.util
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# Streamlit advisories (PyPA advisory database / GitHub advisories; docs/security.md), with the
# first fixed version. Add a row when tools/check_advisories.py reports a new one.
STREAMLIT_ADVISORIES = {
    "PYSEC-2023-50 / CVE-2023-27494 / GHSA-9c6g-qpgj-rvxw (reflected XSS)": "0.81.0",
    "PYSEC-2022-248 / CVE-2022-35918 / GHSA-v4hr-4jpx-56gc (custom components directory traversal)": "1.11.1",
    "GHSA-8qw9-gf7w-42x5 (rest of the CVE-2022-35918 traversal)": "1.30.0",
    "PYSEC-2024-153 / CVE-2024-42474 / GHSA-rxff-vr5r-8cj5 (static files path traversal, Windows)": "1.37.0",
    "PYSEC-2026-212 / CVE-2026-10804 / GHSA-vqwp-45wm-r9r5 (weak hash in caching)": "1.53.1",
    "PYSEC-2026-2285 / CVE-2026-33682 / GHSA-7p48-42j8-8846 (SSRF via UNC paths, Windows)": "1.54.0",
}


def _requirements() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = (Requirement(r) for r in data["project"]["dependencies"])
    return {r.name.lower(): r for r in reqs}


def _streamlit_pin() -> Version:
    specifiers = list(_requirements()["streamlit"].specifier)
    assert len(specifiers) == 1 and specifiers[0].operator == "==", "streamlit must be pinned exactly"
    return Version(specifiers[0].version)


def test_streamlit_is_pinned_exactly_and_installed_at_the_pin():
    assert Version(version("streamlit")) == _streamlit_pin()


@pytest.mark.parametrize("advisory, fixed", sorted(STREAMLIT_ADVISORIES.items()))
def test_the_streamlit_pin_has_every_advisory_fix(advisory, fixed):
    assert _streamlit_pin() >= Version(fixed), f"{advisory}: fixed in {fixed}"


def test_streamlit_config_keeps_xsrf_protection_and_cors():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config.get("server", {})
    assert server.get("enableXsrfProtection", True) is not False
    assert server.get("enableCORS", True) is not False
    assert config.get("client", {}).get("showErrorDetails") in ("none", False)  # no tracebacks to users
    assert server.get("address") == "127.0.0.1"  # the network reaches it only through the proxy


def _advisory_tool():
    spec = importlib.util.spec_from_file_location("check_advisories", ROOT / "tools" / "check_advisories.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_advisory_tool_checks_exactly_the_exact_pins():
    pins = _advisory_tool().exact_pins(ROOT / "pyproject.toml")
    expected = {
        name: str(next(iter(r.specifier)).version)
        for name, r in _requirements().items()
        if [s.operator for s in r.specifier] == ["=="]
    }
    assert pins == expected and "streamlit" in pins


VULN = {"id": "PYSEC-0", "aliases": ["CVE-0"], "fixed_in": ["9.9"], "summary": "x", "withdrawn": None}


@pytest.mark.parametrize(
    "answers, status",
    [
        ({"p": {"info": {"version": "1.0"}, "vulnerabilities": []}, "r": None}, 0),
        ({"p": {"info": {"version": "1.0"}, "vulnerabilities": [VULN]}, "r": None}, 1),
        ({"p": {"info": {"version": "1.0"}}, "r": {"vulnerabilities": [{**VULN, "withdrawn": "2026"}]}}, 0),
        ({"p": {"info": {"version": "2.0"}, "vulnerabilities": []}, "r": None}, 2),  # pin's own unknown
        ({"p": {"info": {"version": "2.0"}}, "r": {"vulnerabilities": [VULN]}}, 1),
        ({"p": None, "r": None}, 2),
    ],
)
def test_the_advisory_tool_decides_from_the_answers(monkeypatch, answers, status):
    tool = _advisory_tool()
    monkeypatch.setattr(tool, "fetch", lambda url, timeout: answers["r" if "/1.0/" in url else "p"])
    assert tool.check("pkg", "1.0", 1.0) == status
