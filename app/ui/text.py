"""User-typed text on a page: shown as typed, never as markup.

st.markdown (and st.write, st.caption, st.info … with a string) renders Markdown: a teacher's
correction reason «![](https://…)» would pull an outside image into the deputy's browser, «[войти](…)»
would render a phishing link, and a bare address would become a link. Every string that came from
a person (names, topics, reasons, group and subject names) goes through md() before it is joined
into page Markdown; labels of widgets and table cells are plain text already.
"""

from __future__ import annotations

import re

# Markdown's punctuation, Streamlit's «:colour[…]» directives and «$» maths, and what makes a bare
# address (www., http:, a@b.ru) into an autolink: escaped, each character is shown as itself.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:@])")


def md(value: object) -> str:
    """`value` as literal text inside page Markdown (whitespace folded to single spaces)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
