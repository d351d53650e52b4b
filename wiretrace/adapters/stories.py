"""The stories stage run against a store: new articles join stored stories (``update_stories``)
or every story is rebuilt (``recluster``); storylines are rebuilt after either."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..embeddings import get_backend
from ..store.corrections import apply_story_corrections
from ..store.representations import load_representations
from ..store.stage_state import mark_done
from ..store.stories import (
    article_languages,
    doc_vectors,
    join_scores,
    load_state,
    published_dates,
    rebuild_storylines,
    save_changes,
)
from ..stories import STAGE, Scorer, StoryClusterer


def _clusterer_for(store: Any, backend: Any, scorer: Scorer | None, **params: Any) -> StoryClusterer:
    def resolve(article_id: str) -> Any:
        return load_representations(store, [article_id], backend=backend)[article_id]

    return StoryClusterer(scorer=scorer, resolve=resolve, **params)


def update_stories(
    store: Any,
    article_ids: list[str],
    *,
    progress: Callable[[int], None] | None = None,
    scorer: Scorer | None = None,
    backend: Any = None,
    **params: Any,
) -> dict[str, Any]:
    """Assign ``article_ids`` to stories (growing or merging existing ones) and persist.

    Articles already in a story keep it. Representations are read from the store's cache or
    computed (the slow part, reported through ``progress``).
    """
    backend = backend or get_backend()
    state = load_state(store)
    vectors = doc_vectors(store, backend.name)
    held = {aid for _, _, members in state for aid in members}
    lacking = sorted(held - vectors.keys())
    if lacking:  # stored stories from another embedding backend: embed their members too
        for aid, r in load_representations(store, lacking, backend=backend).items():
            vectors[aid] = r.doc_vector
    wanted = list(dict.fromkeys(article_ids))
    new_ids = [a for a in wanted if a not in held]
    if progress and len(new_ids) < len(wanted):
        progress(len(wanted) - len(new_ids))
    reprs = load_representations(store, new_ids, backend=backend, progress=progress)
    clusterer = _clusterer_for(store, backend, scorer, **params)
    clusterer.restore(
        state, vectors, published_dates(store), join_scores(store), article_languages(store)
    )
    before = set(clusterer.stories)
    assigned = clusterer.assign(reprs.values())
    # Stored stories that grew are checked for drift (a story built by an older, looser
    # decision splits here); new ones were built by the current decision and need no check.
    grown = {sid for sid in assigned.values() if sid in before}
    splits = clusterer.split_drifted(grown)
    moved = [m for split in splits for m in split.members]
    touched = save_changes(store, clusterer, [*assigned, *moved])
    storylines = rebuild_storylines(store, clusterer)
    corrected = apply_story_corrections(store)  # an analyst's splits and merges stand
    return {
        "articles": len(assigned),
        "new_stories": len(set(clusterer.stories) - before),
        "stories_changed": len(touched),
        "merges": len(clusterer.merges),
        "splits": len(splits),
        "stories": len(clusterer.stories),
        "storylines": storylines,
        "scorer_calls": clusterer.scorer_calls,
        **corrected,
    }


def recluster(
    store: Any,
    *,
    progress: Callable[[int], None] | None = None,
    scorer: Scorer | None = None,
    backend: Any = None,
    **params: Any,
) -> dict[str, Any]:
    """Rebuild every story from scratch. Story ids come from founding articles, so stories
    whose founder is unchanged keep their ids; the merge history starts afresh."""
    backend = backend or get_backend()
    ids = store.article_ids()
    reprs = load_representations(store, ids, backend=backend, progress=progress)
    clusterer = _clusterer_for(store, backend, scorer, **params)
    assigned = clusterer.fit(reprs.values())
    save_changes(store, clusterer, assigned, replace_all=True)
    storylines = rebuild_storylines(store, clusterer)
    corrected = apply_story_corrections(store)  # an analyst's splits and merges stand
    # every article now has its story: the ingest pipeline need not run this stage on them
    mark_done(store, STAGE.name, STAGE.version, list(assigned))
    return {
        "articles": len(assigned),
        "stories": len(clusterer.stories),
        "multi_article_stories": sum(1 for s in clusterer.stories.values() if s.size > 1),
        "merges": len(clusterer.merges),
        "storylines": storylines,
        "scorer_calls": clusterer.scorer_calls,
        **corrected,
    }
