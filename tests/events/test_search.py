"""Full-text search: substring recall and precision, ranking, phrases, aliases, the index."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from rest_framework.authtoken.models import Token

from events import roles, search, services
from events.models import Event, EventSearch, Organisation, OrganisationAlias, Tag
from events.search import (
    SearchTerm,
    event_document,
    events_search,
    highlight,
    parse_query,
    search_index_update,
    snippet,
)
from tests.factories import EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"

SEED_QUERIES = [
    "工匠",
    "大国工匠",
    "全总",
    "新就业形态",
    "集体协商",
    "金砖",
    "货车司机",
    "服务站点",
    "工匠学院",
]
# Substrings no segmentation gives whole (全国总工会 inside 中华全国总工会), terms missing
# from the dictionary, single characters, several words, Latin letters and digits.
MORE_QUERIES = [
    "全国总工会",
    "总工会",
    "湾区",
    "工匠学",
    "国工",
    "会",
    "工会 职工",
    "劳动者 服务站",
    "2022",
    "22年",
    "产改",
    "县级工会加强年",
    "新就业形态劳动者",
    "北京",
    "论坛 金砖 举行",
    "不存在的词",
]


def substring_matches(query: str) -> set[int]:
    """What plain icontains matching finds: every word somewhere in the event."""
    events = Event.objects.all()
    for word in query.split():
        events = events.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Q(place__icontains=word)
            | Q(tags__name__icontains=word)
            | Q(organisations__name__icontains=word)
            | Q(organisations__aliases__name__icontains=word)
        )
    return set(events.values_list("pk", flat=True))


def found(query: str, events=None) -> list[Event]:
    return list(events_search(events=events or Event.objects.all(), query=query))


@pytest.fixture
def seeds():
    call_command("setup_demo", "--no-editor", stdout=StringIO())


def test_seed_queries_find_exactly_what_substring_matching_finds(seeds):
    for query in SEED_QUERIES + MORE_QUERIES:
        expected = substring_matches(query)
        assert {event.pk for event in found(query)} == expected, query
        if query in SEED_QUERIES:
            assert expected, query


def test_seed_queries_rank_title_hits_first(seeds):
    for query in SEED_QUERIES:
        results = found(query)
        in_title = [event for event in results if query in event.title]
        assert results[: len(in_title)] == in_title, query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("金砖", "第十一届金砖国家工会论坛举行"),
        ("集体协商", "集体协商3年行动计划收官"),
        ("大国工匠", "举办首届大国工匠论坛"),
    ],
)
def test_the_obvious_event_comes_first(seeds, query, first):
    titles = [event.title for event in found(query)]
    assert first in titles[:2]


def test_every_term_must_match():
    both = EventFactory(title="大国工匠走进金砖国家工会论坛")
    EventFactory(title="大国工匠论坛举办")
    EventFactory(title="金砖国家工会论坛举行")
    search_index_update(events=Event.objects.all())
    assert found("大国工匠 金砖") == [both]


def test_a_quoted_phrase_must_appear_as_written():
    event = EventFactory(title="Global Union Forum on skills", summary="全国总工会  国际部")
    EventFactory(title="Forum of the Global Union")
    search_index_update(events=Event.objects.all())
    assert found('"union forum"') == [event]
    assert len(found("union forum")) == 2
    assert found('"forum union"') == []
    # Whitespace inside a phrase matches any run of whitespace; curly quotes work too.
    assert found("“全国总工会 国际部”") == [event]
    assert parse_query('"union forum" 工匠 “大国  工匠”') == (
        SearchTerm("union forum", phrase=True),
        SearchTerm("工匠"),
        SearchTerm("大国 工匠", phrase=True),
    )


def test_an_alias_finds_its_organisations_events():
    acftu = OrganisationFactory(name="中华全国总工会", slug="acftu")
    OrganisationAlias.objects.create(organisation=acftu, name="全总")
    theirs = EventFactory(title="召开十八届一次执委会")
    theirs.organisations.add(acftu)
    EventFactory(title="召开职工代表大会")
    search_index_update(events=Event.objects.all())
    assert found("全总") == [theirs]
    # 全国总工会 is no alias here but a substring of the canonical name.
    assert found("全国总工会") == [theirs]


def test_a_word_missing_from_the_dictionary_finds_longer_words_containing_it():
    event = EventFactory(title="粤港澳大湾区工会协作会议召开")
    EventFactory(title="湾区以外的会议")
    search_index_update(events=Event.objects.all())
    assert found("大湾区") == [event]
    assert found("湾区工") == [event]


def test_words_of_up_to_four_letters_need_no_text_check_and_still_equal_substring_matching():
    # Up to four letters a word is one token: the index alone answers, with no text check.
    exact = ("工匠", "ab", "2年", "国工匠", "会", "é工", "集体协商", "2022")
    assert all(SearchTerm(word).exact for word in exact)
    assert not any(SearchTerm(word).exact for word in ("a-", "新就业形态", "a b", ""))
    craft = EventFactory(title="大国工匠论坛", summary="")
    summit = EventFactory(title="Summit", summary="XABY 峰会")
    EventFactory(title="工作 匠心", summary="ax by")
    search_index_update(events=Event.objects.all())
    for query in ("工匠", "ab", "AB", "工匠 论坛", "峰会 ab", "工作", "匠工"):
        assert {event.pk for event in found(query)} == substring_matches(query), query
    assert found("工匠") == [craft]
    assert found("ab") == [summit]


def test_a_longer_word_whose_bigrams_all_match_but_not_as_written_is_not_found():
    # 国工 and 工匠 are both in the index, 国工匠 is nowhere in the text.
    EventFactory(title="全国工作会议", body="工匠精神")
    written = EventFactory(title="中国工匠大会")
    search_index_update(events=Event.objects.all())
    assert found("国工匠") == [written]
    assert found("国工匠 工作") == []
    assert found("工匠 国工匠") == [written]


def test_a_long_word_is_found_as_written_whether_a_token_or_only_in_the_text():
    # 新就业形态 is a dictionary word, a token of these titles; 就业形态各 is no word and
    # is checked against the text.
    whole = EventFactory(title="新就业形态劳动者服务站点建设")
    other = EventFactory(title="重新就业形态各异", summary="")
    EventFactory(title="新就业形式多样", body="就业形态调查")  # its 4-grams, not the word
    search_index_update(events=Event.objects.all())
    assert "新就业形态" in event_document(whole).tokens["title"]
    assert "就业形态各" not in event_document(other).tokens["title"]
    assert set(found("新就业形态")) == {whole, other}
    assert found("就业形态各") == [other]
    assert found("新就业形态劳动者 服务站点建设") == [whole]


def test_an_event_too_long_to_tokenise_is_still_found_exactly_through_its_text(monkeypatch):
    body = "职工" * (search.MAX_FIELD_CHARS // 2) + "沾化区工匠学院揭牌"
    long = EventFactory(title="长篇文献摘录", body=body)
    short = EventFactory(title="沾化区工会会议", body="工匠学院")
    search_index_update(events=Event.objects.all())
    document = event_document(long)
    assert document.partial
    assert document.tokens["body"] == ()
    assert document.tokens["title"]
    assert found("工匠学院") == [short, long]
    assert found("沾化区工匠") == [long]
    assert found("长篇") == [long]
    assert found("学院揭牌 职工职工") == [long]
    assert found("不在其中") == []
    # Fields that fit keep their tokens, in order, until the budget is spent.
    title_cost = search._cost(search.field_tokens(short.title))
    monkeypatch.setattr(search, "TOKEN_BUDGET", title_cost)
    document = event_document(short)
    assert document.partial
    assert document.tokens["title"]
    assert document.tokens["body"] == ()


def test_single_letters_and_punctuation_equal_substring_matching():
    EventFactory(title="全总召开会议", summary="")
    EventFactory(title="Forum: a-b 论坛", summary="")
    EventFactory(title="无关", summary="")
    search_index_update(events=Event.objects.all())
    for query in ("会", "a", "a-b", ":", "总 论", "：", "-b"):
        assert {event.pk for event in found(query)} == substring_matches(query), query


def test_tags_and_place_are_searched_but_rank_below_the_title():
    in_title = EventFactory(title="货车司机职业发展与保障行动")
    tagged = EventFactory(title="暖途行动启动", place="天津")
    tagged.tags.add(Tag.objects.create(name="货车司机"))
    search_index_update(events=Event.objects.all())
    assert found("货车司机") == [in_title, tagged]
    assert found("天津") == [tagged]


def test_each_event_ranks_by_the_best_field_holding_the_term():
    places = [
        {"title": "工匠学院揭牌", "summary": "工匠学院", "body": "工匠学院"},
        {"title": "揭牌仪式", "summary": "工匠学院", "body": "工匠学院"},
        {"title": "仪式", "summary": "", "body": "工匠学院"},
        {"title": "仪式", "summary": "", "body": "", "place": "工匠学院"},
    ]
    # Later dates for the better places, so chronology alone would give the reverse.
    events = [
        EventFactory(**fields, date_start=date(2022, 12 - n, 1), date_end=None)
        for n, fields in enumerate(places)
    ]
    search_index_update(events=Event.objects.all())
    assert found("工匠学院") == events
    ranked = events_search(events=Event.objects.all(), query="工匠学院")
    assert dict(ranked.values_list("pk", search.RANK)) == {
        event.pk: rank for event, rank in zip(events, [4, 2, 1, 0], strict=True)
    }


def lookup_ids(sql: str, params: list) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def test_each_token_is_indexed_once_under_the_first_field_holding_it():
    # What lets the ranking read each match once: 金砖 is under the title of an event
    # whose title and summary hold it, so the summary's lookup does not find it.
    in_title = EventFactory(title="金砖论坛", summary="金砖论坛举办", body="论坛")
    in_summary = EventFactory(title="论坛", summary="金砖论坛")
    search_index_update(events=Event.objects.all())
    document = event_document(in_title)
    assert {"金砖", "论坛", "金砖论坛"} <= set(document.tokens["title"])
    assert "金砖" not in document.tokens["summary"]
    assert "举办" in document.tokens["summary"]
    assert document.tokens["body"] == ()
    index = search._Index()
    assert lookup_ids(*index.lookup([("金砖",)], fields=("summary",))) == {in_summary.pk}
    assert lookup_ids(*index.lookup([("金砖",)], fields=("title",))) == {in_title.pk}
    assert lookup_ids(*index.lookup([("金砖",)])) == {in_title.pk, in_summary.pk}


def test_a_long_word_ranks_in_the_first_field_that_with_those_above_holds_it():
    # The title holds the word's first 4-gram, so that token is under the title; the
    # word is in the summary, and ranks there, once.
    spread = EventFactory(title="大国工匠颁奖", summary="大国工匠论坛开幕", body="")
    whole = EventFactory(title="大国工匠论坛", summary="", body="")
    in_body = EventFactory(title="开幕", summary="", body="大国工匠论坛")
    search_index_update(events=Event.objects.all())
    assert "大国工匠" not in event_document(spread).tokens["summary"]
    ranked = events_search(events=Event.objects.all(), query="大国工匠论坛")
    assert list(ranked) == [whole, spread, in_body]
    assert dict(ranked.values_list("pk", search.RANK)) == {
        whole.pk: 4,
        spread.pk: 2,
        in_body.pk: 1,
    }
    groups = search.parse_query("大国工匠论坛")[0].groups
    index = search._Index()
    in_summary = index.lookup(groups, **search._ranked_in(groups, 1))
    assert lookup_ids(*in_summary) == {spread.pk}


def test_several_terms_rank_by_where_each_is_among_the_events_holding_all():
    # Each term's place is looked up only among events holding the other terms too;
    # the ranking is the sum over terms, whatever events hold one term alone.
    both_titles = EventFactory(
        title="新就业形态劳动者服务站点揭牌", date_start=date(2022, 9, 1), date_end=None
    )
    one_title = EventFactory(
        title="新就业形态劳动者入会",
        body="建设服务站点。",
        date_start=date(2022, 1, 1),
        date_end=None,
    )
    in_bodies = EventFactory(
        title="年度总结",
        body="新就业形态劳动者服务站点",
        date_start=date(2021, 1, 1),
        date_end=None,
    )
    for n in range(3):
        EventFactory(title=f"服务站点第{n}批")
        EventFactory(title=f"新就业形态劳动者第{n}批")
    search_index_update(events=Event.objects.all())
    for query in ("新就业形态 服务站点", "服务站点 新就业形态劳动者"):
        assert found(query) == [both_titles, one_title, in_bodies], query


def test_each_of_several_words_adds_where_it_is_the_summary_by_elimination():
    # A one-word term's summary rank is what its title, body and rest lookups leave;
    # partial events, whose field may hold no token, must still rank where the word is.
    long_body = "职工" * (search.MAX_FIELD_CHARS // 2)
    places = {
        8: {"title": "工匠论坛"},
        6: {"title": "论坛", "summary": "工匠"},
        5: {"title": "论坛", "body": "工匠"},
        4: {"title": "论坛", "place": "工匠"},
        "partial, summary": {"title": "论坛", "summary": "工匠", "body": long_body},
        "partial, body": {"title": "论坛", "body": long_body + "工匠"},
    }
    events = {rank: EventFactory(**fields) for rank, fields in places.items()}
    search_index_update(events=Event.objects.all())
    assert event_document(events["partial, body"]).partial
    ranked = events_search(events=Event.objects.all(), query="工匠 论坛")
    assert dict(ranked.values_list("pk", search.RANK)) == {
        events[8].pk: 8,
        events[6].pk: 6,
        events[5].pk: 5,
        events[4].pk: 4,
        events["partial, summary"].pk: 6,
        events["partial, body"].pk: 4,
    }


def test_the_index_holds_every_short_run_and_long_dictionary_terms_whole():
    event = EventFactory(title="县级工会加强年专项工作推进会")
    tokens = event_document(event).tokens["title"]
    # Every run of one to four letters, dictionary word or not.
    assert {"县级工会", "县级", "工会", "加强", "级工", "强年", "会加强年", "县"} <= set(tokens)
    # Longer words as jieba gives them, with the dictionary words inside them.
    assert "县级工会加强年" in tokens
    assert not any(len(token) > 4 and token not in event.title for token in tokens)
    assert len(tokens) == len(set(tokens))


def test_the_loader_indexes_what_it_creates_and_refreshes(tmp_path):
    web_chronicle = sorted(SEEDS.glob("*.txt"))[1]
    path = tmp_path / "chronicle.txt"
    text = web_chronicle.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    call_command("load_sources", str(path), stdout=StringIO())
    assert EventSearch.objects.count() == Event.objects.count() > 0
    assert [e.title for e in found("霸屏")] == ["大国工匠“霸屏”全媒体平台"]
    # A changed document refreshes its untouched drafts; the index follows.
    path.write_text(text.replace("“霸屏”全媒体平台", "“霸屏”各大媒体平台"), encoding="utf-8")
    call_command("load_sources", str(path), stdout=StringIO())
    assert [e.title for e in found("各大媒体")] == ["大国工匠“霸屏”各大媒体平台"]
    assert found("全媒体平台") == []
    assert EventSearch.objects.count() == Event.objects.count()


def test_merges_splits_and_organisation_merges_keep_the_index_current():
    target = EventFactory(title="职工代表大会召开")
    other = EventFactory(title="另一来源的同一会议")
    other.organisations.add(OrganisationFactory(name="沾化区总工会"))
    search_index_update(events=Event.objects.all())
    assert found("沾化区") == [other]
    (merge,) = services.event_merge(target=target, others=[other], by=None)
    assert set(found("沾化区")) == {target, other}
    services.event_merge_undo(merge=merge, by=None)
    assert found("沾化区") == [other]

    kept = OrganisationFactory(name="滨州市总工会")
    gone = OrganisationFactory(name="滨州总工会")
    other.organisations.add(gone)
    services.organisation_merge(target=kept, others=[gone])
    assert found("滨州市") == [other]


def editor_token() -> str:
    user = get_user_model().objects.create_user(username="search-editor", password="x")
    user.groups.add(Group.objects.get(name=roles.CHIEF_EDITOR))
    return Token.objects.create(user=user).key


def test_api_writes_are_indexed_and_results_carry_highlighted_snippets(client):
    event = EventFactory(published=True, title="旧标题", summary="关于<script>的说明")
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {editor_token()}"
    response = client.patch(
        reverse("api:event-detail", args=[event.pk]),
        {"title": "首届大国工匠论坛举办", "tags": ["工匠"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    results = client.get(reverse("api:event-list"), {"q": "大国工匠"}).json()["results"]
    assert [item["id"] for item in results] == [event.pk]
    assert results[0]["search_snippet"] == "首届<mark>大国工匠</mark>论坛举办"
    results = client.get(reverse("api:event-list"), {"q": "说明"}).json()["results"]
    assert results[0]["search_snippet"] == "关于&lt;script&gt;的<mark>说明</mark>"
    plain = client.get(reverse("api:event-list")).json()["results"]
    assert plain[0]["search_snippet"] is None


def test_admin_search_and_save_use_the_index(admin_client):
    event = EventFactory(title="集体协商要约行动")
    EventFactory(title="无关的会议")
    search_index_update(events=Event.objects.all())
    url = reverse("admin:events_event_changelist")
    response = admin_client.get(url, {"q": "集体协商"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [event]

    change = reverse("admin:events_event_change", args=[event.pk])
    page = admin_client.get(change)
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        forms += inline.formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, list):
                value = [getattr(item, "pk", item) for item in value]
            if value is not None:
                data[form.add_prefix(name)] = value
    data["title"] = "工资集体协商要约行动"
    data["organisations"] = [OrganisationFactory(name="海淀区总工会").pk]
    response = admin_client.post(change, data)
    assert response.status_code == 302
    assert found("工资集体") == [event]
    assert found("海淀区") == [event]


def test_rebuild_command_is_idempotent_and_indexes_events_written_around_the_service():
    EventFactory(title="首届大国工匠论坛举办")
    EventFactory(title="金砖国家工会论坛")
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "2 events indexed" in out.getvalue()
    first = list(EventSearch.objects.order_by("pk").values())
    call_command("rebuild_search_index", stdout=StringIO())
    assert list(EventSearch.objects.order_by("pk").values()) == first
    assert len(found("论坛")) == 2

    dry = StringIO()
    EventFactory(title="未入索引")
    call_command("rebuild_search_index", "--dry-run", stdout=dry)
    assert "1 not indexed" in dry.getvalue()
    assert found("入索引") == []


def test_deleted_events_leave_no_index_rows_behind():
    event = EventFactory(title="首届大国工匠论坛举办")
    search_index_update(events=[event])
    pk = event.pk
    Event.objects.filter(pk=pk).delete()
    assert not EventSearch.objects.filter(pk=pk).exists()
    call_command("rebuild_search_index", stdout=StringIO())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM events_eventsearch_fts WHERE rowid = %s", [pk])
            assert cursor.fetchone()[0] == 0


def test_indexing_takes_a_constant_number_of_queries(django_assert_max_num_queries):
    acftu = Organisation.objects.create(name="中华全国总工会", slug="acftu")
    events = EventFactory.create_batch(3)
    for event in events:
        event.organisations.add(acftu)
    with django_assert_max_num_queries(20) as few:
        search_index_update(events=events)
    more = EventFactory.create_batch(30)
    for event in more:
        event.organisations.add(acftu)
    with django_assert_max_num_queries(len(few.captured_queries)):
        search_index_update(events=more)


@pytest.mark.parametrize(
    ("text", "query", "html"),
    [
        ("<b>大国工匠</b>", "工匠", "&lt;b&gt;大国<mark>工匠</mark>&lt;/b&gt;"),
        ("Global Union Forum", "union", "Global <mark>Union</mark> Forum"),
        ("全国总工会召开会议", "总工会 工会", "全国<mark>总工会</mark>召开会议"),
        ("大国工匠论坛", "国工 工匠", "大<mark>国工匠</mark>论坛"),
        ("a & b", '"a & b"', "<mark>a &amp; b</mark>"),
        ("没有匹配", "工匠", "没有匹配"),
    ],
)
def test_highlight_escapes_and_marks_every_match(text, query, html):
    assert highlight(text, query) == html


def test_snippet_is_a_marked_window_around_the_first_match():
    event = Event(title="标题", summary="前" * 100 + "大国工匠" + "后" * 100)
    passage = snippet(event, "大国工匠", width=40)
    assert passage.startswith("…")
    assert passage.endswith("…")
    assert "<mark>大国工匠</mark>" in passage
    assert snippet(Event(title="标题<", summary=""), "无关") == "标题&lt;"
