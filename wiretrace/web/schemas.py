"""Response shapes of the REST API, for a truthful OpenAPI document.

They document and validate (in tests, against the running server) what the routes return;
the routes still return plain dicts, so a field added to a query appears in the API at once
(every model allows extra fields, as the command-line contract does).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(_Open):
    """A 4xx/5xx answer: what went wrong, and the wiretrace error code when there is one."""

    detail: Any
    code: str | None = None


class Page(_Open):
    total: int = Field(ge=0)
    limit: int = Field(ge=0)
    offset: int = Field(ge=0)


class StoryItem(_Open):
    id: str
    title: str | None
    summary: str | None = None
    articles: list[str]
    languages: list[str]
    outlets: list[str] = []
    first_seen: str | None
    last_seen: str | None
    size: int = Field(ge=0)


class StoriesPage(Page):
    items: list[StoryItem]


class StoryMember(_Open):
    id: str
    title: str | None
    language: str | None
    outlet: str | None
    published: str | None
    score: float | None
    linked_to: str | None
    centrality: float | None


class StoryDetail(_Open):
    id: str
    title: str | None
    summary: str | None
    articles: list[str]
    languages: list[str]
    outlets: list[str]
    first_seen: str | None
    last_seen: str | None
    size: int = Field(ge=0)
    members: list[StoryMember]
    merged_from: list[dict[str, Any]]
    entities: list[dict[str, Any]]


class Evidence(_Open):
    from_text: str
    to_text: str
    score: float


class TraceEdge(_Open):
    from_: str = Field(alias="from")
    to: str
    kind: str = Field(pattern="^(copy|partial-copy|translation|rewrite|summary)$")
    confidence: float = Field(ge=0, le=1)
    evidence: list[Evidence]


class TraceArticle(_Open):
    source: str | None
    kind: str | None
    added: list[dict[str, Any]]
    omitted: list[dict[str, Any]]
    altered: list[dict[str, Any]]


class Trace(_Open):
    story: str | None
    origins: list[str]
    edges: list[TraceEdge]
    articles: dict[str, TraceArticle]
    date_conflicts: list[dict[str, Any]] = []
    stale: bool = Field(
        description="true when the store holds no current trace of the story: this one was "
        "computed for the request and not saved (the server is read-only)"
    )
    note: str | None = None


class ArticleItem(_Open):
    id: str
    title: str | None
    outlet: str | None
    language: str | None
    published: str | None
    url: str | None
    author: str | None
    story: str | None
    attributions: list[str]


class ArticlesPage(Page):
    items: list[ArticleItem]


class ArticleDetail(_Open):
    id: str
    title: str | None
    text: str
    published: str | None
    outlet: str | None
    author: str | None
    language: str | None
    url: str | None
    attributions: list[str]
    evidence: dict[str, Any]
    removed: list[dict[str, Any]]
    story: str | None = None
    entities: list[dict[str, Any]]


class EntityItem(_Open):
    id: str
    name: str
    type: str | None
    variants: list[str]
    articles: list[str]


class EntitiesPage(Page):
    items: list[EntityItem]


class EntityDetail(EntityItem):
    stories: list[dict[str, Any]]
    outlets: list[str]
    timeline: list[dict[str, Any]]
    variant_details: list[dict[str, Any]]


class Snippet(_Open):
    text: str
    highlights: list[list[int]]


class SearchArticle(_Open):
    id: str
    title: str | None
    outlet: str | None
    language: str | None
    published: str | None
    story: str | None = None
    story_title: str | None = None
    title_highlights: list[list[int]] = []
    matches: int = 0
    snippets: list[Snippet] = []


class SearchResult(_Open):
    q: str
    total: int = 0
    spellings: list[str] = []
    named: list[dict[str, Any]] = []
    articles: list[SearchArticle]
    stories: list[dict[str, Any]]
    entities: list[EntityItem]


class IngestResult(_Open):
    ids: list[str]
    errors: list[dict[str, Any]]
