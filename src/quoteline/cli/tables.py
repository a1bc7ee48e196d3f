"""Tables for people (``--format table``): the quote gets the width, the cue is shown, the
article is named once for the rows it holds, a diff only where the words differ."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from quoteline.store import ClusterView, Overview, QuoteHit

QUOTE_MIN = 24  # columns the quote keeps however narrow the terminal


def _console() -> Any:
    from rich.console import Console

    return Console()


def _table(title: str | None, columns: Sequence[tuple[str, dict[str, Any]]]) -> Any:
    """A table whose columns are (header, rich column options), without vertical rules so
    that the width goes to the text."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title) if title else None, expand=True, box=box.SIMPLE_HEAD,
                  title_justify="left", padding=(0, 1), show_edge=False, show_lines=True)
    for header, opts in columns:
        table.add_column(header, **opts)
    return table


def _cells(*values: Any) -> list[str]:
    from rich.markup import escape

    return [escape("" if v is None else str(v)) for v in values]


DAY: dict[str, Any] = {"no_wrap": True, "min_width": 10}
NARROW: dict[str, Any] = {"overflow": "fold", "max_width": 12}
WHO: dict[str, Any] = {"overflow": "fold", "max_width": 18}
QUOTE: dict[str, Any] = {"ratio": 1, "min_width": QUOTE_MIN, "overflow": "fold"}


def diff_text(diff: Sequence[Any] | None, context: int = 3) -> str:
    """A word diff as text where the words differ: ``[-removed-] {+added+}`` with up to
    ``context`` kept words either side (longer runs of kept words become …); empty when no
    word differs (a verbatim rendering has nothing to show)."""
    ops = [(str(op), str(words)) for op, words in diff or []]
    if all(op == "=" for op, _ in ops):
        return ""
    out = [f"[-{w}-]" if op == "-" else f"{{+{w}+}}" if op == "+" else
           _context(w.split(), context, lead=i > 0, trail=i < len(ops) - 1)
           for i, (op, w) in enumerate(ops)]
    return " ".join(x for x in out if x)


def _context(words: list[str], n: int, *, lead: bool, trail: bool) -> str:
    """Kept words around changes: ``n`` after the change before (``lead``) and ``n`` before
    the next (``trail``), with … where words were left out."""
    keep = (n if lead else 0) + (n if trail else 0)
    if len(words) <= keep:
        return " ".join(words)
    head = words[:n] if lead else []
    tail = words[-n:] if trail else []
    return " ".join([*head, "…", *tail])


def _article_label(hit: QuoteHit) -> str:
    """"Outlet · article id" (what a run of rows from one article shares)."""
    return " · ".join(x for x in (hit.outlet, hit.article_id) if x) or "?"


def print_quotes(hits: Iterable[QuoteHit], *, title: str | None = None,
                 speaker: bool = True) -> int:
    """Quotes as a table: when, who said it (and the cue), the quote with the width, and the
    article, named on the first row of each run of rows from it; how many."""
    table = _table(title, [("said", DAY), ("who" if speaker else "cue", WHO), ("quote", QUOTE),
                           ("article · quote", WHO)])
    previous = None
    n = 0
    for hit in hits:
        article = hit.article_row or hit.article_id
        source = [_article_label(hit)] if article != previous else []
        previous = article
        flag = f" {hit.rendering}" if hit.rendering in ("altered", "misattributed") else ""
        source.append(f"#{hit.quote_id}{flag}")
        who = [hit.speaker_name or hit.speaker or "unattributed"] if speaker else []
        cue = [f"({hit.cue})" if speaker else hit.cue] if hit.cue else []
        when = hit.when.isoformat() if hit.when else "undated"
        table.add_row(*_cells(when, "\n".join(who + cue), hit.text, "\n".join(source)))
        n += 1
    _console().print(table)
    return n


def print_cluster(view: ClusterView, units: Sequence[dict[str, Any]]) -> None:
    """One cluster: who said it, where first, then each rendering (an utterance unit) with its
    severity, the speaker an outlet named when it is not the cluster's, and a diff if any."""
    start = " ".join(units[0]["text"].split()[:8]) if units else ""
    first = view.first_published.isoformat() if view.first_published else "an unknown date"
    flagged = "; MISATTRIBUTED by some outlets" if view.misattributed else ""
    title = (f"cluster {view.cluster_id}: {view.speaker_name or 'unattributed'}, “{start}…”; "
             f"first reported by {view.first_outlet or 'an unknown outlet'} on {first}; "
             f"{len(units)} renderings, {view.altered} altered{flagged}")
    table = _table(title, [("rendering", NARROW), ("outlet", WHO), ("quote", QUOTE),
                           ("diff", QUOTE)])
    for unit in units:
        label = unit["rendering"] or ""
        flag = ("ALTERED" if label == "altered" else label) + (
            f" ({unit['severity']})" if unit["severity"] else "")
        if unit["attributed_to"]:
            flag += f"\nattributed to {unit['attributed_to']}"
        if view.first_article and unit["article_id"] == view.first_article:
            flag += "\nfirst report"
        day = unit["published"] or "undated"
        diff = diff_text(unit["diff"]) if label != "reference" else ""
        table.add_row(*_cells(flag, f"{unit['outlet'] or '?'}\n{day}\n#{unit['quote_id']}",
                              unit["text"], diff))
    _console().print(table)


def print_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str],
               title: str | None = None, wide: str | None = None) -> int:
    """Plain rows as a table (``wide``: the column that gets the width); how many."""
    table = _table(title, [(c, QUOTE if c == wide else WHO) for c in columns])
    n = 0
    for row in rows:
        table.add_row(*_cells(*(row.get(c) for c in columns)))
        n += 1
    _console().print(table)
    return n


def print_overview(view: Overview) -> None:
    """``ingest --show``: counts, top speakers, largest clusters, latest altered renderings."""
    import click

    st = view.stats
    click.echo(f"{st.articles} articles ({st.copies} copies), {st.quotes} quotes, "
               f"{st.speakers} speakers, {st.clusters} multi-outlet clusters, "
               f"{st.altered} altered renderings")
    print_rows(({"speaker": s.name, "quotes": s.quotes} for s in view.top_speakers),
               ["speaker", "quotes"], "top speakers")
    print_rows(({"cluster": c.cluster_id, "speaker": c.speaker_name, "size": c.size,
                 "outlets": c.outlets, "altered": c.altered, "first_outlet": c.first_outlet,
                 "reference_text": c.reference_text} for c in view.clusters),
               ["cluster", "speaker", "size", "outlets", "altered", "first_outlet",
                "reference_text"], "largest clusters", wide="reference_text")
    print_rows(({"cluster": h.cluster, "outlet": h.outlet, "text": h.text,
                 "diff": diff_text(h.diff)} for h in view.altered),
               ["cluster", "outlet", "text", "diff"], "latest altered quotes", wide="text")
