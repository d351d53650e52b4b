"""Places and bodies across languages: the place-name table (exonyms and their case forms,
region adjectives built on a place's name), meaning words that take an adjective suffix or a
clipped prefix, and the look-alikes that must stay apart."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import pytest

from wiretrace.entities import Mention, gazetteer, resolve, same_entity
from wiretrace.entities.gazetteer import place_of, place_of_adjective, surface_key


def _place(name: str) -> str | None:
    found = place_of(name)
    return None if found is None else gazetteer.place_name(found)


@pytest.mark.parametrize("a, b", [
    ("Munich", "Мюнхене"),          # Russian locative of an exonym
    ("München", "Monachium"),       # German endonym, Polish exonym
    ("Rosji", "Russland"),          # Polish genitive, German name
    ("Polsce", "Польши"),           # Polish locative with k -> c, Russian genitive
    ("Stany Zjednoczone", "États-Unis"),
    ("Mykolaiv", "Nikolaev"),       # Ukrainian and Russian names of one city
    ("Рівному", "Rovno"),
    ("Lisbon", "Лиссабоне"),
    ("Швейцарії", "Suisse"),        # Ukrainian -ії of a noun in -ія
    ("Берліні", "Berlinie"),
])
def test_exonyms_and_their_case_forms_are_one_place(a: str, b: str) -> None:
    assert _place(a) is not None and _place(a) == _place(b), (_place(a), _place(b))
    decision = same_entity(a, b, type="location")
    assert decision.same, decision.reason
    assert "place-name table" in decision.reason


@pytest.mark.parametrize("a, b", [
    ("Kharkiv", "Kherson"),
    ("Schweiz", "Schweden"),
    ("Rosji", "Białoruś"),
    ("Lisbon", "Lisburn"),
    ("Slovakia", "Slovenia"),
    ("Chernihiv", "Chernivtsi"),
])
def test_two_places_of_the_table_stay_apart(a: str, b: str) -> None:
    assert not same_entity(a, b, type="location").same
    assert not same_entity(b, a, type="location").same


@pytest.mark.parametrize("adjective, place", [
    ("Київській", "Kyiv"),          # not Kyiv's namesake district Київський
    ("kijowski", "Kyiv"),
    ("Запорожская", "Zaporizhzhya"),
    ("Запорізька", "Zaporizhzhya"),  # Ukrainian ж -> з before -ськ-
    ("Луганська", "Luhansk"),        # the -sk- belongs to the name
    ("Курской", "Kursk"),
    ("Сумська", "Sumy"),
    ("Вінницька", "Vinnytsya"),
    ("połtawski", "Poltava"),
])
def test_a_region_adjective_finds_the_place_it_is_built_on(adjective: str, place: str | None) -> None:
    found = place_of_adjective(adjective)
    assert (None if found is None else gazetteer.place_name(found)) == place


@pytest.mark.parametrize("a, b, same", [
    ("Zaporizhzhia region", "Запорожская область", True),
    ("Полтавська область", "obwód połtawski", True),
    ("Житомирській області", "Zhytomyr oblast", True),
    ("Сумська область", "Курская область", False),      # neighbours
    ("Zaporizhzhia", "Запорожская область", False),     # a city and its region
    ("Київській", "Kyiv", False),                       # the region's adjective, the city
    ("Полтавская область", "Полтавский район", False),  # a region and its district
])
def test_regions_named_after_a_place(a: str, b: str, same: bool) -> None:
    assert same_entity(a, b, type="location").same is same
    assert same_entity(b, a, type="location").same is same


@pytest.mark.parametrize("a, b, same", [
    ("Конституционный суд", "Trybunał Konstytucyjny", True),   # конституц-ион-ный
    ("Конституційний Суд", "Constitutional Court", True),      # конституц-ій-ний
    ("Конституционен съд", "Verfassungsgericht", True),
    ("Европарламент", "Parlament Europejski", True),             # a clipped Евро-
    ("Europaparlament", "European Parliament", True),
    ("Council of Europe", "European Council", False),          # Europe alone is a place
    ("Еврокомиссия", "Европарламент", False),
    ("Euroclear", "European Clearing", False),
])
def test_derived_and_clipped_meaning_words(a: str, b: str, same: bool) -> None:
    assert same_entity(a, b, type="organization").same is same


def test_a_disease_named_with_its_descriptor_is_the_disease() -> None:
    assert same_entity("COVID", "коронавирус COVID-19", type="other").same
    assert not same_entity("Ebola", "коронавирус COVID-19", type="other").same


@pytest.mark.parametrize("a, b", [("МАГАТЭ", "IAEA"), ("ВООЗ", "Weltgesundheitsorganisation"),
                                  ("ЕЦБ", "European Central Bank")])
def test_international_bodies_are_known_by_their_acronyms(a: str, b: str) -> None:
    assert same_entity(a, b, type="organization").same


@pytest.mark.parametrize("a, b", [("IAEA", "IEA"), ("WHO", "WTO"), ("ЕС", "ЕСПЧ"), ("UN", "UNHCR")])
def test_international_acronyms_stay_apart(a: str, b: str) -> None:
    assert not same_entity(a, b, type="organization").same


def _m(text: str, typ: str = "location") -> Mention:
    return Mention(text, 0, len(text), typ)


def test_exonyms_of_one_city_resolve_to_one_entity_across_articles() -> None:
    # the names share no letters' blocking key, so only the place table brings them together
    entities = resolve({
        "en": [_m("Munich"), _m("Minsk")],
        "ru": [_m("Мюнхене"), _m("Минске")],
        "pl": [_m("Monachium"), _m("Mińsk")],
    })
    groups = {e.name: {v.surface for v in e.variants} for e in entities if e.type == "location"}
    munich = [g for g in groups.values() if "Munich" in g]
    assert munich == [{"Munich", "Мюнхене", "Monachium"}], groups
    assert not any("Minsk" in g and "Munich" in g for g in groups.values())


def test_the_place_table_joins_only_names_of_one_place() -> None:
    table = json.loads((resources.files("wiretrace.entities") / "data" / "place_names.json")
                       .read_text(encoding="utf-8"))
    owners = Counter(surface_key(name) for names in table["places"] for name in set(names))
    per_place = [{surface_key(n) for n in names} for names in table["places"]]
    shared = [k for k, n in Counter(k for keys in per_place for k in keys).items() if n > 1]
    assert not shared, shared[:10]
    assert len(table["places"]) > 1000 and sum(owners.values()) > 10_000
    # a given name is never read as a place (Plovdiv's Latin name Julia)
    names = gazetteer.load("given_names")
    given = {surface_key(n) for group in names["groups"] for n in group}
    given |= {surface_key(n) for n in names["person_cues"]}
    assert not given & set(owners)
    assert place_of("Julia") is None
