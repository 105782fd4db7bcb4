"""Import of pages as news sites really make them: the article's text chosen from the page's furniture
(with trafilatura's reading), real articles that say ``og:type=website`` or are short, titles,
dates and front matter as the page holds them (bench/import_quality.py measures this on real pages)."""

from __future__ import annotations

import sys

import pytest

from microsite.content.article import parse_article
from microsite.errors import ContentError
from microsite.importing import import_article
from microsite.importing.saved_page import read_saved_page
from tests.conftest import make_photo

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the night bus network to the airport from March, "
    "after two years of requests from shift workers and the airport's own staff.",
    "The new line will run every twenty minutes between midnight and five in the morning, the council "
    "said, and will cost about 1.2 million a year, paid from the parking levy.",
    "Opponents argued the money would be better spent on the existing daytime lines, which have lost "
    "a fifth of their passengers since the bridge closed for repairs last autumn.",
    "The transport office expects around 900 passengers a night once the line is known, a figure it "
    "based on the night shuttle the airport ran on its own during the summer.",
]
MENU = "".join(f"<li><a href='/section/{n}'>Section {n}</a></li>" for n in range(31))
DEALS = "".join(
    f"<li><a href='/deals/{n}'>Deal of the day number {n}: half price headphones</a></li>" for n in range(8)
)
COMMENTS = "".join(
    f"<div class='comment'><p>Reader {n} wrote: I have been saying for years that this city needs better "
    f"night buses, and nobody listened until now.</p></div>"
    for n in range(5)
)


def page(
    body: str, head: str = "", title: str = "Night buses to reach the airport | The Daily Example", url: str = ""
) -> str:
    base = f"<link rel='canonical' href='{url}'>" if url else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title>{base}{head}</head><body>"
        f"<header class='site-header'><a href='/'>The Daily Example</a><nav><ul>{MENU}</ul></nav></header>"
        f"{body}"
        "<footer class='site-footer'><p>© The Daily Example. All rights reserved. Imprint. Privacy.</p></footer>"
        "</body></html>"
    )


def article_body(paragraphs: list[str] = PARAGRAPHS, extra: str = "") -> str:
    return (
        "<div class='layout'><div class='main'><h1>Night buses to reach the airport</h1>"
        + "".join(f"<p>{text}</p>" for text in paragraphs)
        + extra
        + "</div>"
        + f"<div class='rail'><h3>Deals</h3><ul>{DEALS}</ul></div></div>"
    )


def read(tmp_path, html: str, name: str = "story.html"):
    saved = tmp_path / name
    saved.write_text(html, encoding="utf-8")
    return read_saved_page(saved)


def body_text(article) -> str:
    return "\n".join(block for block in article.blocks if isinstance(block, str))


def test_the_articles_text_is_kept_and_the_pages_furniture_left_out(tmp_path) -> None:
    """No container marked, the article's paragraphs in two boxes, the readers' comments in one: the
    article, not the comments (which the densest block of paragraphs was), the menu of 31 links,
    the deals box or the footer."""
    halves = "".join(f"<div class='part'><p>{a}</p><p>{b}</p></div>" for a, b in (PARAGRAPHS[:2], PARAGRAPHS[2:]))
    comments = "".join(
        f"<p>Reader {n} wrote: {PARAGRAPHS[n % 4][:60]}… and nobody listened until now.</p>" for n in range(8)
    )
    body = (
        article_body(paragraphs=[]).replace("</h1>", "</h1>" + halves) + f"<section id='comments'>{comments}</section>"
    )
    article = read(tmp_path, page(body))
    text = body_text(article)
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    for furniture in ("Section 7", "Deal of the day", "Reader 3 wrote", "All rights reserved"):
        assert furniture not in text
    assert article.title == "Night buses to reach the airport"


def test_a_page_that_says_website_but_holds_an_article_is_imported(tmp_path) -> None:
    """Public broadcasters and ministries mark their articles ``og:type=website``: the text decides."""
    head = "<meta property='og:type' content='website'>"
    article = read(tmp_path, page(article_body(), head=head))
    assert PARAGRAPHS[2] in body_text(article)


def test_a_home_page_that_says_website_is_still_refused(tmp_path) -> None:
    teasers = "".join(f"<article><h2><a href='/s/{n}'>Story {n}</a></h2><p>Teaser {n}.</p></article>" for n in range(4))
    head = "<meta property='og:type' content='website'>"
    with pytest.raises(ContentError, match=r"(not an article page|does not look like an article)"):
        read(tmp_path, page(f"<main>{teasers}</main>", head=head, title="The Daily Example"))


BREAKING = (
    "Police have closed the northern ring road after a lorry overturned near exit 12.",
    "Drivers are asked to avoid the area; the police expect the road to stay closed until the evening.",
    "Diversions are signposted through the industrial estate.",
)


@pytest.mark.parametrize("sentences", [1, 3])
def test_a_short_breaking_news_item_is_an_article(tmp_path, sentences) -> None:
    """One sentence under a NewsArticle's JSON-LD, or three (about 230 characters) under no
    structured data at all: imported, not refused as "only N characters"."""
    item = " ".join(BREAKING[:sentences])
    head = "" if sentences == 3 else '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    html = page(f"<div><h1>Ring road closed</h1><p>{item}</p></div>", head=head, title="Ring road closed")
    assert item in body_text(read(tmp_path, html))


def test_a_page_of_furniture_only_is_refused(tmp_path) -> None:
    """A recipe index with no text of its own is refused, never imported with an empty body."""
    html = page(
        "<div class='grid'>"
        + "".join(f"<a href='/r/{n}'><img src='r{n}.jpg' alt=''></a>" for n in range(12))
        + "</div>"
    )
    with pytest.raises(ContentError, match="does not look like an article"):
        read(tmp_path, html)


def test_the_title_is_the_headline_without_the_sites_name_or_entities(tmp_path) -> None:
    head = (
        "<meta property='og:title' content='Night buses &amp;#8220;at last&amp;#8221; | The Daily Example'>"
        "<meta property='og:description' content='Night buses &amp;amp; the airport&amp;nbsp;line'>"
        "<meta property='article:tag' content='Transport &amp;amp; city'>"
    )
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "<h1>Night buses “at last”</h1>")
    article = read(tmp_path, page(body, head=head, title="Night buses &#8220;at last&#8221; - The Daily Example"))
    assert article.title == "Night buses “at last”"
    assert article.tags == ["Transport & city"]
    assert "&" not in article.summary.replace("& the", "") and "nbsp" not in article.summary


def test_a_kicker_or_the_sites_name_around_the_headline_is_left_out(tmp_path) -> None:
    """The <h1> the page shows wins over an og:title that adds a kicker or the site's name to it."""
    head = "<meta property='og:title' content='Transport: Night buses to reach the airport - The Daily Example'>"
    assert read(tmp_path, page(article_body(), head=head)).title == "Night buses to reach the airport"


@pytest.mark.parametrize(
    "heading",
    [
        # a kicker by its class, a separator read aloud only, then the headline (news sites)
        "<span class='article-heading__kicker'>Transport</span><span class='visually-hidden'>: </span>"
        "<span class='article-heading__title'>Night buses to reach the airport</span>",
        # a kicker element, then the headline as the <h1>'s own text
        "<span class='dachzeile'>Transport</span> Night buses to reach the airport",
        "<div class='topic-label'>Transport</div> Night buses to reach the airport",
        # a separator of its own, inside the kicker's element (its class says nothing)
        "<span class='css-x1'>Transport <span class='css-y2'>:</span></span>Night buses to reach the airport",
        # a forum's label before the thread's title
        "<a href='/t/1'><span class='label label--blue'>Notes</span><span class='label-append'> </span>"
        "Night buses to reach the airport</a>",
        # the site's name after the headline in the <h1> itself
        "Night buses to reach the airport | The Daily Example",
    ],
)
def test_a_kicker_marked_up_in_the_h1_or_the_sites_name_in_it_is_left_out(tmp_path, heading) -> None:
    head = (
        "<meta property='og:title' content='Transport: Night buses to reach the airport'>"
        "<meta property='og:site_name' content='The Daily Example'>"
    )
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", f"<h1>{heading}</h1>")
    assert read(tmp_path, page(body, head=head)).title == "Night buses to reach the airport"


def test_an_h1_that_is_one_word_after_its_kicker_or_a_colon_in_a_headline_stays_whole(tmp_path) -> None:
    """What a kicker's markup leaves must still be a headline (two words or more); a colon written
    in the headline's own text is not a kicker's separator."""
    one = "<span class='kicker'>Night buses to reach the airport</span> Today"
    head = "<meta property='og:title' content='Night buses to reach the airport Today'>"
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", f"<h1>{one}</h1>")
    assert read(tmp_path, page(body, head=head)).title == "Night buses to reach the airport Today"
    colon = "Transport: Night buses to reach the airport"
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", f"<h1>{colon}</h1>")
    assert read(tmp_path, page(body, head=f"<meta property='og:title' content='{colon}'>")).title == colon


def test_a_japanese_headline_with_readings_over_its_words_is_read_without_them(tmp_path) -> None:
    heading = "<ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を"
    heading += "<ruby>禁止<rt>きんし</rt></ruby>する"
    head = "<meta property='og:title' content='NEWS WEB EASY|子どもへの体罰を禁止する'>"
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", f"<h1>{heading}</h1>")
    assert read(tmp_path, page(body, head=head)).title == "子どもへの体罰を禁止する"


@pytest.mark.parametrize(
    ("h1", "title"),
    [
        ("Night buses to reach the airport: at last!", "Night buses to reach the airport: at last!"),  # goes on
        ("Night buses to reach the airport | Other Example", "Night buses to reach the airport"),  # a site's name
        ("Night buses to reach the airport 02.02.2022 • Desk, City", "Night buses to reach the airport"),  # a date
    ],
)
def test_an_h1_that_goes_on_after_the_structured_title_is_the_headline_unless_a_name_or_date_follows(
    tmp_path, h1, title
) -> None:
    head = "<meta property='og:title' content='Night buses to reach the airport'>"
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", f"<h1>{h1}</h1>")
    assert read(tmp_path, page(body, head=head)).title == title


def test_without_an_h1_the_heading_that_is_part_of_the_title_is_the_headline(tmp_path) -> None:
    """A blog whose <h1> is missing: the <h2> that <title> names is the headline; an <h2> naming the
    site (also part of <title>) is not."""
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "<h2>Night buses reach the airport</h2>")
    head = "<meta property='og:site_name' content='The Daily Example'>"
    html = page(
        "<h2>The Daily Example</h2>" + body, head=head, title="The Daily Example - Night buses reach the airport"
    )
    assert read(tmp_path, html).title == "Night buses reach the airport"


@pytest.mark.parametrize(
    ("banners", "head", "title", "guess"),
    [  # several <h1>s the titles do not say, the first a box's ("Quicklinks", a wiki's "Page")
        ("<h1>Quicklinks</h1><h1>Our partners</h1>", "", "Night buses | City transport news",
         "Night buses - City transport news"),
        # the page's <title> with its headline left empty, only the site's name
        ("", "", "The Daily Example -", "The Daily Example"),
        # og:title and <title> the site's name, as og:site_name says it
        ("", "<meta property='og:site_name' content='The Daily Example'>"
         "<meta property='og:title' content='The Daily Example'>", "The Daily Example", "The Daily Example"),
    ],
)  # fmt: skip
def test_a_guessed_headline_gives_way_to_the_heading_the_article_opens_with(
    tmp_path, banners, head, title, guess
) -> None:
    """When the page says no headline, the heading the article's text opens with is the headline,
    not the first of several <h1>s of its furniture, nor its <title> when that is only the site's
    name; a menu's heading ("Menu": one word) never is, and one the titles share no word with stays
    out when the guess is not the site's name (``guess``: what the page's <title> gives, with no
    <h1>)."""
    body = article_body().replace("<h1>Night", "<h2>Night").replace("airport</h1>", "airport</h2>")
    html = page("<div class='top'>" + banners + "</div>" + body, head=head, title=title)
    assert read(tmp_path, html).title == "Night buses to reach the airport"
    menu = page("<h2>Menu</h2>" + body.replace("<h2>Night", "<p>Night").replace("airport</h2>", "airport</p>"),
                head=head, title=title)  # fmt: skip
    assert read(tmp_path, menu, name="menu.html").title == guess
    if banners:  # (the <h2> shares no word with the titles: the guess stays)
        unsaid = page("<div class='top'>" + banners + "</div>" + body, head=head, title="Weekly column | Example")
        assert read(tmp_path, unsaid, name="unsaid.html").title == "Quicklinks"


def test_the_sites_name_between_the_headline_and_a_tagline_is_left_out(tmp_path) -> None:
    """ "Headline | Site | Tagline", in <title> or og:title: the headline alone, not "Headline - Site"."""
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    said = "Night buses reach the airport | The Daily Example | Read it first"
    site = "<meta property='og:site_name' content='The Daily Example'>"
    assert read(tmp_path, page(body, head=site, title=said)).title == "Night buses reach the airport"
    og = site + f"<meta property='og:title' content='{said}'>"
    assert read(tmp_path, page(body, head=og), name="og.html").title == "Night buses reach the airport"


def test_a_heading_that_is_part_of_the_guessed_title_does_not_replace_it(tmp_path) -> None:
    """A <title> (the last resort) whose first part, the site's name, stands in a heading before the
    article: the title stays whole, not cut to that part."""
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    html = page("<h2>Word Daily</h2>" + body, title="Word Daily --nightbus")
    assert read(tmp_path, html).title == "Word Daily --nightbus"


def test_a_lone_h1_worded_like_the_structured_title_is_the_headline_the_reader_sees(tmp_path) -> None:
    """og:title worded for search engines; the page's own <h1> is the headline. An <h1> that is only
    a kicker before og:title's words leaves og:title the headline."""
    head = "<meta property='og:title' content='Night buses to reach airport: council votes'>"
    body = article_body().replace("Night buses to reach the airport", "Night buses to reach the airport from March")
    assert read(tmp_path, page(body, head=head)).title == "Night buses to reach the airport from March"
    kicker = article_body().replace(
        "Night buses to reach the airport", "Transport Night buses to reach airport: council votes"
    )
    assert read(tmp_path, page(kicker, head=head)).title == "Night buses to reach airport: council votes"


@pytest.mark.parametrize(
    "banner",
    [
        "<h1><a href='/'>The Daily Example</a></h1>",  # the site's name, a link to its home
        "<a href='https://daily.example.com/'><h1>The Daily Example</h1></a>",
        "<h1><a href='https://web.archive.org/web/2016/http://daily.example.com/'>The Daily Example</a></h1>",
        "<div id='masthead'><h1>The Daily Example</h1></div>",  # marked as the site's title or logo
        "<h1 class='site-title'>The Daily Example</h1>",
        "<h1 class='logo'>The Daily Example</h1>",
    ],
)
def test_the_sites_name_in_an_h1_is_not_the_headline(tmp_path, banner) -> None:
    """A blog's theme sets its name in an <h1> above every page; the article's own <h1> (or, with
    none, og:title) is the headline."""
    head = "<meta property='og:title' content='Night buses to reach airport: council votes'>"
    body = article_body().replace("Night buses to reach the airport", "Night buses to reach the airport from March")
    assert read(tmp_path, page(banner + body, head=head)).title == "Night buses to reach the airport from March"
    alone = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    title = read(tmp_path, page(banner + alone, head=head), name="alone.html").title
    assert title == "Night buses to reach airport: council votes"


def test_an_h1_with_a_link_that_stays_on_the_page_is_the_headline(tmp_path) -> None:
    """``<a id='top'>``, ``href='#top'`` or a page of the site (``index.php?id=12``) in the <h1> is no
    link to the site's home."""
    head = "<meta property='og:title' content='Night buses reach the airport at last'>"
    links = ("<a id='top'></a>", "<a href='#top'>", "<a href=''>", "<a href='#/'>", "<a href='index.php?id=12'>")
    for n, link in enumerate(links):
        close = "</a>" if "href" in link else ""
        body = article_body().replace("<h1>Night", f"<h1>{link}Night").replace("airport</h1>", f"airport{close}</h1>")
        assert read(tmp_path, page(body, head=head), name=f"{n}.html").title == "Night buses to reach the airport"


def test_a_lone_h1_is_the_headline_though_og_title_words_it_otherwise(tmp_path) -> None:
    """The page's one <h1> is the headline the reader sees, even when og:title (written for search
    engines and sharing) shares few of its words: inside the page's <article> or <main>, or outside
    them when it is worded as a headline. Outside them, one or two words are a section's name
    ("Transport") and og:title is kept. An <h1> that is og:title with words around it (a kicker)
    still leaves og:title."""
    head = "<meta property='og:title' content='Council approves airport service'>"
    inside = (
        article_body()
        .replace("<div class='main'>", "<main class='main'>")
        .replace("</div><div class='rail'>", "</main><div class='rail'>")
    )
    named = "Council approves airport service | The Daily Example"
    assert read(tmp_path, page(inside, head=head, title=named)).title == "Night buses to reach the airport"
    outside = read(tmp_path, page(article_body(), head=head, title=named), name="outside.html")
    assert outside.title == "Night buses to reach the airport"
    section = article_body().replace("<h1>Night buses to reach the airport</h1>", "<h1>City transport</h1>")
    assert read(tmp_path, page(section, head=head, title=named), name="section.html").title == (
        "Council approves airport service"
    )
    boxed = inside.replace("<h1>Night buses to reach the airport</h1>", "<h1>City transport</h1>")
    assert read(tmp_path, page(boxed, head=head, title=named), name="boxed.html").title == "City transport"
    twice = inside.replace("<h1>", "<h1 class='mobile-only'>Night buses to reach the airport</h1><h1>", 1)
    assert (
        read(tmp_path, page(twice, head=head, title=named), name="twice.html").title
        == "Night buses to reach the airport"
    )
    kicker = inside.replace("Night buses to reach the airport", "Transport Council approves airport service")
    assert (
        read(tmp_path, page(kicker, head=head, title=named), name="kicker.html").title
        == "Council approves airport service"
    )


def test_the_date_comes_from_the_address_or_the_visible_text_when_no_data_says_it(tmp_path) -> None:
    url = "https://daily.example.com/2006/12/04/night-buses-airport/"
    assert str(read(tmp_path, page(article_body(), url=url)).date) == "2006-12-04"
    shown = article_body(extra="<p class='dateline'>Published 10:02 AM EST Nov 19, 2019</p>")
    assert str(read(tmp_path, page(shown), name="shown.html").date)[:10] == "2019-11-19"


def test_a_placeholder_date_in_structured_data_is_not_the_articles(tmp_path) -> None:
    """``0001-01-01`` (a CMS's empty date) is no date: the address's date is taken instead."""
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"}</script>'
    url = "https://daily.example.com/2021/05/17/night-buses-airport/"
    assert str(read(tmp_path, page(article_body(), head=ld, url=url)).date) == "2021-05-17"


def test_the_day_in_the_address_beats_a_time_in_the_margins(tmp_path) -> None:
    """A blog's sidebar lists older posts with their <time>s: the page's own address says its day."""
    sidebar = "<aside class='recent'><time datetime='2009-04-11 18:06:36'>11 April 2009</time></aside>"
    url = "https://blog.example.com/2019/10/22/night-buses-airport/"
    assert str(read(tmp_path, page(article_body(extra=sidebar), url=url)).date) == "2019-10-22"
    assert str(read(tmp_path, page(article_body(extra=sidebar)), name="bare.html").date) == "2009-04-11"
    odd = "https://blog.example.com/2019/2/30/night-buses-airport/"  # no such day: not a date
    assert str(read(tmp_path, page(article_body(extra=sidebar), url=odd), name="odd.html").date) == "2009-04-11"


def test_the_open_graph_date_comes_before_json_ld_unless_it_cannot_be_read(tmp_path) -> None:
    """A page republished keeps its first date in JSON-LD and shows the new one in Open Graph."""
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-12-06T14:36:00"}</script>'
    og = "<meta property='article:published_time' content='{}'>"
    both = ld + og.format("2022-12-15T09:13:00")
    assert str(read(tmp_path, page(article_body(), head=both)).date) == "2022-12-15 09:13:00"
    unreadable = ld + og.format("Tue Jan 28 15:28:56 CET 2020")
    assert str(read(tmp_path, page(article_body(), head=unreadable), name="odd.html").date) == "2021-12-06 14:36:00"


def test_a_date_in_the_data_that_cannot_be_read_is_not_replaced_by_a_teasers_time() -> None:
    """faz.net's data says "Tue Jan 28 15:28:56 CET 2020"; its first <time> is a teaser's. The page
    has a date of its own, which htmldate finds: the teaser's is not taken instead."""
    from bs4 import BeautifulSoup

    from microsite.importing.saved_page import _page_day

    soup = BeautifulSoup("<div class='more'><time datetime='2020-02-29T11:51:58Z'>29.02.</time></div>", "html.parser")
    assert str(_page_day("Tue Jan 28 15:28:56 CET 2020", "", soup, lambda: "2020-01-28")) == "2020-01-28"
    assert str(_page_day("", "", soup, lambda: "2020-01-28"))[:10] == "2020-02-29"  # no date of its own: the one shown
    assert str(_page_day("2020-01-27", "https://x.example/2020/01/26/a/", soup, lambda: "2020-01-28")) == "2020-01-27"


def test_repeated_paragraphs_and_a_lead_repeated_as_the_first_paragraph_appear_once(tmp_path) -> None:
    lead = "<p class='lead'>" + PARAGRAPHS[0] + "</p>"
    body = article_body(paragraphs=[PARAGRAPHS[0], *PARAGRAPHS[1:], PARAGRAPHS[1]]).replace(
        "<div class='main'>", "<div class='main'>" + lead
    )
    article = read(tmp_path, page(body))
    text = body_text(article) + "\n" + article.summary
    assert text.count(PARAGRAPHS[0]) == 1 and text.count(PARAGRAPHS[1]) == 1


def test_the_headline_opening_the_body_again_is_left_to_the_title(tmp_path) -> None:
    """A page that shows its headline again at the top of the article's text ("<h2>Headline</h2>",
    as blogs and sports sites do): the article's page shows its title above the body already."""
    body = article_body().replace("<p>", "<h2>Night buses to reach the airport</h2><p>", 1)
    article = read(tmp_path, page(body))
    assert article.title == "Night buses to reach the airport"
    assert not str(article.blocks[0]).lstrip("# ").startswith("Night buses to reach the airport")
    assert PARAGRAPHS[0] in body_text(article)


def test_a_lead_that_is_the_bodys_opening_cut_short_is_left_out(tmp_path) -> None:
    """A description made from the first paragraph, cut without an ellipsis: the body holds it
    whole, so it is no lead (said in what was left out). One that only repeats the first
    paragraph, emphasis split differently, leaves the paragraph instead."""
    cut = PARAGRAPHS[0][:90]
    data = '{"@context": "https://schema.org", "@type": "NewsArticle", "description": "%s"}'
    article = read(tmp_path, page(article_body(), head=f"<script type='application/ld+json'>{data % cut}</script>"))
    assert article.summary == "" and PARAGRAPHS[0] in body_text(article)
    assert any("opening cut short" in note for note in article.left_out)
    before, after = PARAGRAPHS[0].split(",", 1)  # ("… from March", " after two years …")
    split = f"<p><em>{before}</em>,<em>{after}</em></p>"  # (read as "*… March*,* after …*")
    lead = "<p class='lead'>" + PARAGRAPHS[0] + "</p>"
    body = article_body(paragraphs=PARAGRAPHS[1:]).replace("<div class='main'>", "<div class='main'>" + lead + split)
    repeated = read(tmp_path, page(body), name="repeated.html")
    assert repeated.summary == PARAGRAPHS[0]
    assert before not in body_text(repeated)


def test_a_heading_the_body_ends_with_is_left_out() -> None:
    """A box's title left at the end once its box is out ("Lesen Sie auch:", a section's link, as
    real pages keep them where trafilatura's reading holds them too): nothing is under it. A heading
    with text under it stays. (Made here as the body's blocks: the synthetic pages above lose such
    headings to the reading already.)"""
    from microsite.importing.model import Imported
    from microsite.importing.saved_page import _drop_repeats

    blocks = [PARAGRAPHS[0], "## What the council said", PARAGRAPHS[3], "### Lesen Sie auch:", "### [Tech](/tech/)"]
    article = Imported(title="Night buses to reach the airport", blocks=list(blocks))
    _drop_repeats(article, article.title)
    assert article.blocks == blocks[:3]
    assert [note for note in article.left_out if "nothing under it" in note] == [
        "a heading with nothing under it, at the end: “Tech”",
        "a heading with nothing under it, at the end: “Lesen Sie auch:”",
    ]


def test_an_authors_box_after_the_article_is_not_its_lead(tmp_path) -> None:
    """A box classed "description" under the article (the author's biography) is no lead."""
    bio = "<p class='description'>Jane Roe covers transport and has written for the paper since 2009.</p>"
    bio = f"<div class='author-box'>{bio}</div>"
    article = read(tmp_path, page(article_body(extra=bio)))
    assert "Jane Roe" not in article.summary


def test_the_leads_share_buttons_are_not_its_lead(tmp_path) -> None:
    """A share box inside the lead's own markup ("article-lead-share", "intro--socialSharing") says
    "SHARE", "teilen": no lead, and not the summary."""
    for number, box in enumerate(
        ["<div class='article-lead-share'>SHARE</div>", "<span class='m-intro--socialSharingDescription'>teilen</span>"]
    ):
        article = read(tmp_path, page(article_body(extra=box)), name=f"share{number}.html")
        assert article.summary == "", box
        assert PARAGRAPHS[0] in body_text(article)


def test_a_description_cut_short_as_wordpress_cuts_it_is_not_the_lead(tmp_path) -> None:
    """WordPress's excerpt ("… told KXAN it’s a […]") is the start of the body cut short: no lead,
    said in what was left out; a whole description still is the lead."""
    data = '{"@context": "https://schema.org", "@type": "NewsArticle", "description": "%s"}'
    for number, end in enumerate((" […]", " (...)")):
        cut = PARAGRAPHS[0] + " " + PARAGRAPHS[1][:60] + end
        head = f"<script type='application/ld+json'>{data % cut}</script>"
        article = read(tmp_path, page(article_body(), head=head), name=f"cut{number}.html")
        assert article.summary == "", end
        assert any("cut short" in note for note in article.left_out)
    whole = "The council extends the night buses to the airport from March."
    kept = read(
        tmp_path,
        page(article_body(), head=f"<script type='application/ld+json'>{data % whole}</script>"),
        name="whole.html",
    )
    assert kept.summary == whole


def test_the_photos_and_captions_of_the_article_are_kept(site, tmp_path) -> None:
    """What the anchors drop and the newsroom needs: the article's figures, their captions and
    credits, the photos from the page's own _files folder; not the photos of the deals box."""
    figure = (
        "<figure><img src='story_files/bus.jpg' alt='A night bus'>"
        "<figcaption>The first night bus at the terminal. Photo: Ann Lee</figcaption></figure>"
    )
    body = article_body(paragraphs=[PARAGRAPHS[0], PARAGRAPHS[1]], extra=figure + f"<p>{PARAGRAPHS[2]}</p>")
    body = body.replace("<h3>Deals</h3>", "<h3>Deals</h3><img src='story_files/ad.jpg' alt='Headphones'>")
    make_photo(tmp_path / "story_files" / "bus.jpg", color="navy")
    make_photo(tmp_path / "story_files" / "ad.jpg", color="red")
    saved = tmp_path / "story.html"
    saved.write_text(page(body), encoding="utf-8")
    result = import_article(site.root / "content", saved)
    assert [photo.origin for photo in result.photos] == ["story_files/bus.jpg"]
    assert result.photos[0].caption == "The first night bus at the terminal. Photo: Ann Lee"
    article = parse_article(result.path)
    assert PARAGRAPHS[2] in result.path.read_text(encoding="utf-8") and article.title.source


def test_without_trafilatura_the_import_still_reads_the_page(tmp_path, monkeypatch) -> None:
    """trafilatura only advises: where it is not installed, the page is read by our own rules."""
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import trafilatura raises ImportError
    monkeypatch.setitem(sys.modules, "htmldate", None)
    article = read(
        tmp_path, page("<article><h1>Night buses</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>")
    )
    assert PARAGRAPHS[3] in body_text(article)


def test_pointers_to_other_stories_and_notices_are_not_the_article(tmp_path) -> None:
    """ "Read also" lines in the languages newsrooms write, copyright and newsletter notices: left
    out whichever reader found them; a paragraph of the article that quotes a notice stays."""
    lines = [
        "Lea también: Impiden ingreso a Nicaragua a reporteros",
        "LE PUEDE INTERESAR: La ficha del expresidente",
        "Lesen Sie auch: Die Bahn erhöht die Preise",
        "Xem thêm: Giá vàng nhẫn lập đỉnh",
        "This article is the copyrighted property of The Daily Example.",
        "© 2024 The Daily Example. All rights reserved.",
        "Never miss the latest news by signing up to our newsletter today!",
    ]
    rights = (  # a paragraph of the article that quotes a notice is no notice (a notice is a short line)
        "The court said the operator could not print 'all rights reserved' on the timetables it had copied from the "
        "city, and that drivers keep the right to a refund for the months the night line did not run, a ruling the "
        "operator said it would appeal before the line opens in March, when the first of the new buses arrive from the "
        "factory."
    )
    article = read(tmp_path, page(article_body(extra="".join(f"<p>{line}</p>" for line in [*lines, rights]))))
    text = body_text(article)
    assert PARAGRAPHS[3] in text
    for line in lines:
        assert line.split(":")[0] not in text
    assert "keep the right to a refund" in text


def test_a_page_this_site_made_is_read_as_it_was_written(tmp_path) -> None:
    """Our own pages (re-imported from an archive) keep every block, repeats too: the writer's."""
    head = "<meta name='generator' content='microsite'>"
    body = "<article><h1>Night buses</h1><div class='story-body'>" + f"<p>{PARAGRAPHS[0]}</p>" * 2 + "</div></article>"
    assert body_text(read(tmp_path, page(body, head=head))).count(PARAGRAPHS[0]) == 2


def test_a_page_whose_text_looks_like_an_address_is_never_downloaded(tmp_path, monkeypatch) -> None:
    """htmldate downloads a text that starts with "http" and holds no space: import must never
    download anything, whatever the saved file holds."""
    import htmldate.utils

    from microsite.importing import guide

    fetched = []
    monkeypatch.setattr(htmldate.utils, "fetch_url", lambda url, *args, **kwargs: fetched.append(url))
    guide.page_date("https://daily.example.invalid/2024/01/15/<h1>Ring</h1><p>Closed.</p>", "")
    assert fetched == []


def test_og_title_is_whole_when_the_pages_title_adds_the_sites_name_to_it(tmp_path) -> None:
    """og:title "Headline – a second clause" with <title> "… | Site": the clause is the headline's,
    not a site's name (one is only taken off og:title when <title> does not show what it is)."""
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    whole = "Night buses to reach the airport – at last"
    head = f"<meta property='og:title' content='{whole}'>"
    assert read(tmp_path, page(body, head=head, title=f"{whole} | The Daily Example")).title == whole
    alone = read(tmp_path, page(body, head=head, title=whole), name="alone.html")
    assert alone.title == "Night buses to reach the airport"  # (nothing says what the shorter part is)


def test_a_sites_address_before_the_headline_is_not_part_of_it(tmp_path) -> None:
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    title = "daily-example.com // » Night buses: the council votes"
    assert read(tmp_path, page(body, title=title)).title == "Night buses: the council votes"
    head = "<meta property='og:title' content='Daily-Example.com - Night buses: the council votes'>"
    assert read(tmp_path, page(body, head=head), name="og.html").title == "Night buses: the council votes"


def test_a_separator_left_at_the_end_of_the_pages_title_is_not_part_of_the_headline(tmp_path) -> None:
    """A template that puts the site's name after a separator, with the name left empty
    ("Headline |", "Site -" as some real pages have it), leaves no dangling separator behind."""
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    assert read(tmp_path, page(body, title="Night buses to reach the airport |")).title == (
        "Night buses to reach the airport"
    )
    dashed = read(tmp_path, page(body, title="Night buses: the council votes -"), name="dashed.html")
    assert dashed.title == "Night buses: the council votes"
    kept = read(tmp_path, page(body, title="Night buses - to the airport"), name="kept.html")
    assert kept.title == "Night buses - to the airport"  # (a separator inside is not dangling)


def test_the_sites_name_run_into_the_headline_before_the_separator_is_left_out(tmp_path) -> None:
    """A theme that writes the site's tagline right after the headline, then again after the
    separator ("Truckwash A31Das etwas andere Branchenbuch | Das etwas andere Branchenbuch", a
    real page): the headline is what comes before the first tagline."""
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    glued = "Night buses to reach the airportThe Daily Example | The Daily Example"
    assert read(tmp_path, page(body, title=glued)).title == "Night buses to reach the airport"
    own = read(tmp_path, page(body, title="Ten years of the Daily Example | Daily Example"), name="own.html")
    assert own.title == "Ten years of the Daily Example"  # (a headline that ends in the site's name)


def test_a_box_drawing_bar_sets_the_sites_name_apart_as_a_bar_does(tmp_path) -> None:
    """A title "Headline │ Site" (U+2502, as nestle-marktplatz.de writes it): the site's name is left out."""
    body = article_body().replace("<h1>Night buses to reach the airport</h1>", "")
    head = "<meta property='og:title' content='Night buses to reach the airport \u2502 The Daily Example'>"
    assert read(tmp_path, page(body, head=head)).title == "Night buses to reach the airport"


def test_the_lone_h1_goes_before_a_heading_that_is_only_part_of_the_title(tmp_path) -> None:
    """<h2>s elsewhere on the page (a teaser of the same story, a product's section) name a part of
    <title> or the structured headline cut short; the page's one <h1> that says more is the
    headline. An <h2> that is the whole structured headline still wins over an <h1> that shares
    few of its words (a section's label)."""
    teaser = "<div class='related'><h2>Night buses to reach the airport</h2><p>Related story</p></div>"
    longer = article_body().replace(
        "<h1>Night buses to reach the airport</h1>", "<h1>Night buses to reach the airport from March</h1>"
    )
    head = "<meta property='og:title' content='Night buses to reach the airport'>"
    html = page(longer + teaser, head=head)
    assert read(tmp_path, html).title == "Night buses to reach the airport from March"
    parts = page(longer + teaser, title="Council news • Night buses to reach the airport • Transport")
    assert read(tmp_path, parts, name="parts.html").title == "Night buses to reach the airport from March"
    labelled = article_body().replace(
        "<h1>Night buses to reach the airport</h1>", "<h1>Transport | Entry</h1><h2>Night buses at last</h2>"
    )
    head = "<meta property='og:title' content='Night buses at last'>"
    assert read(tmp_path, page(labelled, head=head), name="labelled.html").title == "Night buses at last"


def test_a_description_escaped_twice_in_json_ld_is_read_as_text(tmp_path) -> None:
    """JSON-LD's values escaped by the CMS and again for the page ("enth&amp;amp;uuml;llen" read as
    "enth&amp;uuml;llen"): the summary holds the letters, no entity."""
    data = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Night buses to reach the airport",'
        ' "description": "Night buses enth&amp;uuml;llen &amp;#8220;at last&amp;#8221; &amp;amp; more"}'
    )
    head = f"<script type='application/ld+json'>{data}</script>"
    article = read(tmp_path, page(article_body(), head=head))
    assert article.summary == "Night buses enthüllen “at last” & more"


def test_the_shown_tags_are_the_tags_box_not_the_post_share_bar_or_related_stories(tmp_path) -> None:
    """WordPress marks the post holding the whole article with its tags ("tag-night-buses"): that is
    no tags box, so its links (the share bar's, the related stories') are no tags. A share bar named
    "…-tag", a story's headline or a count in the tags box are not tags either."""
    share = "".join(f"<a href='/share/{name}'>{name}</a>" for name in ("Facebook", "Twitter", "WhatsApp", "Drucken"))
    related = "<a href='/story/2'>Bridge repairs to last until the end of next summer</a><a href='/c'>17</a>"
    body = (
        "<article class='post type-post hentry tag-night-buses tag-airport'>"
        + article_body()
        + f"<div class='share-tools--event-tag'>{share}</div>"
        + "<div class='post-tags'><a href='/tag/night-buses'>night buses</a> <a href='/tag/airport'>airport</a>"
        + f"{related}</div>"
        + "</article>"
    )
    assert read(tmp_path, page(body)).tags == ["night buses", "airport"]
    alone = body.replace("<div class='post-tags'>", "<div class='related'>")
    assert read(tmp_path, page(alone), name="alone.html").tags == []


def test_htmldate_is_asked_only_when_the_page_gives_no_date_of_its_own(tmp_path, monkeypatch) -> None:
    """htmldate's search was a fifth of an import's time; a page whose data, address or shown
    <time> dates it never runs it, and a page with none still gets htmldate's date."""
    from microsite.importing import saved_page

    asked: list[str] = []

    def page_date(html: str, url: str) -> str:
        asked.append(url)
        return "2019-11-19"

    monkeypatch.setattr(saved_page, "page_date", page_date)
    og = "<meta property='og:type' content='article'><meta property='article:published_time' content='{}'>"
    dated = read(tmp_path, page(article_body(), head=og.format("2022-12-15T09:13:00")), name="dated.html")
    assert str(dated.date)[:10] == "2022-12-15" and asked == []
    undated = read(tmp_path, page(article_body(), url="https://daily.example/news/buses"), name="undated.html")
    assert str(undated.date) == "2019-11-19" and asked == ["https://daily.example/news/buses"]


def test_the_first_block_to_hold_a_line_is_found_by_the_index_as_by_asking_each() -> None:
    """:class:`guide._Holders` answers as asking each block in turn did (the first to hold a line),
    for long lines, short ones, and lines no block holds."""
    from microsite.importing.guide import _Holders, runs, words

    blocks = [
        "The night bus leaves the central station at midnight every day.",
        "Tickets cost two euros and can be bought from the driver.",
        "The night bus leaves the central station at midnight every day, and again at two.",
        "Night bus",
    ]
    holders = _Holders(blocks)
    lines = [*blocks, "Tickets cost two euros.", "night bus", "A line about something else entirely, long enough."]
    found = []
    for line in lines:
        tokens = words(line)
        own = runs(tokens)
        expected = next((i for i, held in enumerate(holders.texts) if held.holds(tokens, own)), None)
        assert holders.first(tokens, own) == expected, line
        found.append(expected)
    assert found == [0, 1, 2, 0, 1, 0, None]  # (block 2 is not held by block 0: a fifth of it is new)
