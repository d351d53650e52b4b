"""Precision and recall of ``same_entity`` on a labelled pair file (name_a, name_b, same, split)."""

from __future__ import annotations

from wiretrace.entities import same_entity


def pair_precision_recall(rows: list[dict[str, str]], type_of) -> tuple[float, float]:
    """``type_of(row)`` gives the entity type the pair is compared as."""
    tp = fp = fn = 0
    for r in rows:
        same = same_entity(r["name_a"], r["name_b"], type=type_of(r)).same
        gold = r["same"] == "1"
        tp += same and gold
        fp += same and not gold
        fn += gold and not same
    return tp / max(1, tp + fp), tp / max(1, tp + fn)
