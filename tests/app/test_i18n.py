"""Every string the app shows exists in Vietnamese and English, with the same placeholders."""

from __future__ import annotations

import ast
import re
from string import Formatter

from pages.i18n import STRINGS


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_string_has_both_languages_and_the_same_placeholders():
    for key, (vi, en) in STRINGS.items():
        assert vi.strip() and en.strip(), key
        assert _fields(vi) == _fields(en), key


def _key_patterns(source: str) -> tuple[set[str], set[str]]:
    """The catalogue keys ``t(...)`` is called with in ``source``: literal keys, and f-string keys
    as regular expressions (each ``{...}`` part matches one dotted segment or more)."""
    literal, patterns = set(), set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args):
            continue
        key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            literal.add(key.value)
        elif isinstance(key, ast.JoinedStr):
            patterns.add("".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"[a-z0-9_.]+"
                                 for part in key.values))
    return literal, patterns


def _sources():
    from geo.settings import PROJECT_ROOT

    return [PROJECT_ROOT / "app.py", *sorted((PROJECT_ROOT / "pages").glob("*.py"))]


def test_every_literal_key_the_pages_use_is_defined():
    used = set().union(*(_key_patterns(path.read_text())[0] for path in _sources()))
    assert len(used) > 50, "too few t(...) calls found: the scan is broken"
    assert used <= set(STRINGS), sorted(used - set(STRINGS))


def test_every_f_string_key_the_pages_use_matches_catalogue_keys():
    patterns = {(path.name, pattern) for path in _sources() for pattern in _key_patterns(path.read_text())[1]}
    assert len(patterns) > 10, "too few f-string keys found: the scan is broken"
    unmatched = [(name, pattern) for name, pattern in sorted(patterns)
                 if not any(re.fullmatch(pattern, key) for key in STRINGS)]
    assert unmatched == []


def test_every_code_of_a_palette_or_spec_the_pages_translate_by_f_string_has_its_key():
    """Where an f-string key runs over a known set of codes, every code has its key."""
    from etl.specs import SPECS
    from layers.palettes import EMERGING, HOTSPOT, STATUS

    domains = {"lag.status.{}": STATUS, "class.{}": HOTSPOT, "emerging.{}": EMERGING, "import.type.{}": SPECS}
    missing = [template.format(code) for template, codes in domains.items() for code in codes
               if template.format(code) not in STRINGS]
    assert missing == []


def test_a_project_error_is_shown_in_the_chosen_language_only(monkeypatch):
    import streamlit as st

    from pages.i18n import bilingual

    message = "Vùng vẽ rỗng. / The drawn area is empty."
    monkeypatch.setattr(st, "session_state", {"lang": "en"})
    assert bilingual(message) == "The drawn area is empty."
    monkeypatch.setattr(st, "session_state", {"lang": "vi"})
    assert bilingual(message) == "Vùng vẽ rỗng."
    assert bilingual("`radius_m` must be between 1 and 200,000, got -5.") == "`radius_m` must be between 1 and 200,000, got -5."
