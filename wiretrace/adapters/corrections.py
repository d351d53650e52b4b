"""Corrections: an analyst overrides an automatic decision, with an audit trail.

Each action records who, when, what and why in the store's log, takes effect at once, and
stays in force: story corrections are re-imposed after every clustering (ingest or recluster,
see ``adapters.stories``), entity corrections after every resolution (``adapters.entities``),
and a deleted article is refused by ingest unless it is asked to restore deleted articles.
``undo`` puts back what the correction changed and takes it out of force; the log keeps it.

The CLI, the REST API and the web UI all go through these functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..entities.merge import Entity, Variant, parse_name
from ..errors import CorrectionError, NotFoundError
from ..store import corrections as repo
from ..store.entities import find_entity_id
from ..store.sqlite import article_identity
from ..store.stories import resolve_story_id, story_article_ids

# The rule name entity variants carry when a correction, not a merge rule, put them there.
CORRECTION_RULE = "correction"


def _who(by: str | None) -> str:
    return (by or "").strip() or repo.current_user()


def _clean(reason: str | None) -> str | None:
    return (reason or "").strip() or None


# -- articles -----------------------------------------------------------------------------


def delete_article(store: Any, article_id: str, *, by: str | None = None,
                   reason: str | None = None) -> dict[str, Any]:
    """Delete an article and what was derived from it; ingest will not bring it back unless
    told to (``ingest --restore-deleted``)."""
    article = store.get_article(article_id)  # NotFoundError names the id
    snapshot = repo.article_snapshot(store, article_id)
    md = article.metadata
    identity = article_identity(article.text, md.title, md.outlet, md.url)
    story = repo.story_of(store, article_id)
    with store.transaction():
        cid = repo.record(store, "delete", article_id, {"story": story},
                          snapshot, by=_who(by), reason=_clean(reason))
        repo.delete_article(store, article_id, cid, identity)
    _resolve_entities(store)
    return repo.get_correction(store, cid)


# -- stories ------------------------------------------------------------------------------


def _story_members(store: Any, story_id: str) -> tuple[str, list[str]]:
    sid = resolve_story_id(store, story_id)  # NotFoundError when unknown
    return sid, story_article_ids(store, sid)


def story_split(store: Any, story_id: str, article_ids: Sequence[str], *, by: str | None = None,
                reason: str | None = None, action: str = "story-split") -> dict[str, Any]:
    """Move ``article_ids`` out of the story into a new story of their own. They stay apart
    from the members left behind through later ingests and reclusters, until undone."""
    sid, members = _story_members(store, story_id)
    moved = list(dict.fromkeys(article_ids))
    if not moved:
        raise CorrectionError("name the articles to split off the story")
    strangers = [a for a in moved if a not in members]
    if strangers:
        raise CorrectionError(
            f"not in story {sid}: {', '.join(strangers)} (its articles: {', '.join(members)})")
    rest = [a for a in members if a not in moved]
    if not rest:
        raise CorrectionError(f"that is every article of story {sid}: nothing would be left")
    before = repo.member_snapshot(store, members)
    with store.transaction():
        cid = repo.record(store, action, sid, {"articles": moved, "rest": rest},
                          before, by=_who(by), reason=_clean(reason))
        detail = f"correction #{cid} ({action}) by {_who(by)}" + (
            f": {_clean(reason)}" if _clean(reason) else "")
        new_id = repo.split_off(store, moved, detail)
    out = repo.get_correction(store, cid)
    out["new_story"] = new_id
    return out


def story_detach(store: Any, story_id: str, article_id: str, *, by: str | None = None,
                 reason: str | None = None) -> dict[str, Any]:
    """Take one article out of its story: it becomes a story of its own and does not rejoin."""
    return story_split(store, story_id, [article_id], by=by, reason=reason, action="story-detach")


def story_merge(store: Any, into: str, others: Sequence[str], *, by: str | None = None,
                reason: str | None = None) -> dict[str, Any]:
    """Merge ``others`` into story ``into`` (its id survives; the others' ids resolve to it).
    They stay merged through later reclusters, until undone."""
    into_id, into_members = _story_members(store, into)
    groups: dict[str, list[str]] = {}
    for other in others:
        oid, members = _story_members(store, other)
        if oid == into_id:
            raise CorrectionError(f"story {other} is story {into_id} (or was merged into it)")
        groups[oid] = members
    if not groups:
        raise CorrectionError("name at least one story to merge into it")
    everything = [*into_members, *(a for m in groups.values() for a in m)]
    before = repo.member_snapshot(store, everything)
    who = _who(by)
    with store.transaction():
        cid = repo.record(store, "story-merge", into_id,
                          {"stories": sorted(groups), "articles": everything,
                           "into_articles": into_members},
                          before, by=who, reason=_clean(reason))
        detail = f"correction #{cid} (story-merge) by {who}" + (
            f": {_clean(reason)}" if _clean(reason) else "")
        repo.merge_stories(store, into_id, sorted(groups), detail, f"correction #{cid}")
    return repo.get_correction(store, cid)


# -- entities -----------------------------------------------------------------------------


def _entity(store: Any, name: str) -> dict[str, Any]:
    return repo.entity_surfaces(store, find_entity_id(store, name))


def entity_merge(store: Any, into: str, other: str, *, by: str | None = None,
                 reason: str | None = None) -> dict[str, Any]:
    """Merge entity ``other`` into ``into``: every spelling of it becomes a variant of
    ``into``. Re-imposed after every resolution until undone."""
    a, b = _entity(store, into), _entity(store, other)
    if a["id"] == b["id"]:
        raise CorrectionError(f"{into!r} and {other!r} are one entity already ({a['id']})")
    cid = repo.record(store, "entity-merge", a["id"],
                      {"into": a, "other": b}, {}, by=_who(by), reason=_clean(reason))
    _resolve_entities(store)
    return repo.get_correction(store, cid)


def entity_split(store: Any, entity: str, surfaces: Sequence[str], *, by: str | None = None,
                 reason: str | None = None, name: str | None = None,
                 action: str = "entity-split") -> dict[str, Any]:
    """Take the mentions written as ``surfaces`` out of an entity into a new entity of their
    own (named ``name``, else the first surface). Re-imposed after every resolution."""
    e = _entity(store, entity)
    known = {s.casefold(): s for s in e["surfaces"]}
    chosen = [known.get(s.casefold()) for s in dict.fromkeys(surfaces)]
    missing = [s for s, k in zip(dict.fromkeys(surfaces), chosen, strict=True) if k is None]
    if missing or not chosen:
        raise CorrectionError(
            f"not a spelling of {e['name']} ({e['id']}): {', '.join(missing) or '(none given)'}; "
            f"its spellings: {', '.join(e['surfaces'])}")
    picked = [s for s in chosen if s]
    if len(picked) == len(e["surfaces"]):
        raise CorrectionError(f"that is every spelling of {e['name']}: nothing would be left")
    cid = repo.record(store, action, e["id"],
                      {"entity": e, "surfaces": picked, "name": (name or "").strip() or picked[0]},
                      {}, by=_who(by), reason=_clean(reason))
    _resolve_entities(store)
    return repo.get_correction(store, cid)


def entity_reject_variant(store: Any, entity: str, surface: str, *, by: str | None = None,
                          reason: str | None = None) -> dict[str, Any]:
    """Say that ``surface`` does not name this entity: its mentions leave it and stay out."""
    return entity_split(store, entity, [surface], by=by, reason=reason,
                        action="entity-reject-variant")


def _resolve_entities(store: Any) -> None:
    from .entities import resolve_store

    resolve_store(store)


def apply_entity_corrections(entities: list[Entity], corrections: Sequence[dict[str, Any]]) -> list[Entity]:
    """Impose entity corrections (oldest first) on freshly resolved entities. An entity is
    found by its spellings, since ids are assigned after this: the entity holding most
    mentions written like the corrected one."""
    out = list(entities)
    for c in corrections:
        args = c["args"]
        note = f"correction #{c['id']} by {c['by']}" + (f": {c['reason']}" if c["reason"] else "")
        if c["action"] == "entity-merge":
            into = _holder(out, args["into"]["surfaces"])
            other = _holder(out, args["other"]["surfaces"], exclude=into)
            if into is None or other is None or into == other:
                continue
            target, gone = out[into], out[other]
            for a, m in gone.mentions:
                target.mentions.append((a, m))
            came = {v.surface for v in gone.variants} - {v.surface for v in target.variants}
            out[into] = _rebuilt(target, target.name, target.type, came, f"merged by {note}")
            del out[other]
        elif c["action"] in ("entity-split", "entity-reject-variant"):
            wanted = {s.casefold() for s in args["surfaces"]}
            rest = [s for s in args["entity"]["surfaces"] if s.casefold() not in wanted]
            at = _holder(out, rest or args["entity"]["surfaces"])
            if at is None:
                continue
            source = out[at]
            moving = [(a, m) for a, m in source.mentions if m.text.casefold() in wanted]
            if not moving or len(moving) == len(source.mentions):
                continue
            source.mentions = [(a, m) for a, m in source.mentions if m.text.casefold() not in wanted]
            out[at] = _rebuilt(source, source.name, source.type, set(), "")
            typ = Counter(m.type for _, m in moving).most_common(1)[0][0]
            verb = "rejected from" if c["action"] == "entity-reject-variant" else "split from"
            fresh = Entity(name=args["name"], type=typ, key="", mentions=moving)
            out.append(_rebuilt(fresh, args["name"], typ, {m.text for _, m in moving},
                                f"{verb} {source.name} by {note}"))
    return out


def _holder(entities: Sequence[Entity], surfaces: Sequence[str], exclude: int | None = None) -> int | None:
    wanted = {s.casefold() for s in surfaces}
    best, best_n = None, 0
    for i, e in enumerate(entities):
        if i == exclude:
            continue
        n = sum(v.count for v in e.variants if v.surface.casefold() in wanted)
        if n > best_n:
            best, best_n = i, n
    return best


def _rebuilt(entity: Entity, name: str, typ: str, corrected: set[str], reason: str) -> Entity:
    """The entity's variants, articles and key recomputed from its mentions; variants named in
    ``corrected`` say that a correction put them there."""
    old = {v.surface: v for v in entity.variants}
    counts = Counter(m.text for _, m in entity.mentions)
    if name not in counts and counts:
        name = entity.name if entity.name in counts else counts.most_common(1)[0][0]
    variants = []
    for surface, n in counts.items():
        if surface in corrected:
            variants.append(Variant(surface, n, reason, 1.0, CORRECTION_RULE))
        elif surface in old:
            v = old[surface]
            variants.append(Variant(surface, n, v.reason, v.score, v.rule))
        else:
            variants.append(Variant(surface, n, "canonical form" if surface == name else reason,
                                    1.0, "canonical" if surface == name else CORRECTION_RULE))
    variants.sort(key=lambda v: (-v.count, v.surface))
    return Entity(
        name=name, type=typ, key=f"{typ}:{parse_name(name, typ).full_key}", variants=variants,
        articles=sorted({a for a, _ in entity.mentions}), mentions=list(entity.mentions),
        evidence=[{"surface": v.surface, "rule": v.rule, "score": round(v.score, 3),
                   "reason": v.reason} for v in variants if v.rule not in ("canonical", "identical")],
    )


# -- the log and undo ---------------------------------------------------------------------


def list_corrections(store: Any, *, include_undone: bool = True,
                     target: str | None = None) -> list[dict[str, Any]]:
    return repo.list_corrections(store, include_undone=include_undone, target=target)


def undo(store: Any, correction_id: int, *, by: str | None = None,
         reason: str | None = None) -> dict[str, Any]:
    """Take a correction out of force and put back what it changed: a deleted article is
    stored again (and runs through the later stages), story members return to where they
    were, entities are resolved again without it. Other corrections stay in force."""
    c = repo.get_correction(store, correction_id, with_before=True)
    if not c["active"]:
        raise CorrectionError(f"correction #{correction_id} was undone already ({c['undone_at']})")
    who = _who(by)
    if c["action"] == "delete":
        repo.restore_article(store, c["before"])
        repo.mark_undone(store, correction_id, by=who, reason=_clean(reason))
        from ..pipeline import run_pending_stages  # the later stages, for this article alone

        run_pending_stages(store)
    elif c["action"] in repo.STORY_ACTIONS:
        with store.transaction():
            repo.mark_undone(store, correction_id, by=who, reason=_clean(reason))
            repo.restore_members(store, c["before"])
            repo.apply_story_corrections(store)
    elif c["action"] in repo.ENTITY_ACTIONS:
        repo.mark_undone(store, correction_id, by=who, reason=_clean(reason))
        _resolve_entities(store)
    else:  # pragma: no cover - the log only holds known actions
        raise NotFoundError(f"unknown correction action {c['action']!r}")
    return repo.get_correction(store, correction_id)


def perform(store: Any, action: str, target: str, *, articles: Sequence[str] = (),
            stories: Sequence[str] = (), surfaces: Sequence[str] = (), other: str | None = None,
            by: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """One correction named by its action, as the REST API and the web forms post it."""
    def one(values: Sequence[str], what: str) -> str:
        if len(values) != 1:
            raise CorrectionError(f"{action} takes exactly one {what} (got {len(values)})")
        return values[0]

    if action == "delete":
        return delete_article(store, target, by=by, reason=reason)
    if action == "story-split":
        return story_split(store, target, articles, by=by, reason=reason)
    if action == "story-detach":
        return story_detach(store, target, one(articles, "article"), by=by, reason=reason)
    if action == "story-merge":
        return story_merge(store, target, [*stories, *([other] if other else [])], by=by,
                           reason=reason)
    if action == "entity-merge":
        return entity_merge(store, target, other or one(list(surfaces), "entity"), by=by,
                            reason=reason)
    if action == "entity-split":
        return entity_split(store, target, surfaces, by=by, reason=reason)
    if action == "entity-reject-variant":
        return entity_reject_variant(store, target, one(surfaces, "spelling"), by=by, reason=reason)
    raise CorrectionError(f"unknown correction {action!r}; one of: {', '.join(repo.ACTIONS)}")
