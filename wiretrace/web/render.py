"""Server-side rendering helpers: highlighted text segments and the provenance graph as SVG.

Article text never becomes markup: it is cut into segments (text + a CSS class from a fixed
set) that templates escape, and the SVG is assembled with every label escaped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from markupsafe import Markup, escape

from ..errors import NotFoundError, WiretraceError
from . import queries

SEGMENT_CLASSES = {"added", "omitted", "altered", "aligned", "removed"}

# Unicode bidi controls: marks (LRM, RLM), embeddings and overrides (LRE..RLO, closed by PDF)
# and isolates (LRI, RLI, FSI, closed by PDI).
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")
_ISOLATES = frozenset("\u2066\u2067\u2068")
PDF, FSI, PDI = "\u202c", "\u2068", "\u2069"


def isolate_bidi(text: str) -> str:
    """``text`` with its bidi controls kept inside it: embeddings and isolates it opens are
    closed, closers it has no opener for are dropped, and the whole is wrapped in an isolate
    (FSI…PDI, the plain-text ``<bdi>``), so a right-to-left override in a title cannot
    reorder the page around it. Text without bidi controls is returned unchanged."""
    if not BIDI_CONTROLS.search(text):
        return text
    out: list[str] = []
    open_: list[str] = []
    for ch in text:
        if ch in _EMBEDDINGS:
            open_.append(PDF)
        elif ch in _ISOLATES:
            open_.append(PDI)
        elif ch == PDF:
            if not open_ or open_[-1] != PDF:
                continue
            open_.pop()
        elif ch == PDI:
            if PDI not in open_:
                continue
            while open_.pop() != PDI:  # a PDI also ends the embeddings opened inside it
                pass
        out.append(ch)
    out.extend(reversed(open_))
    return FSI + "".join(out) + PDI


def _find(text: str, needle: str, used: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Locate ``needle`` in ``text`` (first occurrence not already highlighted)."""
    needle = (needle or "").strip()
    if not needle:
        return None
    start = 0
    while True:
        i = text.find(needle, start)
        if i < 0:
            return None
        span = (i, i + len(needle))
        if not any(a < span[1] and span[0] < b for a, b in used):
            return span
        start = i + 1


def segments(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cut ``text`` into consecutive segments; spans are {start, end, cls, link?, title?}."""
    spans = sorted(
        (s for s in spans if 0 <= s["start"] < s["end"] <= len(text) and s["cls"] in SEGMENT_CLASSES),
        key=lambda s: (s["start"], -s["end"]),
    )
    out: list[dict[str, Any]] = []
    cursor = 0
    for s in spans:
        if s["start"] < cursor:
            continue  # overlapping span: keep the first
        if s["start"] > cursor:
            out.append({"text": text[cursor : s["start"]], "cls": ""})
        out.append({"text": text[s["start"] : s["end"]], "cls": s["cls"], "link": s.get("link"),
                    "title": s.get("title", "")})
        cursor = s["end"]
    if cursor < len(text):
        out.append({"text": text[cursor:], "cls": ""})
    return out


def mark_techniques(segs: list[dict[str, Any]], techniques: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``segs`` cut again at the technique spans: each piece inside one lists its techniques
    (name and score, shown as the piece's tooltip) and the piece that ends a span carries
    the span's labels, printed after it. The text stays plain text for the template to
    escape; only the boundaries move."""
    spans = [t for t in techniques
             if isinstance(t.get("start"), int) and isinstance(t.get("end"), int)
             and t["start"] < t["end"]]
    if not spans:
        return segs
    cuts = sorted({p for t in spans for p in (t["start"], t["end"])})
    out: list[dict[str, Any]] = []
    pos = 0
    for seg in segs:
        seg_start, seg_end = pos, pos + len(seg["text"])
        bounds = [seg_start, *(c for c in cuts if seg_start < c < seg_end), seg_end]
        for a, b in zip(bounds, bounds[1:], strict=False):
            if a == b:
                continue
            here = [t for t in spans if t["start"] <= a and b <= t["end"]]
            piece = {**seg, "text": seg["text"][a - seg_start : b - seg_start]}
            if here:
                piece["techniques"] = " · ".join(f"{t['name']} {t['score']:.2f}" for t in here)
                piece["labels"] = [t for t in here if t["end"] == b]
            out.append(piece)
        pos = seg_end
    return out


def signals_of(store: Any, article_id: str) -> dict[str, Any] | None:
    """The article's signals as ``wiretrace signals`` gives them (stored, or computed in
    memory on a read-only store); None when they cannot be computed for it."""
    from ..adapters.signals import article_signals

    try:
        return article_signals(store, article_id)
    except WiretraceError:
        return None


def highlight_article(article: dict[str, Any]) -> list[dict[str, Any]]:
    """Article page body: paragraphs of plain segments (cleaning removals are listed apart)."""
    return [{"text": p, "cls": ""} for p in article.get("paragraphs", [])]


def _pair_spans(
    src_text: str, dst_text: str, diff: dict[str, Any], evidence: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    left: list[dict[str, Any]] = []
    right: list[dict[str, Any]] = []
    used_l: list[tuple[int, int]] = []
    used_r: list[tuple[int, int]] = []

    def put(side: list, used: list, span: tuple[int, int] | None, cls: str, link: str | None, title: str) -> None:
        if span:
            used.append(span)
            side.append({"start": span[0], "end": span[1], "cls": cls, "link": link, "title": title})

    for n, alt in enumerate(diff.get("altered", [])):
        link = f"alt{n}"
        title = f"altered ({alt.get('what', '')}): {alt.get('detail', '')}"
        put(left, used_l, _find(src_text, alt.get("source_text", ""), used_l), "altered", link, title)
        put(right, used_r, _find(dst_text, alt.get("text", ""), used_r), "altered", link, title)
    for add in diff.get("added", []):
        span = None
        if isinstance(add.get("start"), int) and isinstance(add.get("end"), int):
            s, e = add["start"], add["end"]
            if dst_text[s:e].strip() and not any(a < e and s < b for a, b in used_r):
                span = (s, e)
        span = span or _find(dst_text, add.get("text", ""), used_r)
        put(right, used_r, span, "added", None, "added by this outlet")
    for om in diff.get("omitted", []):
        put(left, used_l, _find(src_text, om.get("text", ""), used_l), "omitted", None, "left out by the derivative")
    for n, ev in enumerate(evidence):
        link = f"al{n}"
        title = f"aligned, score {ev.get('score', 0):.2f}" if isinstance(ev.get("score"), (int, float)) else "aligned"
        ls = _find(src_text, ev.get("from_text", ""), used_l)
        rs = _find(dst_text, ev.get("to_text", ""), used_r)
        if ls and rs:
            put(left, used_l, ls, "aligned", link, title)
            put(right, used_r, rs, "aligned", link, title)
    return left, right


def diff_pair_view(
    store: Any, story: dict[str, Any], trace: dict[str, Any], a: str | None, b: str | None
) -> dict[str, Any] | None:
    """Two articles side by side, aligned sentences linked and the diff highlighted.

    Without a choice, the first derivation edge between two stored articles is shown.
    """
    members = set(story.get("articles", []))
    edges = trace.get("edges", [])
    if not (a and b):
        for e in edges:
            if e.get("from") in members and e.get("to") in members:
                a, b = e["from"], e["to"]
                break
        else:
            return None
    if a not in members or b not in members or a == b:
        return None
    edge = next((e for e in edges if e.get("from") == a and e.get("to") == b), None)
    reverse = next((e for e in edges if e.get("from") == b and e.get("to") == a), None)
    if edge is None and reverse is not None:
        a, b, edge = b, a, reverse
    try:
        src = queries.article_detail(store, a)
        dst = queries.article_detail(store, b)
    except NotFoundError:
        return None
    diff = trace.get("articles", {}).get(b, {}) if edge else {}
    if diff.get("source") not in (None, a):
        diff = {}
    evidence = edge.get("evidence", []) if edge else []
    left, right = _pair_spans(src["text"], dst["text"], diff, evidence)
    sig_a, sig_b = signals_of(store, a), signals_of(store, b)
    return {
        "a": src,
        "b": dst,
        "edge": edge,
        "diff": diff,
        "left": mark_techniques(segments(src["text"], left), (sig_a or {}).get("techniques", [])),
        "right": mark_techniques(segments(dst["text"], right), (sig_b or {}).get("techniques", [])),
        "signals_a": sig_a,
        "signals_b": sig_b,
    }


def graph_svg(story: dict[str, Any], trace: dict[str, Any]) -> Markup:
    """The derivation graph, origins on the left, derivatives in layers to the right."""
    edges = [e for e in trace.get("edges", []) if e.get("from") and e.get("to")]
    titles = {a["id"]: a for a in story.get("article_details", [])}
    nodes: list[str] = []
    for o in trace.get("origins", []):
        if o not in nodes:
            nodes.append(o)
    for e in edges:
        for n in (e["from"], e["to"]):
            if n not in nodes:
                nodes.append(n)
    for aid in story.get("articles", []):
        if aid not in nodes:
            nodes.append(aid)
    if not nodes:
        return Markup("")
    parents: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        parents[e["to"]].append(e["from"])
    depth: dict[str, int] = {}

    def level(n: str, seen: frozenset[str] = frozenset()) -> int:
        if n in depth:
            return depth[n]
        if n in seen or not parents.get(n):
            depth[n] = 0
            return 0
        d = 1 + max(level(p, seen | {n}) for p in parents[n])
        depth[n] = d
        return d

    for n in nodes:
        level(n)
    columns: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        columns[depth[n]].append(n)
    col_w, row_h, box_w, box_h = 330, 64, 200, 44
    pos: dict[str, tuple[int, int]] = {}
    for d, col in columns.items():
        for i, n in enumerate(col):
            pos[n] = (20 + d * col_w, 20 + i * row_h)
    width = 40 + (max(columns) + 1) * col_w
    height = 40 + max(len(c) for c in columns.values()) * row_h
    parts = [
        f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="provenance graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>',
    ]
    for e in edges:
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        sx, sy, tx, ty = x1 + box_w, y1 + box_h / 2, x2, y2 + box_h / 2
        conf = e.get("confidence")
        label = f"{e.get('kind', '')}" + (f" {conf:.2f}" if isinstance(conf, (int, float)) else "")
        parts.append(
            f'<g class="edge kind-{escape(e.get("kind", ""))}"><path d="M {sx} {sy} C {sx + 30} {sy}, '
            f'{tx - 30} {ty}, {tx} {ty}" marker-end="url(#arrow)"/>'
            f'<text x="{tx - 10}" y="{ty - 7}" text-anchor="end">{escape(label)}</text></g>'
        )
    origins = set(trace.get("origins", []))
    conflicts = {c.get("article") for c in trace.get("date_conflicts", [])}
    for n, (x, y) in pos.items():
        info = titles.get(n)
        is_article = info is not None
        name = (info.get("outlet") or n) if info else n
        sub = ""
        if info:
            sub = " · ".join(x for x in [info.get("language") or "", (info.get("published") or "")[:10]] if x)
        cls = (
            "node"
            + (" origin" if n in origins else "")
            + ("" if is_article else " external")
            + (" conflict" if n in conflicts else "")
        )
        label = escape(isolate_bidi(name if len(name) <= 30 else name[:29] + "…"))
        node = (
            f'<g class="{cls}"><rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6"/>'
            f'<text x="{x + 8}" y="{y + 18}">{label}</text>'
            f'<text class="sub" x="{x + 8}" y="{y + 34}">{escape(isolate_bidi(sub))}</text></g>'
        )
        if is_article:
            from urllib.parse import quote

            node = f'<a href="/articles/{escape(quote(n, safe=""))}">{node}</a>'
        parts.append(node)
    parts.append("</svg>")
    return Markup("".join(parts))


def marked(text: str | None, spans: list[list[int]] | None) -> Markup:
    """``text`` escaped, with each (start, end) span of a search match in ``<mark>``."""
    text = text or ""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans or []):
        if start < at or end > len(text):
            continue
        out.append(str(escape(isolate_bidi(text[at:start]))))
        out.append(f"<mark>{escape(isolate_bidi(text[start:end]))}</mark>")
        at = end
    out.append(str(escape(isolate_bidi(text[at:]))))
    return Markup("".join(out))
