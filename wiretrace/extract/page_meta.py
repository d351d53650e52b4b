"""Metadata candidates of a page for the metadata stage: meta tags, JSON-LD, ``<time>``,
bylines, canonical URL, ``lang``, the headline and the declared ``articleBody``.
"""

from __future__ import annotations

import copy
import html as html_lib
import json
import re
from typing import Any

import lxml.html
from lxml import etree

from ..lang.titles import is_site_name, site_name_from_title, strip_site_name
from . import settings as S
from .html_dom import _WORDS, _data, _norm, _paragraphs, _parse, _visible_text, _xpath

_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0?[1-9]|1[0-2])[/-]?(0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)")


def page_metadata(tree: lxml.html.HtmlElement, *, url: str | None = None) -> dict[str, Any]:
    """Metadata candidates of a page, each list in priority order, for ``extract_metadata``.

    Keys: ``title`` (best guess), ``titles`` [(source, text)], ``dates`` [(source, text)],
    ``modified``, ``authors`` [(source, text)], ``site_names``, ``publisher``, ``url``,
    ``canonical_url``, ``lang``, ``description``, ``h1``, ``declared_body`` (JSON-LD
    articleBody as paragraphs, or None), ``page_text`` (visible text, one
    block per line, for datelines and date lines near the title).
    """
    spec = _data("meta")
    metas = _meta_tags(tree)
    jsonld = _jsonld_articles(tree, set(spec["jsonld_article_types"]))
    out: dict[str, Any] = {"lang": None, "url": url}
    html_el = tree if tree.tag == "html" else tree.find(".//html")
    if html_el is not None:
        out["lang"] = (html_el.get("lang") or html_el.get("xml:lang") or "").strip() or None
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    out["canonical_url"] = canonical[0].strip() if canonical else None

    h1s = [_norm(h.text_content()) for h in tree.xpath(_data("selectors")["headline"])]
    h1s = [h for h in h1s if h]
    out["h1"] = h1s[0] if h1s else None
    title_tag = tree.xpath("//title")
    html_title = _norm(title_tag[0].text_content()) if title_tag else None

    titles: list[tuple[str, str]] = []
    for item in jsonld:
        if item.get("headline"):
            titles.append(("jsonld:headline", _norm(html_lib.unescape(str(item["headline"])))))
    for key in spec["title"]:
        if metas.get(key):
            titles.append((f"meta:{key}", metas[key]))
    if html_title:
        titles.append(("html:title", html_title))
    if out["h1"]:
        titles.append(("html:h1", out["h1"]))
    out["titles"] = titles

    dates: list[tuple[str, str]] = []
    for key in spec["published"][:2]:  # article:published_time is the most reliable
        if metas.get(key):
            dates.append((f"meta:{key}", metas[key]))
    for item in jsonld:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            if item.get(key):
                dates.append((f"jsonld:{key}", str(item[key])))
    for key in spec["published"][2:]:
        if metas.get(key):
            dates.append((f"meta:{key}", metas[key]))
    for el in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateCreated']"):
        value = el.get("content") or el.get("datetime") or _norm(el.text_content())
        if value:
            dates.append(("itemprop:datePublished", value))
    out["dates"] = dates
    out["time_elements"] = _time_elements(tree)
    url_date = _URL_DATE.search(url or "") or _URL_DATE.search(out["canonical_url"] or "")
    out["url_date"] = (
        f"{url_date.group(1)}-{int(url_date.group(2)):02d}-{int(url_date.group(3)):02d}"
        if url_date else None
    )
    modified = [str(item["dateModified"]) for item in jsonld if item.get("dateModified")]
    modified += [metas[k] for k in spec["modified"] if metas.get(k)]
    out["modified"] = modified[0] if modified else None

    authors: list[tuple[str, str]] = []
    for item in jsonld:
        for name in _names(item.get("author")):
            authors.append(("jsonld:author", name))
    for key in spec["author"]:
        if metas.get(key) and not metas[key].startswith("http"):
            authors.append((f"meta:{key}", metas[key]))
    authors.extend(("html:byline", b) for b in _bylines(tree))
    out["authors"] = authors

    site_names: list[str] = []
    for item in jsonld:
        site_names.extend(_names(item.get("publisher")))
    for key in spec["site_name"]:
        value = metas.get(key)
        if value and not value.startswith("http"):
            site_names.append(value.lstrip("@"))
    out["site_names"] = list(dict.fromkeys(site_names))
    out["title"] = _choose_title(out["h1"], titles, out["site_names"], url)
    out["publisher"] = next(iter(n for item in jsonld for n in _names(item.get("publisher"))), None)
    out["description"] = next((metas[k] for k in spec["description"] if metas.get(k)), None)
    if not out["url"]:
        out["url"] = out["canonical_url"] or next((metas[k] for k in spec["url"] if metas.get(k)),
                                                  None)
    bodies = [item["articleBody"] for item in jsonld if isinstance(item.get("articleBody"), str)]
    out["declared_body"] = _declared_paragraphs(max(bodies, key=len)) if bodies else None
    out["page_text"] = _visible_text(tree)
    out["htmldate"] = None if dates else _htmldate(tree, url)
    return out


def _declared_paragraphs(body: str) -> str:
    """An articleBody as paragraphs separated by blank lines (markup and entities removed)."""
    body = html_lib.unescape(body)
    if "<" in body:
        fragment = _parse(f"<html><body>{body}</body></html>")
        if fragment is not None:
            body = _visible_text(fragment)
    return _paragraphs(body)


def _htmldate(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """htmldate's guess of the original date, for pages without machine-readable dates."""
    try:
        import htmldate  # on first use: ~1 s of imports a run without HTML pages never pays
    except ImportError:
        return None
    try:
        return htmldate.find_date(copy.deepcopy(tree), original_date=True, url=url)
    except Exception:  # noqa: BLE001 - a heuristic must not stop a batch
        return None


def _choose_title(h1: str | None, titles: list[tuple[str, str]], site_names: list[str],
                  url: str | None) -> str | None:
    """The headline: the visible h1 unless it looks like a logo or section label.

    ``<title>`` and og:title usually carry the site name and are often an SEO variant of the
    headline, so the h1 wins when it agrees with them or is a real sentence (3+ words); a
    short h1 that disagrees (a site logo, "Opinion") or one that is the site's name (a blog's
    masthead) gives way to the meta title.
    """
    # the name a <title> adds to a declared headline ("Blog Name: Headline" with og:title
    # "Headline") is a site name too, even where no meta tag says so
    page_title = next((text for source, text in titles if source == "html:title"), None)
    sites = list(site_names) + [
        name for source, text in titles if source not in ("html:title", "html:h1")
        if (name := site_name_from_title(page_title, text))]
    if h1 and (_furniture_headline(h1) or is_site_name(h1, site_names=sites, url=url)):
        h1 = None
    headline = strip_site_name(h1, site_names=list(site_names), url=url) if h1 else None
    other = None
    for source, text in titles:
        if source != "html:h1":
            other = strip_site_name(text, site_names=list(site_names), url=url)
            if other:
                break
    if headline and other:
        h_key = " ".join(_WORDS.findall(headline.lower()))
        o_key = " ".join(_WORDS.findall(other.lower()))
        if h_key in o_key or o_key in h_key or len(_WORDS.findall(headline)) >= 3:
            return headline
        return other
    return headline or other


def _furniture_headline(h1: str) -> bool:
    """Whether an h1 is page furniture rather than the headline: an unrendered template
    ("{{ item.title }}"), a breadcrumb ("Science > AI") or menu words ("Open Menu Close Menu")."""
    if "{{" in h1 or "}}" in h1 or re.search(r"[^\W\d]\s[>›»]\s[^\W\d]", h1):
        return True
    words = [w.lower() for w in _WORDS.findall(h1)]
    return bool(words) and set(words) <= set(_data("meta")["furniture_headline_words"])


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    metas: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content and content.strip():
            metas.setdefault(key.strip().lower(), _norm(html_lib.unescape(content)))
    return metas


def _jsonld_articles(tree: lxml.html.HtmlElement, types: set[str]) -> list[dict[str, Any]]:
    """JSON-LD objects of article-like types, most specific (news article) first."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            payload = json.loads(raw)
        except json.JSONDecodeError:
            try:
                payload = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except json.JSONDecodeError:
                continue
        stack = [payload]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k in types for k in kinds):
                    found.append(item)
                for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    order = {t: i for i, t in enumerate(
        ["NewsArticle", "ReportageNewsArticle", "Article", "BlogPosting", "LiveBlogPosting"])}

    def rank(item: dict[str, Any]) -> int:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        return min((order.get(k, 10) for k in kinds if isinstance(k, str)), default=10)

    return sorted(found, key=rank)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [_norm(value)] if value.strip() and not value.startswith("http") else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _bylines(tree: lxml.html.HtmlElement) -> list[str]:
    names: list[str] = []
    for selector in _data("selectors")["byline"]:
        try:
            hits = _xpath(selector)(tree)
        except etree.XPathError:
            continue
        for el in hits:
            text = _norm(el.text_content() if hasattr(el, "text_content") else str(el))
            if S.BYLINE_MIN_CHARS < len(text) <= S.BYLINE_MAX_CHARS:
                names.append(text)
        if names:
            break
    return names


def _time_elements(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """``<time>`` elements in document order with whether they come after the headline."""
    headline = tree.xpath("(//h1)[1]")
    order = {el: i for i, el in enumerate(tree.iter())}
    h1_index = order.get(headline[0]) if headline else None
    items = []
    for el in tree.xpath(_data("selectors")["time"]):
        value = el.get("datetime") or _norm(el.text_content())
        if not value:
            continue
        index = order.get(el, 0)
        hints = " ".join(
            filter(None, [el.get("class"), el.get("itemprop"), el.get("pubdate") and "pubdate",
                          el.getparent().get("class") if el.getparent() is not None else None])
        ).lower()
        items.append({"text": value, "label": _norm(el.text_content())[:80], "hints": hints,
                      "distance": None if h1_index is None else index - h1_index})
    return items
