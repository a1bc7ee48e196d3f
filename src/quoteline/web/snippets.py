"""The small HTML pieces every list of quotes repeats (who, where, when, the words), made in
Python rather than as template macros: a page of twenty quotes calls them a hundred times, and
a Jinja macro call costs several times the work it wraps. Every value from an article goes
through ``escape`` (markupsafe's, in C) before it is joined into the markup."""

from __future__ import annotations

from markupsafe import Markup, escape

from quoteline.search import highlight
from quoteline.store import QuoteHit
from quoteline.web.charts import Chart
from quoteline.web.render import (
    date_label,
    long_date,
    plural,
    query_string,
    rendering_label,
    speech,
)

REPORTED = "reported speech: the outlet's words, not the speaker's"


def speaker_link(hit: QuoteHit) -> Markup:
    """The speaker, linked to their page when they are a corpus speaker."""
    if hit.speaker_id is not None:
        name = escape(hit.speaker_name or hit.speaker)
        return Markup(f'<a href="/speakers/{int(hit.speaker_id)}">{name}</a>')
    return escape(hit.speaker or "unattributed")


def outlet_link(hit: QuoteHit) -> Markup:
    """The outlet, linked to the article's page when the article is stored."""
    name = escape(hit.outlet or "unknown outlet")
    if hit.article_row is not None:
        return Markup(f'<a href="/articles/{int(hit.article_row)}">{name}</a>')
    return name


def badge(label: str) -> Markup:
    """A rendering label as a badge."""
    label = escape(label)
    return Markup(f'<span class="badge {label}">{label}</span>')


def report_line(hit: QuoteHit, lead: QuoteHit) -> Markup:
    """One rendering folded under a statement: its label, outlet and date, and who the outlet
    gave the words to when that is not the statement's speaker."""
    who = ""
    if hit.attributed_to:
        who = f" · given to {escape(hit.attributed_to)}"
    elif hit.speaker_id != lead.speaker_id:
        who = f" · {speaker_link(hit)}"
    return Markup(f'{badge(rendering_label(hit))} <a href="/quotes/{int(hit.quote_id)}">'
                  f'{escape(hit.outlet or "unknown outlet")}</a>, '
                  f'{long_date(hit.published) or "undated"}{who}')


def marked(text: str, query: str = "") -> Markup:
    """``text`` escaped, with the words ``query`` looks for in <mark>."""
    if not query:
        return escape(text)
    return Markup("".join(f'<mark class="term">{escape(piece)}</mark>' if hit
                          else escape(piece) for piece, hit in highlight(text, query)))


def said(hit: QuoteHit, query: str = "") -> Markup:
    """The words: direct words in quotation marks; reported speech after "said that", in its
    own style (see ``render.speech``); the query's words marked."""
    lead, parts = speech(hit)
    out = [f'<span class="lead-in">{escape(lead)}</span> '] if lead else []
    for style, text in parts:
        if style == "direct":
            out.append(f'<span class="direct">“{marked(text, query)}”</span>')
        else:
            out.append(f'<span class="reported" title="{REPORTED}">{marked(text, query)}</span>')
    return Markup("".join(out))


def dates(hit: QuoteHit) -> Markup:
    """Every date labelled: "said 19 May 2025 (from 'on Monday') · published 22 May"."""
    d = date_label(hit)
    out = []
    if d.said:
        out.append(f'said <time datetime="{d.said.isoformat()}">{d.said_text}</time>')
        if d.basis:
            out.append(f' <span class="basis">(from ‘{escape(d.basis)}’)</span>')
        elif d.article_date:
            out.append(" <span class=\"basis\">(the article's date)</span>")
        if d.published:
            out.append(" · ")
    if d.published:
        out.append(f'published <time datetime="{d.published.isoformat()}">'
                   f'{d.published_text}</time>')
    elif not d.said:
        out.append("undated")
    return Markup(f'<span class="dates">{"".join(out)}</span>')


def timeline_bars(chart: Chart, base: str, group: str = "") -> Markup:
    """The timeline's bars with counts, each a link to the statements of its dates (a chart
    of several years has a bar a month: a hundred pieces of markup a page)."""
    out = []
    for b in chart.bars:
        if not b.count:
            continue
        href = escape(base + query_string({"group": group}, **{"from": b.date_from,
                                                                "to": b.date_to}))
        title = escape(f"{b.label}: {plural(b.count, chart.noun)}")
        out.append(f'<a href="{href}#quotes-h"><rect class="bar" x="{b.x}" y="{b.y}"'
                   f' width="{b.width}" height="{b.height}"><title>{title}</title></rect></a>')
    return Markup("\n".join(out))
