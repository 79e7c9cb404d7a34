"""Every string the app shows exists in Vietnamese and English, with the same placeholders."""

from __future__ import annotations

import re
from string import Formatter

from pages.i18n import STRINGS


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_string_has_both_languages_and_the_same_placeholders():
    for key, (vi, en) in STRINGS.items():
        assert vi.strip() and en.strip(), key
        assert _fields(vi) == _fields(en), key


def test_every_key_the_pages_use_is_defined():
    from geo.settings import PROJECT_ROOT

    used = set()
    for path in [PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "pages").glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']""", path.read_text()))
    assert used, "no t(...) calls found"
    assert used <= set(STRINGS), used - set(STRINGS)


def test_a_project_error_is_shown_in_the_chosen_language_only(monkeypatch):
    import streamlit as st

    from pages.i18n import bilingual

    message = "Vùng vẽ rỗng. / The drawn area is empty."
    monkeypatch.setattr(st, "session_state", {"lang": "en"})
    assert bilingual(message) == "The drawn area is empty."
    monkeypatch.setattr(st, "session_state", {"lang": "vi"})
    assert bilingual(message) == "Vùng vẽ rỗng."
    assert bilingual("`radius_m` must be between 1 and 200,000, got -5.") == "`radius_m` must be between 1 and 200,000, got -5."
