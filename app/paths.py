"""Where the files that are not Python modules live: the checkout, or inside the installed package.

A wheel carries the Streamlit entry point, its pages and config, and the warehouse's SQL models and
data tests under `app/_bundle` (setup.py copies them there at build time), so `pip install .` works
with no source tree. A checkout, or an editable install of one, reads them where they are written.
"""

from __future__ import annotations

from pathlib import Path

_BUNDLE = Path(__file__).resolve().parent / "_bundle"
_CHECKOUT = Path(__file__).resolve().parent.parent

# The bundle wins when it is there: an installed package's parent is site-packages, which holds
# no entry point of ours.
ROOT = _BUNDLE if (_BUNDLE / "streamlit_app.py").is_file() else _CHECKOUT

STREAMLIT_APP = ROOT / "streamlit_app.py"
PAGES = ROOT / "pages"
WAREHOUSE = ROOT / "warehouse"

# What setup.py copies into the bundle, relative to the checkout.
BUNDLED = ("streamlit_app.py", "pages", "warehouse", ".streamlit/config.toml")
