import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.views.defaults import server_error

from events.models import Event, OrganisationAlias, Provenance
from events.search import search_index_update
from tests.factories import (
    CategoryFactory,
    EventFactory,
    MetricFactory,
    OrganisationFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "尚未审核的草稿事件标题"


def published(**kwargs):
    return EventFactory(published=True, **kwargs)


@pytest.fixture
def archive():
    """Published events, a draft and a merged event sharing their source, organisation and
    category, so that any leak of the unpublished ones shows on every page."""
    source = SourceFactory()
    category = CategoryFactory(slug="conference", name="会议活动")
    organisation = OrganisationFactory(name="中华全国总工会", slug="acftu", level="national")
    OrganisationAlias.objects.create(organisation=organisation, name="全总")
    kept = published(
        title="首届大国工匠创新交流大会在深圳举办",
        summary="大会展示总面积约1.8万平方米。",
        category=category,
        provenance=source,
    )
    kept.organisations.add(organisation)
    MetricFactory(source=source, event=kept)
    june = published(
        title="第十一届金砖国家工会论坛举行",
        date_start=datetime.date(2022, 6, 21),
        date_end=None,
        date_precision="xun",
        date_text="2022年6月下旬",
    )
    draft = EventFactory(title=DRAFT_TITLE, category=category, provenance=source)
    draft.organisations.add(organisation)
    Provenance.objects.create(
        event=draft, source=source, excerpt=source.text[40:60], start=40, end=60
    )
    merged = published(title="已并入其他事件的旧记录", category=category, provenance=source)
    merged.merged_into = kept
    merged.save()
    index_all()
    return {
        "source": source,
        "category": category,
        "organisation": organisation,
        "kept": kept,
        "june": june,
        "draft": draft,
        "merged": merged,
    }


def index_all():
    """Factories write events directly; the search index follows by an explicit call."""
    search_index_update(events=Event.objects.all())


def public_urls(archive):
    return [
        reverse("events:home"),
        reverse("events:event-list"),
        reverse("events:event-list") + "?year=2022",
        reverse("events:event-list") + "?year=2022&month=4",
        reverse("events:event-list") + "?q=工匠",
        reverse("events:event-timeline"),
        reverse("events:event-detail", args=[archive["kept"].pk]),
        reverse("events:organisation-detail", args=[archive["organisation"].slug]),
        reverse("events:source-detail", args=[archive["source"].pk]),
        reverse("events:event-feed"),
        reverse("sitemap"),
        reverse("robots-txt"),
        reverse("chronicles:chronicle-list"),
    ]


def test_every_public_page_answers_and_never_shows_a_draft_or_merged_event(client, archive):
    for url in public_urls(archive):
        response = client.get(url)
        content = response.content.decode()
        assert response.status_code == 200, url
        assert DRAFT_TITLE not in content, url
        assert "已并入其他事件的旧记录" not in content, url


def test_pages_load_nothing_from_other_sites(client, archive):
    loaded = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["']((?:https?:)?//[^/"']+)""", re.I)
    for url in public_urls(archive):
        content = client.get(url).content.decode()
        assert not re.search(r"https?://cdn", content), url
        assert set(loaded.findall(content)) <= {"http://testserver"}, url


def test_pages_have_no_inline_script_but_json(client, archive):
    for url in public_urls(archive)[:9]:
        content = client.get(url).content.decode()
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", content, re.S):
            assert "src=" in attributes or re.search(
                r'type="application/(ld\+)?json"', attributes
            ), (url, attributes)
            assert "src=" not in attributes or not body.strip()


def test_draft_and_merged_event_pages_are_not_found(client, archive):
    for event in (archive["draft"], archive["merged"]):
        response = client.get(reverse("events:event-detail", args=[event.pk]))
        assert response.status_code == 404


def test_home_counts_only_published_current_events(client, archive):
    response = client.get(reverse("events:home"))
    assert response.context["event_count"] == 2
    categories = {c.slug: c.published_count for c in response.context["categories"]}
    assert categories == {"conference": 1}
    assert [(row["key"], row["count"]) for row in response.context["years"]] == [(2022, 2)]
    assert 'type="search"' in response.content.decode()


def test_timeline_groups_events_by_year_and_month(client, archive):
    response = client.get(reverse("events:event-list"))
    content = response.content.decode()
    groups = response.context["groups"]
    assert [g["year"] for g in groups] == [2022]
    assert [m["label"] for m in groups[0]["months"]] == ["4月", "6月"]
    assert "2022年4月27日至29日" in content
    assert "2022年6月下旬" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2022&month=6", ["第十一届金砖国家工会论坛举行"]),
        ("organisation=acftu", ["首届大国工匠创新交流大会在深圳举办"]),
        ("organisation=全总", ["首届大国工匠创新交流大会在深圳举办"]),
        ("category=conference", ["首届大国工匠创新交流大会在深圳举办"]),
        ("q=金砖", ["第十一届金砖国家工会论坛举行"]),
        (
            "kind=happened&year=2022",
            ["首届大国工匠创新交流大会在深圳举办", "第十一届金砖国家工会论坛举行"],
        ),
    ],
)
def test_timeline_filters_come_from_the_url(client, archive, query, expected):
    response = client.get(f"{reverse('events:event-list')}?{query}")
    assert response.status_code == 200
    assert [e.title for e in response.context["events"]] == expected


def test_filter_by_source_keeps_the_filter_in_the_form(client, archive):
    source = archive["source"]
    response = client.get(reverse("events:event-list"), {"source": source.pk, "year": 2022})
    content = response.content.decode()
    assert [e.title for e in response.context["events"]] == ["首届大国工匠创新交流大会在深圳举办"]
    assert f'<option value="{source.pk}" selected>' in content
    assert '<option value="2022" selected>' in content


def test_status_in_the_url_never_shows_drafts(client, archive):
    response = client.get(reverse("events:event-list"), {"status": "draft"})
    assert DRAFT_TITLE not in response.content.decode()
    assert len(response.context["events"]) == 2


def test_empty_result_says_so_and_offers_to_clear_the_filters(client, archive):
    response = client.get(reverse("events:event-list"), {"q": "不存在的词语"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "No published event matches these filters." in content or "没有" in content
    assert f'href="{reverse("events:event-list")}"' in content


def test_bad_filter_values_answer_400_with_the_page(client, archive):
    bad = (
        {"month": "13", "year": "2022"},
        {"month": "4"},
        {"organisation": "无名"},
        {"q": "工" * 201},
    )
    for query in bad:
        response = client.get(reverse("events:event-list"), query)
        assert response.status_code == 400
        assert response.context["errors"]
        assert "<form" in response.content.decode()


def test_month_chart_counts_published_events_of_the_year(client, archive):
    response = client.get(reverse("events:event-list"), {"year": 2022})
    chart = {row["key"]: row["count"] for row in response.context["month_chart"]}
    assert chart[4] == 1
    assert chart[6] == 1
    assert sum(chart.values()) == 2
    assert '<table class="bars">' in response.content.decode()


def test_timeline_paginates_fifty_a_page_keeping_the_filters(client):
    for day in range(1, 56):
        published(title=f"事件{day:03d}", date_start=datetime.date(2021, 1, 1), date_end=None)
    first = client.get(reverse("events:event-list"), {"year": 2021})
    assert len(first.context["events"]) == 50
    assert "?year=2021&amp;page=2" in first.content.decode()
    second = client.get(reverse("events:event-list"), {"year": 2021, "page": 2})
    assert len(second.context["events"]) == 5
    assert client.get(reverse("events:event-list"), {"page": 9}).status_code == 404


def test_timeline_queries_do_not_grow_with_the_page(client, django_assert_max_num_queries):
    organisation = OrganisationFactory(slug="acftu")
    source = SourceFactory()

    def make(count):
        for _ in range(count):
            event = published(category=CategoryFactory(slug="c"), provenance=source)
            event.organisations.add(organisation)

    make(2)
    index_all()
    url = reverse("events:event-list") + "?year=2022&organisation=acftu&q=工匠"
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    make(48)
    index_all()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    for page in (reverse("events:home"), reverse("events:organisation-detail", args=["acftu"])):
        with django_assert_max_num_queries(10):
            client.get(page)


def test_zoomable_timeline_is_fed_by_the_api_with_the_filters(client, archive):
    response = client.get(reverse("events:event-timeline"), {"year": 2022, "month": 6, "q": ""})
    content = response.content.decode()
    config = response.context["timeline_config"]
    assert config["source"].startswith(reverse("api:timeline") + "?")
    assert "year=2022" in config["source"]
    assert "date_after=2022-06-01" in config["source"]
    assert "date_before=2022-06-30" in config["source"]
    assert 'id="timeline-config" type="application/json"' in content
    assert "vendor/timelinejs/js/timeline.js" in content
    api = client.get(config["source"])
    assert [s["text"]["headline"] for s in api.json()["events"]] == ["第十一届金砖国家工会论坛举行"]


def test_event_page_shows_date_metrics_organisations_and_provenance(client, archive):
    event = archive["kept"]
    response = client.get(reverse("events:event-detail", args=[event.pk]))
    content = response.content.decode()
    provenance = event.provenances.get()
    assert "2022年4月27日至29日" in content
    assert "大会展示总面积约1.8万平方米。" in content
    assert "1.8万平方米" in content
    assert "展示总面积" in content
    assert reverse("events:organisation-detail", args=["acftu"]) in content
    assert provenance.excerpt in content
    link = reverse("events:source-detail", args=[provenance.source_id]) + f"#p{provenance.pk}"
    assert f'href="{link}"' in content


def test_event_page_xun_date_in_chinese(client, archive):
    response = client.get(reverse("events:event-detail", args=[archive["june"].pk]))
    assert "2022年6月下旬" in response.content.decode()


def test_event_page_has_json_ld_of_a_schema_org_event(client, archive):
    event = archive["kept"]
    content = client.get(reverse("events:event-detail", args=[event.pk])).content.decode()
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["startDate"] == "2022-04-27"
    assert data["endDate"] == "2022-04-29"
    assert data["url"].endswith(reverse("events:event-detail", args=[event.pk]))
    assert data["organizer"] == [{"@type": "Organization", "name": "中华全国总工会"}]


def test_json_ld_cannot_close_its_script_element(client):
    event = published(title="</script><script>alert(1)</script>")
    content = client.get(reverse("events:event-detail", args=[event.pk])).content.decode()
    assert "</script><script>alert(1)" not in content
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert json.loads(raw)["name"] == event.title


def test_organisation_page_shows_names_level_and_published_events(client, archive):
    url = reverse("events:organisation-detail", args=["acftu"])
    response = client.get(url)
    content = response.content.decode()
    assert "中华全国总工会" in content
    assert "全总" in content
    assert response.context["organisation"].get_level_display() in content
    assert [e.title for e in response.context["events"]] == ["首届大国工匠创新交流大会在深圳举办"]


def test_organisation_without_published_events_is_not_found(client):
    OrganisationFactory(slug="only-in-drafts").events.add(EventFactory())
    url = reverse("events:organisation-detail", args=["only-in-drafts"])
    assert client.get(url).status_code == 404


def test_source_page_marks_only_published_spans_and_links_them(client, archive):
    source = archive["source"]
    kept = archive["kept"]
    response = client.get(reverse("events:source-detail", args=[source.pk]))
    content = response.content.decode()
    marked = re.findall(r'<mark><a href="([^"]+)"', content)
    assert set(marked) == {reverse("events:event-detail", args=[kept.pk])}
    assert f'id="p{kept.provenances.get().pk}"' in content
    draft_span = archive["draft"].provenances.get(start=40)
    assert f'id="p{draft_span.pk}"' not in content
    # The text is whole: marking never drops or repeats a character.
    assert re.sub(r"<[^>]+>", "", content.split('class="source-text">')[1].split("</div>")[0]) == (
        source.text
    )


def test_source_without_published_events_is_not_found(client):
    draft = EventFactory()
    source = draft.provenances.get().source
    assert client.get(reverse("events:source-detail", args=[source.pk])).status_code == 404


def test_atom_feed_is_valid_xml_of_published_events(client, archive):
    response = client.get(reverse("events:event-feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("atom:title", namespaces=ns) for e in root.findall("atom:entry", ns)]
    assert len(titles) == 2
    assert any("首届大国工匠创新交流大会在深圳举办" in t for t in titles)
    assert not any(DRAFT_TITLE in t for t in titles)


def test_sitemap_lists_published_events_only(client, archive):
    response = client.get(reverse("sitemap"))
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    events = [loc for loc in locations if re.search(r"/events/\d+/$", loc)]
    expected = {archive["kept"].pk, archive["june"].pk}
    assert {int(loc.rstrip("/").rsplit("/", 1)[1]) for loc in events} == expected
    assert any(
        loc.endswith(reverse("events:source-detail", args=[archive["source"].pk]))
        for loc in locations
    )
    assert any(loc.endswith("/organisations/acftu/") for loc in locations)


def test_robots_txt_names_the_sitemap(client):
    response = client.get(reverse("robots-txt"))
    assert response["Content-Type"].startswith("text/plain")
    content = response.content.decode()
    assert "User-agent: *" in content
    assert "Disallow: /admin/" in content
    assert "Sitemap: http://testserver/sitemap.xml" in content


def test_404_page_is_friendly_with_the_site_layout(client):
    response = client.get("/no-such-page/")
    content = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-CN">' in content
    assert 'class="site-header"' in content
    assert f'action="{reverse("events:event-list")}"' in content


def test_500_page_renders_without_a_request_context_or_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="zh-CN">' in content
    assert 'class="site-header"' in content
    assert "site.css" in content
