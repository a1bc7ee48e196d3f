"""RSS and Atom feeds: the item links, from XML parsed with entity declarations refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NoReturn
from xml.parsers import expat

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml")


class FeedRefused(Exception):
    """A feed that was not read; ``reason`` is the short skip reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def _no_entities(*_: object) -> NoReturn:
    # A feed needs no DTD entities; refusing them stops billion-laughs and XXE payloads.
    raise FeedRefused("feed refused: entity expansion",
                      "the feed declares XML entities, which quoteline does not expand")


def parse_feed_xml(body: bytes) -> ET.Element:
    """The root element of ``body``; FeedRefused for entity declarations or broken XML."""
    check = expat.ParserCreate()  # a first pass that refuses entities before any tree is built
    check.EntityDeclHandler = _no_entities
    check.UnparsedEntityDeclHandler = _no_entities
    check.ExternalEntityRefHandler = _no_entities
    try:
        check.Parse(body, True)
        return ET.fromstring(body)
    except (expat.ExpatError, ET.ParseError) as exc:
        raise FeedRefused("feed could not be parsed", str(exc)[:300]) from None
    except RecursionError:
        raise FeedRefused("feed could not be parsed", "nested too deeply") from None


def feed_links(body: bytes, content_type: str) -> list[str] | None:
    """Item links of an RSS/Atom feed, or None when the page is not a feed."""
    head = body[:512].lstrip()
    if content_type not in FEED_TYPES and not head.startswith(b"<?xml"):
        return None
    try:
        root = parse_feed_xml(body)
    except FeedRefused as exc:
        if exc.reason == "feed could not be parsed" and content_type not in FEED_TYPES:
            return None  # an XML-looking page that is no feed: let the HTML reader try
        raise
    tag = root.tag.rsplit("}", 1)[-1].lower() if isinstance(root.tag, str) else ""
    if tag not in ("rss", "feed", "rdf"):
        return None
    links: list[str] = []
    for el in root.iter():
        name = el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""
        if name in ("item", "entry"):
            link = _item_link(el)
            if link:
                links.append(link)
    return links


def _item_link(item: ET.Element) -> str | None:
    for child in item:
        if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1].lower() != "link":
            continue
        href = child.get("href") or (child.text or "").strip()
        if href.startswith(("http://", "https://")) and child.get("rel", "alternate") == "alternate":
            return href
    return None
