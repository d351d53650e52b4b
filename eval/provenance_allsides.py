"""Provenance on independent coverage: the AllSides dev set, traced event by event.

Run: .venv/bin/python eval/provenance_allsides.py [--examples N] [--threshold 0.5]

AllSides pairs left, centre and right outlets that each reported one event in their own words:
nearly every member is independent reporting, so a derivation edge between two members is an
accusation that needs strong evidence. The articles are grouped by their ``event`` label (so
this measures provenance, not clustering) and traced; printed: the share of members given a
derivation edge from another member at confidence >= the threshold, the verdicts, and
examples of the edges that remain. Representations are cached under ``.cache/stories/`` (shared
with ``eval/clustering.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from clustering import ALLSIDES, article_from_row, cached_representations, load_allsides  # noqa: E402

from wiretrace.provenance import trace_story_articles  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args(argv)
    if not ALLSIDES.exists():
        print(f"skipped: no AllSides data at {ALLSIDES}")
        return 0
    rows = load_allsides()
    articles = [article_from_row(r) for r in rows]
    reprs_list, _ = cached_representations(articles, "allsides")
    reprs = {r.id: r for r in reprs_list}
    events: dict[str, list] = defaultdict(list)
    for row, article in zip(rows, articles, strict=True):
        events[str(row["event"])].append(article)
    started = time.perf_counter()
    members = flagged = any_edge = independent_stories = 0
    kinds: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    examples = []
    all_edges = 0
    for event, group in sorted(events.items()):
        if len(group) < 2:
            continue
        trace = trace_story_articles(group, reprs, event)
        ids = {a.id for a in group}
        members += len(ids)
        edges = trace["edges"] + trace.get("hidden_edges", [])
        member_edges = [e for e in edges if e["from"] in ids and e["to"] in ids]
        all_edges += len(member_edges)
        any_edge += len({e["to"] for e in member_edges})
        strong = [e for e in member_edges if e["confidence"] >= args.threshold]
        flagged += len({e["to"] for e in strong})
        kinds.update(e["kind"] for e in strong)
        for info in trace.get("verdicts", {}).values():
            verdicts[info["verdict"]] += 1
        if trace.get("independent") or not strong:
            independent_stories += 1
        for e in strong:
            examples.append((e["confidence"], event, e))
    seconds = time.perf_counter() - started
    stories = sum(1 for g in events.values() if len(g) >= 2)
    print(f"AllSides dev: {len(rows)} articles, {stories} multi-article events, {members} members")
    print(f"  trace time {seconds:.1f}s")
    print(f"  member-to-member candidate sources (shown or hidden): {all_edges}")
    print(f"  members with such a candidate (any confidence): {any_edge}")
    print(
        f"  members with an edge from another member at confidence >= {args.threshold}: "
        f"{flagged} ({flagged / max(members, 1):.1%})  kinds {dict(kinds)}"
    )
    print(f"  stories with no such edge (independent coverage): {independent_stories}/{stories}")
    if verdicts:
        print(f"  member verdicts: {dict(verdicts)}")
    examples.sort(key=lambda x: -x[0])
    for conf, event, e in examples[: args.examples]:
        print(f"\n  [{event}] {e['from']} -> {e['to']} {e['kind']} {conf:.2f}")
        for key in ("reasons", "features"):
            if e.get(key):
                print(f"    {key}: {e[key]}")
        for ev in e["evidence"][:2]:
            print(f"    < {ev['from_text'][:110]!r}\n    > {ev['to_text'][:110]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
