"""Generate labelled calibration stories from hand-written sentence banks (deterministic).

Run: .venv/bin/python eval/provenance_stories.py [--events-per-scenario N]

Writes tests/fixtures/provenance/generated_stories.json: many invented events, each reported by
several outlets in several languages, with the truth of who took from whom. The texts are
composed from eval/provenance_banks.py (facts phrased several ways per language, one quote of
the official per language, an outlet's own additions); nothing is copied from seeds or
benchmarks. Per event:

- an original report, and one to three *independent* reports: each outlet its own phrasing of
  the facts, its own order (the lead first), its own selection and additions, the official's
  quote word for word (independent coverage quoting the same person);
- two to four *derived* articles, from the original or from another derivative: a cut copy, a
  light rewrite (an editor's word swaps, a fact dropped, an addition), a rewrite with one
  number changed, a heavy rewrite (most sentences in the rewriter's own words, the source's
  order kept), a summary, a translation, a rewrite in another language (facts dropped, an
  addition, paragraphs swapped) and a summary in another language;
- sometimes two outlets crediting a wire whose own report is not in the collection (a common
  source: truth edges run from the agency).

Scenario names are the ``group`` of each article, so evaluation can hold out a whole kind of
event at a time. The vectors the tests need are stored beside the fixture (regenerate them with
``.venv/bin/python -m tests.test_provenance_generated``).
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval"))
sys.path.insert(0, str(ROOT))

from provenance_banks import (  # noqa: E402
    AGENCIES,
    CREDIT_LINES,
    DAYS,
    EDITS,
    FIRST,
    LAST,
    ORG_PARTS,
    OUTLETS,
    QUOTE_FRAMES,
    SAID,
    SCENARIOS,
    TOWN_PARTS,
)

OUT = ROOT / "tests" / "fixtures" / "provenance" / "generated_stories.json"
EVENTS_PER_SCENARIO = 10
SEED = 17
CYRILLIC = ("ru", "uk", "bg")
DERIVED_KINDS = {  # transform -> weight when an event's derivatives are drawn
    "cut": 1.0, "light": 1.5, "numbers": 1.0, "heavy": 2.0, "summary": 1.0,
    "translation": 1.5, "xrewrite": 2.0, "xsummary": 1.0,
}
TRUTH_KIND = {
    "cut": "partial-copy", "light": "rewrite", "numbers": "rewrite", "heavy": "rewrite",
    "summary": "summary", "translation": "translation", "xrewrite": "rewrite", "xsummary": "summary",
}

_DIGRAPHS = [("sch", "ш"), ("sh", "ш"), ("ch", "ч"), ("th", "т"), ("ck", "к"), ("ph", "ф"),
             ("oo", "у"), ("ee", "и"), ("ya", "я"), ("yu", "ю"), ("ts", "ц")]
_LETTERS = {
    "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
    "j": "дж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р",
    "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс", "y": "и", "z": "з",
}


def cyrillic(name: str, lang: str) -> str:
    """A Latin-script invented name as a Cyrillic newspaper would spell it."""
    out, low, i = [], name.lower(), 0
    while i < len(low):
        for lat, cyr in _DIGRAPHS:
            if low.startswith(lat, i):
                out.append(cyr)
                i += len(lat)
                break
        else:
            ch = low[i]
            cyr = _LETTERS.get(ch, ch)
            if lang == "uk" and ch == "i":
                cyr = "і"
            if lang == "uk" and ch == "y":
                cyr = "и"
            out.append(cyr)
            i += 1
    word = "".join(out)
    return " ".join(w[:1].upper() + w[1:] for w in word.split(" "))


def number(value: int, lang: str) -> str:
    if value < 1000:
        return str(value)
    sep = {"en": ",", "de": ".", "es": "."}.get(lang, " ")
    return f"{value:,}".replace(",", sep)


@dataclass
class Unit:
    """One sentence of an article's plan: a fact in some phrasing, the quote, an addition."""

    kind: str  # fact | quote | extra | credit
    index: int = 0  # fact number, quote frame, extra number
    variant: int = 0
    edit: int = -1  # >= 0: an editor's word swaps, starting at this entry of EDITS


@dataclass
class Plan:
    id: str
    lang: str
    outlet: str
    published: datetime
    slots: dict
    paragraphs: list[list[Unit]]
    credits: list[str] = field(default_factory=list)
    dateline: str = ""

    def units(self) -> list[Unit]:
        return [u for p in self.paragraphs for u in p]


class Event:
    def __init__(self, scenario: str, number_: int, rng: random.Random) -> None:
        self.name = f"{scenario}-{number_:02d}"
        self.scenario = scenario
        self.bank = SCENARIOS[scenario]
        self.rng = rng
        self.langs = self.bank["languages"]
        self.variants = {
            lang: rng.sample(range(len(self.bank["facts"][0][lang])), len(self.bank["facts"][0][lang]))
            for lang in self.langs
        }
        self.extras = rng.sample(range(len(self.bank["extras"])), len(self.bank["extras"]))
        self.outlets = {lang: rng.sample(OUTLETS[lang], len(OUTLETS[lang])) for lang in self.langs}
        gender = rng.choice(["m", "f"])
        self.slots = {
            "town": rng.choice(TOWN_PARTS[0]) + rng.choice(TOWN_PARTS[1]),
            "org": rng.choice(ORG_PARTS[0]) + rng.choice(ORG_PARTS[1]),
            "person": f"{rng.choice(FIRST[gender])} {rng.choice(LAST)}",
            "gender": gender,
            "day": rng.randrange(5),
        }
        for key, (lo, hi) in self.bank["numbers"].items():
            self.slots[key] = rng.randint(lo, hi)
        start = datetime(2025, 1, 6, 6, tzinfo=UTC) + timedelta(days=rng.randrange(300))
        self.start = start
        self.plans: list[Plan] = []
        self.derivations: list[dict] = []

    # -- resources shared out among the outlets ------------------------------------------
    def take_variant(self, lang: str) -> int | None:
        return self.variants[lang].pop() if self.variants[lang] else None

    def take_extra(self) -> int | None:
        return self.extras.pop() if self.extras else None

    def take_outlet(self, lang: str) -> str | None:
        return self.outlets[lang].pop() if self.outlets[lang] else None

    # -- writing ---------------------------------------------------------------------------
    def paragraphs(self, units: list[Unit]) -> list[list[Unit]]:
        out, i = [], 0
        while i < len(units):
            size = 1 if i == 0 or self.rng.random() < 0.55 else 2
            out.append(units[i : i + size])
            i += size
        return out

    def own_report(self, lang: str, drop: int, extras: int, hour: float) -> Plan | None:
        variant, outlet = self.take_variant(lang), self.take_outlet(lang)
        if variant is None or outlet is None:
            return None
        n = len(self.bank["facts"])
        rest = self.rng.sample(range(1, n), n - 1)[: n - 1 - drop]
        units = [Unit("fact", i, variant) for i in [0, *rest]]
        frame = self.rng.randrange(len(QUOTE_FRAMES[lang]))
        units.insert(self.rng.randint(1, len(units)), Unit("quote", frame))
        for _ in range(extras):
            extra = self.take_extra()
            if extra is not None:
                units.insert(self.rng.randint(2, len(units)), Unit("extra", extra))
        return Plan(
            f"{self.name}/{slug(outlet)}", lang, outlet, self.start + timedelta(hours=hour),
            dict(self.slots), self.paragraphs(units),
        )

    def derive(self, source: Plan, how: str) -> Plan | None:
        rng = self.rng
        units = [Unit(u.kind, u.index, u.variant, u.edit) for u in source.units()]
        lang, slots = source.lang, dict(source.slots)
        cross = how in ("translation", "xrewrite", "xsummary")
        if cross:
            lang = rng.choice([x for x in self.langs if x != source.lang])
            variant = self.take_variant(lang)
            if variant is None:
                return None
            for u in units:
                u.variant, u.edit = variant, -1
            units = [u for u in units if u.kind != "credit"]
        outlet = self.take_outlet(lang)
        if outlet is None:
            return None
        facts = [i for i, u in enumerate(units) if u.kind == "fact" and u.index != 0]
        if how == "cut":
            keep = max(3, round(len(source.paragraphs) * rng.uniform(0.5, 0.75)))
            paragraphs = [[Unit(u.kind, u.index, u.variant, u.edit) for u in p]
                          for p in source.paragraphs[:keep]]
            return self._plan(source, outlet, lang, slots, paragraphs)
        if how in ("light", "numbers", "heavy"):
            own = self.take_variant(lang) if how == "heavy" else None
            if how == "heavy" and own is None:
                return None
            for u in units:
                if u.kind != "fact":
                    continue
                if own is not None and rng.random() < 0.7:
                    u.variant, u.edit = own, -1
                elif rng.random() < 0.6:
                    u.edit = rng.randrange(len(EDITS[lang]))
            drop = set(rng.sample(facts, min(len(facts) - 2, rng.randint(1, 2 if how == "heavy" else 1))))
            units = [u for i, u in enumerate(units) if i not in drop]
            if how == "heavy":
                for u in units:
                    if u.kind == "quote":
                        u.index = (u.index + 1) % len(QUOTE_FRAMES[lang])
            if how == "numbers":
                key = rng.choice(self.bank["alterable"])
                slots[key] = max(1, round(slots[key] * rng.choice([0.6, 0.75, 1.3, 1.5])))
                if slots[key] == source.slots[key]:
                    slots[key] += 1
        elif how in ("summary", "xsummary"):
            kept = [u for u in units if u.kind == "fact"][: rng.randint(2, 3)]
            quote = [u for u in units if u.kind == "quote"]
            if how == "summary":
                for u in kept:
                    u.edit = rng.randrange(len(EDITS[lang])) if rng.random() < 0.5 else -1
            units = kept + (quote if rng.random() < 0.5 else [])
            return self._plan(source, outlet, lang, slots, [units[:2], units[2:]] if len(units) > 2 else [units])
        elif how == "xrewrite":
            drop = set(rng.sample(facts, min(len(facts) - 2, rng.randint(1, 2))))
            units = [u for i, u in enumerate(units) if i not in drop]
        if how in ("light", "numbers", "heavy", "xrewrite"):
            extra = self.take_extra()
            if extra is not None:
                units.insert(rng.randint(2, len(units)), Unit("extra", extra))
            paragraphs = self.paragraphs(units)
            if how == "xrewrite" and len(paragraphs) > 3:
                k = rng.randrange(1, len(paragraphs) - 1)
                paragraphs[k], paragraphs[k + 1] = paragraphs[k + 1], paragraphs[k]
        else:  # a translation keeps the paragraphs as they were
            paragraphs, at = [], 0
            for p in source.paragraphs:
                size = len([u for u in p if u.kind != "credit"])
                if size:
                    paragraphs.append(units[at : at + size])
                at += size
        return self._plan(source, outlet, lang, slots, paragraphs)

    def _plan(self, source: Plan, outlet: str, lang: str, slots: dict, paragraphs) -> Plan:
        hours = self.rng.uniform(0.5, 8.0)
        return Plan(
            f"{self.name}/{slug(outlet)}", lang, outlet, source.published + timedelta(hours=hours),
            slots, [p for p in paragraphs if p],
        )

    # -- rendering ---------------------------------------------------------------------------
    def sentence(self, unit: Unit, plan: Plan) -> str:
        lang, slots = plan.lang, plan.slots
        cyr = lang in CYRILLIC
        name = (lambda s: cyrillic(s, lang)) if cyr else (lambda s: s)
        day = DAYS[lang][slots["day"]]
        values = {
            "town": name(slots["town"]),
            "org": name(slots["org"]),
            "day": day,
            "day_cap": day[:1].upper() + day[1:],
            "day_bare": day.removeprefix("on "),
        }
        for key in self.bank["numbers"]:
            values[key] = number(slots[key], lang)
        who = f"{self.bank['role'][lang]} {name(slots['person'])}"
        if unit.kind == "fact":
            text = self.bank["facts"][unit.index][lang][unit.variant].format(**values)
        elif unit.kind == "quote":
            said = SAID.get(lang, {}).get(slots["gender"], "")
            text = QUOTE_FRAMES[lang][unit.index].format(q=self.bank["quote"][lang], who=who, said=said)
        elif unit.kind == "extra":
            text = self.bank["extras"][unit.index][lang]
        else:
            text = CREDIT_LINES[lang].format(agency=AGENCIES[unit.index])
        if unit.edit >= 0:
            text = edited(text, EDITS[lang], unit.edit)
        return text[:1].upper() + text[1:]

    def render(self, plan: Plan) -> str:
        paragraphs = [" ".join(self.sentence(u, plan) for u in p) for p in plan.paragraphs]
        if plan.dateline:
            paragraphs[0] = plan.dateline + paragraphs[0]
        return "\n\n".join(paragraphs)


def edited(text: str, edits: list[tuple[str, str]], start: int) -> str:
    """Up to two of the language's word swaps, from ``start`` on."""
    done = 0
    for k in range(len(edits)):
        old, new = edits[(start + k) % len(edits)]
        if old in text:
            text = text.replace(old, new, 1)
            done += 1
            if done == 2:
                break
    return text


def slug(outlet: str) -> str:
    from wiretrace.lang.names import romanise

    return "-".join("".join(c for c in romanise(outlet).lower() if c.isalnum() or c == " ").split())


def compose(event: Event) -> None:
    """The outlets of one event and who took from whom."""
    rng = event.rng
    origin_lang = "en" if rng.random() < 0.7 else rng.choice(event.langs[1:])
    origin = event.own_report(origin_lang, drop=rng.randint(0, 1), extras=1, hour=rng.uniform(0, 3))
    assert origin is not None
    event.plans.append(origin)
    derivable = [origin]
    for _ in range(rng.randint(1, 3)):
        lang = rng.choice(event.langs)
        own = event.own_report(lang, drop=rng.randint(1, 2), extras=rng.randint(0, 1),
                               hour=rng.uniform(0, 10))
        if own is not None:
            event.plans.append(own)
    if rng.random() < 0.3:
        agency = rng.randrange(len(AGENCIES))
        wire = event.own_report("en", drop=0, extras=0, hour=rng.uniform(0, 2))
        if wire is not None:
            for how in rng.sample(["light", "cut", "translation", "xrewrite"], 2):
                plan = event.derive(wire, how)
                if plan is None:
                    continue
                if plan.lang in ("en", "de", "fr", "es"):
                    plan.dateline = f"{plan.slots['town'].upper()} ({AGENCIES[agency]}) - "
                else:
                    plan.paragraphs.append([Unit("credit", agency)])
                plan.credits = [AGENCIES[agency]]
                event.plans.append(plan)
                event.derivations.append(
                    {"from": AGENCIES[agency], "to": plan.id, "kind": TRUTH_KIND[how]}
                )
    kinds, weights = zip(*DERIVED_KINDS.items(), strict=True)
    for _ in range(rng.randint(2, 4)):
        how = rng.choices(kinds, weights)[0]
        source = rng.choice(derivable) if rng.random() < 0.3 else origin
        plan = event.derive(source, how)
        if plan is None:
            continue
        event.plans.append(plan)
        event.derivations.append({"from": source.id, "to": plan.id, "kind": TRUTH_KIND[how]})
        if how not in ("summary", "xsummary", "cut"):
            derivable.append(plan)


def generate(per_scenario: int = EVENTS_PER_SCENARIO) -> dict:
    rng = random.Random(SEED)
    articles, derivations = [], []
    for scenario in SCENARIOS:
        for k in range(per_scenario):
            event = Event(scenario, k, random.Random(rng.random()))
            compose(event)
            for plan in event.plans:
                articles.append({
                    "event": event.name,
                    "group": scenario,
                    "id": plan.id,
                    "language": plan.lang,
                    "published": plan.published.isoformat(),
                    "outlet": plan.outlet,
                    "credits": plan.credits,
                    "text": event.render(plan),
                })
            derivations.extend(event.derivations)
    return {
        "description": (
            "Calibration stories composed by eval/provenance_stories.py from the hand-written "
            "sentence banks in eval/provenance_banks.py (invented events, places, companies, "
            "people and outlets; agency names appear only as credits). `derivations` is the "
            "truth; every other pair is independent. `group` is the scenario an event was "
            "composed from."
        ),
        "articles": articles,
        "derivations": derivations,
    }


def main() -> int:
    per = EVENTS_PER_SCENARIO
    if "--events-per-scenario" in sys.argv:
        per = int(sys.argv[sys.argv.index("--events-per-scenario") + 1])
    data = generate(per)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    kinds: dict[str, int] = {}
    for d in data["derivations"]:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    events = {a["event"] for a in data["articles"]}
    print(f"{len(data['articles'])} articles, {len(events)} events, {len(data['derivations'])} "
          f"derivations {kinds} -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
