"""The workbench pages in a real headless Chromium (Debian's, driven by Playwright): the
overview, the browse pages, a cluster's timeline and exact wording, an article's quote list,
labelled dates, highlighted terms, statements folded on a speaker's page, and the analyze
downloads; each test asserts on what a person sees and saves a screenshot."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import httpx
import pytest

from test_web_e2e import browser, live, page, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _no_errors(pg: Any) -> None:
    assert pg.dialogs == [] and pg.errors == []


def test_overview_shows_counts_people_spread_and_flags(page: Any, live: str) -> None:  # noqa: F811
    page.goto(live + "/")
    assert page.locator("h1").inner_text() == "What this store holds"
    quotes = httpx.get(live + "/overview.json", timeout=30).json()["stats"]["quotes"]
    assert page.locator("ul.stats li").first.inner_text().split()[0] == str(quotes)
    people = page.locator("#people-h + table tbody tr")
    assert people.count() >= 3
    names = people.locator("td:first-child a").all_inner_texts()
    assert "Builders" not in names and "Critics" not in names  # junk stays out
    widely = page.locator("ol.cluster-list li")
    assert widely.count() >= 3
    assert re.search(r"\d+ reports in \d+ outlets", widely.first.inner_text())
    assert page.locator("ol.flag-list li").count() >= 1  # the latest altered renderings
    shot(page, "overview")
    widely.first.locator("a").first.click()
    page.wait_for_url("**/clusters/*")
    assert page.locator("svg#spread").is_visible()
    _no_errors(page)


def test_speakers_page_lists_people_by_reports_and_finds_names(page: Any, live: str) -> None:  # noqa: F811
    page.goto(live + "/speakers")
    rows = page.locator("table.speakers-table tbody tr")
    assert rows.count() >= 5
    reports = [int(t) for t in rows.locator("td:nth-child(4)").all_inner_texts()]
    assert reports == sorted(reports, reverse=True)  # most quoted first
    names = rows.locator("td:nth-child(2) a").all_inner_texts()
    assert not {"Builders", "Northline Power"} & set(names)
    shot(page, "speakers")
    page.get_by_role("link", name=re.compile("Organisations, groups")).click()
    page.wait_for_url("**show=others*")
    others = page.locator("table.speakers-table tbody tr td:nth-child(2) a").all_inner_texts()
    assert "Builders" in others
    page.goto(live + "/speakers")
    page.get_by_label("Name starts with").fill("Pra")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**q=Pra*")
    found = page.locator("table.speakers-table tbody tr td:nth-child(2) a").all_inner_texts()
    assert found == ["Owen Pratt"]
    _no_errors(page)


def test_clusters_page_filters_altered_and_sorts_by_date(page: Any, live: str) -> None:  # noqa: F811
    page.goto(live + "/clusters")
    rows = page.locator("table.clusters-table tbody tr")
    assert rows.count() >= 5
    sizes = [int(t) for t in rows.locator("td:nth-child(3)").all_inner_texts()]
    assert sizes == sorted(sizes, reverse=True) and min(sizes) >= 2
    page.get_by_role("link", name="With an altered rendering").click()
    page.wait_for_url("**flag=altered*")
    flagged = page.locator("table.clusters-table tbody tr")
    assert 1 <= flagged.count() < len(sizes)
    assert all("altered" in t.lower() for t in flagged.locator("td:nth-child(5)").all_inner_texts())
    shot(page, "clusters-altered")
    page.get_by_label("Order").select_option("date")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**sort=date*")
    assert "flag=altered" in page.url  # the flag is kept
    items = httpx.get(live + "/clusters.json?flag=altered&sort=date", timeout=30).json()["items"]
    days = [i["first_published"] for i in items]
    assert days == sorted(days, reverse=True)
    shown = page.locator("table.clusters-table tbody tr td.statement-cell").all_inner_texts()
    assert [s.split(":")[0] for s in shown] == [i["speaker_name"] for i in items]
    _no_errors(page)


def test_articles_and_outlets_pages_lead_to_each_other(page: Any, live: str) -> None:  # noqa: F811
    page.goto(live + "/outlets")
    rows = page.locator("table.outlets-table tbody tr")
    assert rows.count() >= 5
    shot(page, "outlets")
    name = "Ashgrove Record"
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_url("**/articles?outlet=*")
    assert page.locator("h1").inner_text() == f"Articles from {name}"
    outlets = page.locator("table.articles-table tbody tr td:nth-child(3)").all_inner_texts()
    assert outlets and set(outlets) == {name}
    page.goto(live + "/articles")
    listed = page.locator("table.articles-table tbody tr")
    assert listed.count() >= 5
    shot(page, "articles")
    title = listed.first.locator("td:nth-child(2) a").inner_text()
    listed.first.locator("td:nth-child(2) a").click()
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == title
    _no_errors(page)


def _altered_cluster(base: str) -> dict[str, Any]:
    items = httpx.get(base + "/clusters.json?flag=altered", timeout=30).json()["items"]
    return dict(httpx.get(base + f"/clusters/{items[0]['cluster']}.json", timeout=30).json())


def test_cluster_timeline_marks_each_rendering_and_the_first_report(page: Any, live: str) -> None:  # noqa: F811
    view = _altered_cluster(live)
    page.goto(live + f"/clusters/{view['cluster']}")
    heading = page.locator("h1").inner_text()
    assert view["speaker_name"] in heading and view["renderings"][0]["text"].split()[0] in heading
    assert "First reported by" in page.locator(".lede").inner_text()
    marks = page.locator("svg#spread circle.mark")
    assert marks.count() == len(view["renderings"])
    assert page.locator("svg#spread circle.first-ring").count() == 1
    altered = page.locator("svg#spread circle.mark-altered")
    assert altered.count() == view["altered"] >= 1
    fills = {altered.nth(i).evaluate("e => getComputedStyle(e).fill") for i in range(altered.count())}
    verbatim = page.locator("svg#spread circle.mark-reference").first.evaluate(
        "e => getComputedStyle(e).fill")
    assert verbatim not in fills  # coloured by what the rendering is
    rows = page.locator("svg#spread text.row-label").evaluate_all(
        "els => els.map(e => e.textContent)")
    assert rows[0] == view["first_outlet"]  # the first reporter on top
    page.get_by_text("The renderings as a table").click()
    assert page.locator("details.table-fallback tbody tr").count() == len(view["renderings"])
    shot(page, "cluster-timeline")
    _no_errors(page)


def test_cluster_cards_show_the_published_words_with_the_diff_over_them(
        page: Any, live: str) -> None:  # noqa: F811
    view = _altered_cluster(live)
    page.goto(live + f"/clusters/{view['cluster']}")
    altered = next(r for r in view["renderings"] if r["rendering"] == "altered")
    card = page.locator(f"article#r{altered['unit_id']}")  # one card a unit
    assert card.locator("ins, del").count() >= 1
    shown = card.locator("blockquote.wording").evaluate(
        "e => { const c = e.cloneNode(true); c.querySelectorAll('del, .gap, .lead-in')"
        ".forEach(d => d.remove()); return c.textContent; }")
    assert altered["text"] in shown  # exactly as published, capitals and punctuation kept
    shot(page, "cluster-wording")
    _no_errors(page)


def test_article_lists_its_quotes_beside_the_text_with_cues_marked(page: Any, live: str) -> None:  # noqa: F811
    hit = httpx.get(live + "/quotes.json?q=librarian", timeout=30).json()["items"][0]
    art = httpx.get(live + f"/articles/{hit['article_row']}.json", timeout=30).json()
    page.goto(live + f"/articles/{hit['article_row']}")
    listed = page.locator("aside.quote-list li.listed")
    assert listed.count() == len(art["quotes"])
    assert page.locator("aside.quote-list h2").inner_text().startswith(f"{len(art['quotes'])} quote")
    cues = page.locator(".article-text span.cue")
    assert cues.count() >= 1 and cues.first.inner_text().strip() in {
        q["cue"] for q in art["quotes"]}
    kinds = listed.locator(".badge").all_inner_texts()
    assert [k.lower() for k in kinds] == [q["kind"] for q in art["quotes"]]
    reported = [i for i, q in enumerate(art["quotes"]) if q["kind"] == "indirect"]
    if reported:  # reported speech is not in quotation marks and says "said"
        text = listed.nth(reported[0]).locator(".listed-text").inner_text()
        assert text.startswith("said") and "“" not in text
    shot(page, "article-quote-list")
    listed.first.locator(".listed-text a").click()
    assert page.url.endswith(f"#q{art['quotes'][0]['quote_id']}")
    _no_errors(page)


def test_dates_are_labelled_said_from_and_published(page: Any, live: str) -> None:  # noqa: F811
    items = httpx.get(live + "/quotes.json?per_page=100", timeout=30).json()["items"]
    based = next(i for i in items if i["said_on"] and i["said_on_basis"]
                 and i["said_on"] != i["published"])
    page.goto(live + f"/quotes/{based['quote_id']}")
    label = page.locator(".lede .dates").inner_text()
    assert re.fullmatch(r"said \d{1,2} [A-Z][a-z]+ \d{4} \(from ‘.+’\) · published \d{1,2} "
                        r"[A-Z][a-z]+( \d{4})?", label), label
    assert based["said_on_basis"] in label
    shot(page, "labelled-dates")
    page.goto(live + "/quotes?" + str(httpx.QueryParams({"q": " ".join(based["text"].split()[:6])})))
    card = page.locator(f"li.hit:has(a[href='/quotes/{based['quote_id']}'])")
    assert "(from ‘" in card.locator(".dates").inner_text()
    _no_errors(page)


def test_search_terms_are_highlighted_and_statements_fold(page: Any, live: str) -> None:  # noqa: F811
    page.goto(live + "/quotes?q=power")
    marks = page.locator("ol.hits mark.term")
    assert marks.count() >= 2 and all(m.lower().startswith("power") for m in marks.all_inner_texts())
    count = page.locator("strong.count").inner_text()
    total = httpx.get(live + "/quotes.json?q=power", timeout=30).json()["paging"]["total"]
    assert count == f"{total} matches"
    shot(page, "highlights")
    page.get_by_label("Show").select_option("statement")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**group=statement*")
    statements = page.locator("ol.statements li.statement")
    assert 1 <= statements.count() < total  # some statements were reported more than once
    folded = statements.filter(has_text="Said once, reported").first
    reports = int(re.search(r"reported (\d+) times", folded.inner_text()).group(1))  # type: ignore[union-attr]
    folded.locator("summary").click()
    assert folded.locator("details ul li").count() == reports
    shot(page, "search-statements")
    _no_errors(page)


def test_speaker_page_counts_statements_with_renderings_folded(page: Any, live: str) -> None:  # noqa: F811
    sid = httpx.get(live + "/speakers.json", timeout=30).json()["items"][0]["speaker_id"]
    data = httpx.get(live + f"/speakers/{sid}.json", timeout=30).json()
    page.goto(live + f"/speakers/{sid}")
    lede = page.locator(".lede").inner_text()
    assert f"{data['speaker']['statements']} statements" in lede
    assert f"reported {data['speaker']['quotes']} times" in lede
    cards = page.locator("ol.statements li.statement")
    assert cards.count() == len(data["items"])
    spread = cards.filter(has_text="Said once").first
    spread.locator("summary").click()
    assert spread.locator("details li").count() >= 2
    bars = page.locator("svg#timeline rect.bar")
    assert bars.count() >= 1
    shot(page, "speaker-statements")
    _no_errors(page)


def test_analyze_offers_its_results_as_csv_and_json(page: Any, live: str, seed_text: str) -> None:  # noqa: F811
    page.goto(live + "/analyze")
    form = page.locator("form.analyze")
    assert form.get_by_role("button", name="Analyze").is_visible()  # the button is the form's
    page.get_by_label("Article text").fill(seed_text)
    page.get_by_label("Published on").fill("2022-11-16")
    page.get_by_role("button", name="Analyze").click()
    page.wait_for_selector("#results", timeout=120_000)
    shown = page.locator("table.quotes-table tbody tr").count()
    with page.expect_download(timeout=120_000) as got:
        page.get_by_role("button", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(got.value.path().read_text(encoding="utf-8"))))
    assert got.value.suggested_filename == "analysis.csv" and len(rows) == shown
    assert sum("Milley" in (r["speaker"] or "") for r in rows) >= 3
    with page.expect_download(timeout=120_000) as got:
        page.get_by_role("button", name="JSON").click()
    body = json.loads(got.value.path().read_text(encoding="utf-8"))
    assert len(body["quotes"]) == shown and body["stored"] is None
    shot(page, "analyze-downloads")
    _no_errors(page)


# What every page must give a reader who uses a keyboard, a screen reader or weak eyes.
A11Y = """() => {
  const problems = [];
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length));
  unlabelled.forEach(e => problems.push('unlabelled ' + e.outerHTML.slice(0, 80)));
  if (document.querySelectorAll('h1').length !== 1) problems.push('not one h1');
  document.querySelectorAll('svg').forEach(s => {
    if (s.getAttribute('role') !== 'img' || !s.querySelector('title'))
      problems.push('svg without role=img and a title');
  });
  document.querySelectorAll('th').forEach(th => {
    if (th.closest('thead') && !th.getAttribute('scope')) problems.push('th without scope');
  });
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = rgb(c).slice(0, 3).map(x => { x /= 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = e => { for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor, a = rgb(c);
      if (a.length === 3 || (a.length === 4 && a[3] > 0.9)) return c; }
    return 'rgb(255, 255, 255)'; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e || e.closest('svg, .skip, .visually-hidden, option')) continue;
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden' || style.display === 'none' || !e.getClientRects().length) continue;
    const a = lum(style.color), b = lum(background(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.6 && +style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5))
      problems.push(`contrast ${ratio.toFixed(2)} on "${n.textContent.trim().slice(0, 30)}"`);
  }
  return [...new Set(problems)];
}"""


@pytest.mark.parametrize("path", ["/", "/speakers", "/speakers?show=others", "/clusters",
                                  "/clusters?flag=altered", "/articles", "/outlets",
                                  "/quotes?q=power&group=statement", "CLUSTER", "ARTICLE",
                                  "SPEAKER"])
def test_every_new_page_is_accessible(page: Any, live: str, path: str) -> None:  # noqa: F811
    if path.isupper():
        hit = httpx.get(live + "/quotes.json?q=librarian", timeout=30).json()["items"][0]
        path = {"CLUSTER": f"/clusters/{hit['cluster']}", "ARTICLE": f"/articles/{hit['article_row']}",
                "SPEAKER": f"/speakers/{hit['speaker_id']}"}[path]
    page.goto(live + path)
    assert page.evaluate(A11Y) == [], path
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(3):
        page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), path  # focus is always visible
    _no_errors(page)
