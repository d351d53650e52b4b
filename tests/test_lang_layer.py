"""The language layer: its data files, and that it stands below every stage."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import wiretrace
from wiretrace.lang import tables

PACKAGE = Path(wiretrace.__file__).parent
LANG = PACKAGE / "lang"
DATA = LANG / "data"
STAGES = ("stories", "provenance", "similarity", "entities", "extract", "metadata", "store",
          "pipeline", "cli", "web", "sources", "representations", "embeddings", "signals")
LIST_KEYS = ("abbreviations", "titles", "title_suffixes", "capitalised_stopwords",
             "location_prepositions", "hedges", "intensifiers", "qualifiers", "stopwords",
             "sourcing", "attribution_verbs", "name_blockers", "calendar",
             "months_capitalised_only", "months_lowercase_only", "byline_prefixes", "not_author_names")
NESTED_KEYS = {"relative_dates": {"days", "before", "after", "one", "units"},
               "date_labels": {"published", "updated", "original"}}
TABLE_KEYS = ("number_words", "multipliers", "quantifiers")
# [oblique ending, nominative ending] pairs (Мюнхене -> Мюнхен, Polsce -> Polska)
PAIR_KEYS = ("place_case_forms",)
LANGUAGE_FILES = sorted(p for p in DATA.glob("*.json") if p.name != "multilingual.json")


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda p: p.stem)
def test_every_language_file_has_the_required_keys(path: Path) -> None:
    table = json.loads(path.read_text(encoding="utf-8"))
    assert set(tables.REQUIRED_KEYS) <= set(table), path.name
    assert table["code"] == path.stem
    assert table["decimal_mark"] in (".", ",")
    months = table["months"]
    assert len(months) == 12 and all(forms for forms in months)
    assert all(f == f.lower() and f.strip() == f and f for forms in months for f in forms)
    known = set(tables.REQUIRED_KEYS) | set(LIST_KEYS) | set(TABLE_KEYS) | set(NESTED_KEYS) | set(PAIR_KEYS)
    assert set(table) <= known, f"{path.name}: unknown keys {set(table) - known}"
    for key in LIST_KEYS:
        assert all(isinstance(w, str) and w for w in table.get(key, [])), (path.name, key)
    for key in TABLE_KEYS:
        assert all(isinstance(v, int | float) for v in table.get(key, {}).values()), key
    for key in PAIR_KEYS:
        assert all(len(p) == 2 and p[0] and all(isinstance(x, str) for x in p)
                   for p in table.get(key, [])), (path.name, key)
    for key, parts in NESTED_KEYS.items():
        assert set(table.get(key, {})) <= parts, (path.name, key)
    relative = table.get("relative_dates", {})
    assert set(relative.get("days", {})) <= {"0", "1", "2"}
    assert set(relative.get("units", {})) <= {"minute", "hour", "day", "week"}


def test_a_month_form_names_one_month_in_every_language() -> None:
    seen: dict[str, int] = {}
    for code in tables.languages():
        for index, forms in enumerate(tables.language_table(code)["months"]):
            for form in forms:
                assert seen.setdefault(form, index + 1) == index + 1, (code, form)
    assert tables.month_table()["октомври"] == 10


def test_the_multilingual_tables() -> None:
    shared = tables.multilingual()
    assert set(tables.languages()) <= set(shared["identify"])  # the identifier can answer each
    for name, agency in tables.agencies().items():
        assert agency["kind"] in ("agency", "outlet"), name
        assert isinstance(agency["aliases"], list) and isinstance(agency["exact"], list)
        if "outlet_aliases" in agency:
            assert re.fullmatch(r"[a-z]{2}", agency["language"]), name
    assert "reuters" in {a.lower() for a in tables.agencies()["Reuters"]["aliases"]}


def test_words_combine_a_language_with_the_multilingual_list() -> None:
    assert "mr." in tables.abbreviations_for("en") and "z.b." not in tables.abbreviations_for("en")
    assert "e.g." in tables.abbreviations_for("ru")  # from the multilingual list
    assert tables.abbreviations_for(None) >= tables.abbreviations_for("de")
    assert tables.language_table("xx") == {}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found += [base] if node.module else [base + a.name for a in node.names]
    return found


@pytest.mark.parametrize("path", sorted(LANG.glob("*.py")), ids=lambda p: p.stem)
def test_the_language_layer_imports_no_stage(path: Path) -> None:
    for name in _imports(path):
        if name.startswith(".."):
            pytest.fail(f"{path.name} imports {name}: the language layer must not import stages")
        parts = name.lstrip(".").split(".")
        if name.startswith("wiretrace"):
            assert len(parts) > 1 and parts[1] == "lang", f"{path.name} imports {name}"
        assert not (name.startswith(".") and parts[0] in STAGES), name


# Primitives the language layer owns; a second definition anywhere else is a duplicate.
OWNED = ("name_key", "match_names", "match_name_keys", "skeleton", "skeleton_token", "fold_token", "romanise", "names_match",
         "parse_number", "number_values", "margin_matrix", "margin_align", "margin_scores",
         "parse_instant", "to_utc", "has_offset")


def test_no_stage_redefines_a_language_primitive() -> None:
    pattern = re.compile(r"^def (" + "|".join(OWNED) + r")\(", re.MULTILINE)
    offenders = [
        f"{path.relative_to(PACKAGE)}: {m.group(1)}"
        for path in PACKAGE.rglob("*.py")
        if LANG not in path.parents
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
