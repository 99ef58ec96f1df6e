"""Справка: what each role does in the journal and the diary, day by day, with the regulation's clauses."""

import streamlit as st

from app.domain import ROLE_LABELS
from app.ui import help_text
from app.ui.page import require_page

actor = require_page(__file__)
st.session_state[help_text.HELP_OPENED] = True  # the hint on «Главная» has done its job
st.title("Справка")
st.caption(help_text.INTRO)

for role in help_text.ordered_roles(actor):
    with st.expander(ROLE_LABELS[role], expanded=actor.has(role)):
        for section in help_text.HELP[role]:
            st.markdown(f"**{section.title}**")
            st.markdown("\n".join(f"- {duty.text} ({help_text.cite(duty)})" for duty in section.duties))
