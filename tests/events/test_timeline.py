"""TimelineJS3 JSON of the event list, fed event dicts of CONTRACT.md."""

import json

import pytest

from events.timeline import timeline_json


def event_dict(id=17, **changes):
    """An event in the contract's shape: a day-precision published event unless changed."""
    event = {
        "id": id,
        "url": f"http://testserver/api/events/{id}/",
        "public_url": f"/events/{id}/",
        "title": "第十一届金砖国家工会论坛在北京举行",
        "summary": "论坛以线上线下相结合方式举行。",
        "date_start": "2022-07-01",
        "date_end": None,
        "date_precision": "day",
        "date_text": "2022年7月1日",
        "kind": "happened",
        "place": "北京",
        "category": {"slug": "foreign-exchange", "name": "对外交流"},
        "tags": ["金砖国家"],
        "organisations": [{"id": 1, "name": "中华全国总工会", "slug": "acftu"}],
        "metrics": [],
        "sources": [],
        "status": "published",
        "confidence": 0.82,
        "created_at": "2026-03-01T09:00:00+08:00",
        "updated_at": "2026-03-01T10:00:00+08:00",
    }
    event.update(changes)
    return event


def slide(**changes):
    [only] = timeline_json([event_dict(**changes)])["events"]
    return only


@pytest.mark.parametrize(
    ("date_start", "precision", "start_date"),
    [
        (
            "2022-04-27",
            "day",
            {"year": "2022", "month": "4", "day": "27", "display_date": "2022年4月27日"},
        ),
        (
            "2022-06-21",
            "xun",
            {"year": "2022", "month": "6", "day": "21", "display_date": "2022年6月下旬"},
        ),
        ("2022-07-01", "month", {"year": "2022", "month": "7", "display_date": "2022年7月"}),
        (
            "2022-07-01",
            "season",
            {"year": "2022", "month": "7", "display_date": "2022年第三季度"},
        ),
        ("2022-01-01", "year", {"year": "2022", "display_date": "2022年"}),
    ],
)
def test_start_date_names_only_the_parts_its_precision_states(date_start, precision, start_date):
    single = slide(date_start=date_start, date_precision=precision)
    assert single["start_date"] == start_date
    assert single["display_date"] == start_date["display_date"]
    assert "end_date" not in single


@pytest.mark.parametrize(
    ("date_start", "date_end", "precision", "end_date", "display_date"),
    [
        (
            "2022-04-27",
            "2022-04-29",
            "day",
            {"year": "2022", "month": "4", "day": "29", "display_date": "2022年4月29日"},
            "2022年4月27日至29日",
        ),
        (
            "2022-06-21",
            "2022-12-31",
            "xun",
            {"year": "2022", "month": "12", "day": "31", "display_date": "2022年12月下旬"},
            "2022年6月下旬至12月底",
        ),
        (
            "2022-09-01",
            "2023-09-30",
            "month",
            {"year": "2023", "month": "9", "display_date": "2023年9月"},
            "2022年9月至2023年9月",
        ),
        (
            "2022-01-01",
            "2022-06-30",
            "season",
            {"year": "2022", "month": "6", "display_date": "2022年第二季度"},
            "2022年上半年",
        ),
        (
            "2021-01-01",
            "2022-12-31",
            "year",
            {"year": "2022", "display_date": "2022年"},
            "2021年至2022年",
        ),
    ],
    ids=["day", "xun-to-month-end", "month", "half-year", "year"],
)
def test_a_range_has_an_end_date_and_the_whole_range_as_display_date(
    date_start, date_end, precision, end_date, display_date
):
    ranged = slide(date_start=date_start, date_end=date_end, date_precision=precision)
    assert ranged["end_date"] == end_date
    assert ranged["display_date"] == display_date


def test_undated_events_are_left_out():
    undated = event_dict(id=18, date_start=None, date_precision=None, date_text="")
    slides = timeline_json([event_dict(id=17), undated])["events"]
    assert [s["unique_id"] for s in slides] == ["event-17"]


def test_slide_is_identified_grouped_by_category_and_headlined_by_title():
    single = slide()
    assert single["unique_id"] == "event-17"
    assert single["group"] == "对外交流"
    assert single["text"]["headline"] == "第十一届金砖国家工会论坛在北京举行"


def test_an_event_without_category_has_no_group():
    assert "group" not in slide(category=None)


def test_text_holds_the_summary_and_links_to_the_public_page():
    text = slide(summary="第一段\n\n第二段")["text"]["text"]
    assert text.startswith("<p>第一段</p>\n\n<p>第二段</p>")
    assert '<a href="/events/17/">' in text


def test_an_empty_summary_leaves_only_the_link():
    text = slide(summary="")["text"]["text"]
    assert text.startswith('<p><a href="/events/17/">')


def test_html_in_title_and_summary_is_escaped():
    single = slide(title="<script>alert(1)</script>标题", summary='<img src=x onerror="x">')
    assert single["text"]["headline"] == "&lt;script&gt;alert(1)&lt;/script&gt;标题"
    assert "<script" not in json.dumps(single)
    assert "<img" not in single["text"]["text"]
    assert "&lt;img src=x onerror=&quot;x&quot;&gt;" in single["text"]["text"]


def test_title_slide_has_the_default_or_given_title_escaped():
    assert timeline_json([])["title"] == {"text": {"headline": "工会大事记", "text": ""}}
    titled = timeline_json([], title="2022年<b>大事记</b>")
    assert titled["title"]["text"]["headline"] == "2022年&lt;b&gt;大事记&lt;/b&gt;"


def test_output_is_plain_json_in_the_order_given():
    events = [event_dict(id=18, date_start="2022-08-01"), event_dict(id=17)]
    loaded = json.loads(json.dumps(timeline_json(events), ensure_ascii=False))
    assert [s["unique_id"] for s in loaded["events"]] == ["event-18", "event-17"]
