"""The CSV and iCalendar renderings of the event list, fed event dicts of CONTRACT.md."""

import csv
import io
import json
from datetime import UTC, date, datetime

import icalendar
import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from events.renderers import EventCSVRenderer, EventICalendarRenderer

BOM = "\ufeff"


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
        "tags": ["金砖国家", "工会论坛"],
        "organisations": [
            {"id": 1, "name": "中华全国总工会", "slug": "acftu"},
            {"id": 2, "name": "北京市总工会", "slug": "beijing"},
        ],
        "metrics": [],
        "sources": [
            {"id": 2, "title": "2022年工会工作大事记", "sha256": "ab", "excerpt": "…"},
            {"id": 2, "title": "2022年工会工作大事记", "sha256": "ab", "excerpt": "…"},
            {"id": 3, "title": "工人日报要闻", "sha256": "cd", "excerpt": "…"},
        ],
        "status": "published",
        "confidence": 0.82,
        "created_at": "2026-03-01T09:00:00+08:00",
        "updated_at": "2026-03-01T10:00:00+08:00",
    }
    event.update(changes)
    return event


def page(*events):
    return {"count": len(events), "next": None, "previous": None, "results": list(events)}


def request_context():
    return {"request": RequestFactory().get("/api/events/", {"format": "csv"})}


# --- CSV -------------------------------------------------------------------------------


def csv_rows(data, renderer_context=None):
    output = EventCSVRenderer().render(data, "text/csv", renderer_context).decode("utf-8")
    assert output.startswith(BOM)
    return list(csv.reader(io.StringIO(output[len(BOM) :], newline="")))


def csv_records(data, renderer_context=None):
    header, *rows = csv_rows(data, renderer_context)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_starts_with_a_bom_and_the_columns_in_order():
    output = EventCSVRenderer().render(page(event_dict()), "text/csv", {})
    assert output.startswith(b"\xef\xbb\xbf")
    assert csv_rows(page())[0] == [
        "id",
        "date_start",
        "date_end",
        "date_precision",
        "date_text",
        "date_zh",
        "title",
        "summary",
        "kind",
        "place",
        "category",
        "category_name",
        "organisations",
        "tags",
        "sources",
        "status",
        "confidence",
        "url",
        "public_url",
        "updated_at",
    ]


def test_csv_row_carries_the_chinese_text_and_joins_lists_with_fullwidth_semicolons():
    event = event_dict(
        date_start="2022-06-21", date_precision="xun", date_text="6月下旬", place="北京"
    )
    [record] = csv_records(page(event))
    assert record["id"] == "17"
    assert record["title"] == "第十一届金砖国家工会论坛在北京举行"
    assert record["date_zh"] == "2022年6月下旬"
    assert record["date_text"] == "6月下旬"
    assert record["category"] == "foreign-exchange"
    assert record["category_name"] == "对外交流"
    assert record["organisations"] == "中华全国总工会；北京市总工会"
    assert record["tags"] == "金砖国家；工会论坛"
    assert record["confidence"] == "0.82"
    assert record["updated_at"] == "2026-03-01T10:00:00+08:00"


def test_csv_names_each_source_once_though_it_backs_the_event_twice():
    [record] = csv_records(page(event_dict()))
    assert record["sources"] == "2022年工会工作大事记；工人日报要闻"


def test_csv_date_zh_gives_a_range_in_the_editors_form():
    event = event_dict(date_start="2022-04-27", date_end="2022-04-29")
    [record] = csv_records([event])
    assert (record["date_end"], record["date_zh"]) == ("2022-04-29", "2022年4月27日至29日")


def test_csv_keeps_a_multiline_summary_with_commas_and_quotes_in_one_cell():
    summary = '第一段，含逗号, and "quotes"。\n第二段\r\n第三段'
    records = csv_records(page(event_dict(summary=summary), event_dict(id=18)))
    assert [record["id"] for record in records] == ["17", "18"]
    assert records[0]["summary"] == summary


def test_csv_writes_nulls_as_empty_cells():
    event = event_dict(
        date_start=None, date_precision=None, date_text="", place=None, category=None
    )
    [record] = csv_records([event])
    assert record["date_start"] == record["date_end"] == record["date_zh"] == ""
    assert record["place"] == record["category"] == record["category_name"] == ""


def test_csv_renders_a_plain_list_like_a_page():
    assert csv_rows([event_dict()]) == csv_rows(page(event_dict()))


def test_csv_renders_a_single_event():
    [record] = csv_records(event_dict(id=5))
    assert record["id"] == "5"


def test_csv_public_url_is_absolute_when_the_request_is_known():
    [record] = csv_records(page(event_dict()), request_context())
    assert record["public_url"] == "http://testserver/events/17/"
    [record] = csv_records(page(event_dict()))
    assert record["public_url"] == "/events/17/"


@pytest.mark.parametrize(
    ("error", "lines"),
    [
        ({"detail": "未找到。"}, ["未找到。"]),
        (
            {"year": ["请填写合法的整数值。"], "category": ["选择无效", "第二条"]},
            ["year: 请填写合法的整数值。", "category: 选择无效", "category: 第二条"],
        ),
    ],
)
def test_csv_renders_an_error_as_one_error_column(error, lines):
    assert csv_rows(error) == [["error"], *([line] for line in lines)]


def test_csv_renders_no_data_as_an_empty_body():
    assert EventCSVRenderer().render(None) == b""


# --- iCalendar -------------------------------------------------------------------------


def ics(data, renderer_context=None):
    return EventICalendarRenderer().render(data, "text/calendar", renderer_context)


def vevents(data, renderer_context=None):
    calendar = icalendar.Calendar.from_ical(ics(data, renderer_context))
    return {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}


def span(**changes):
    """(DTSTART, DTEND) of the one event built with ``changes``."""
    [vevent] = vevents([event_dict(**changes)]).values()
    return vevent.decoded("DTSTART"), vevent.decoded("DTEND")


def test_ics_is_a_calendar_named_for_the_archive():
    calendar = icalendar.Calendar.from_ical(ics(page(event_dict())))
    assert calendar["VERSION"] == "2.0"
    assert "unionarchive" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "工会大事记"


@pytest.mark.parametrize(
    ("changes", "start", "end"),
    [
        ({"date_start": "2022-04-27", "date_precision": "day"}, (2022, 4, 27), (2022, 4, 28)),
        (
            {"date_start": "2022-04-27", "date_end": "2022-04-29", "date_precision": "day"},
            (2022, 4, 27),
            (2022, 4, 30),
        ),
        ({"date_start": "2022-07-01", "date_precision": "month"}, (2022, 7, 1), (2022, 8, 1)),
        ({"date_start": "2024-02-01", "date_precision": "month"}, (2024, 2, 1), (2024, 3, 1)),
        ({"date_start": "2022-06-01", "date_precision": "xun"}, (2022, 6, 1), (2022, 6, 11)),
        ({"date_start": "2022-06-11", "date_precision": "xun"}, (2022, 6, 11), (2022, 6, 21)),
        ({"date_start": "2022-07-21", "date_precision": "xun"}, (2022, 7, 21), (2022, 8, 1)),
        ({"date_start": "2022-12-21", "date_precision": "xun"}, (2022, 12, 21), (2023, 1, 1)),
        ({"date_start": "2022-07-01", "date_precision": "season"}, (2022, 7, 1), (2022, 10, 1)),
        ({"date_start": "2022-01-01", "date_precision": "year"}, (2022, 1, 1), (2023, 1, 1)),
        (
            {"date_start": "2022-09-01", "date_end": "2023-09-30", "date_precision": "month"},
            (2022, 9, 1),
            (2023, 10, 1),
        ),
        (
            {"date_start": "2022-06-21", "date_end": "2022-12-31", "date_precision": "xun"},
            (2022, 6, 21),
            (2023, 1, 1),
        ),
    ],
    ids=[
        "day",
        "day-range",
        "month",
        "february-of-a-leap-year",
        "first-xun",
        "middle-xun",
        "last-xun-of-a-31-day-month",
        "last-xun-of-the-year",
        "season",
        "year",
        "month-range",
        "xun-to-month-end",
    ],
)
def test_ics_event_spans_its_whole_period_with_an_exclusive_end(changes, start, end):
    assert span(**changes) == (date(*start), date(*end))


def test_ics_dates_are_all_day_values():
    output = ics([event_dict(date_start="2022-04-27")])
    assert b"DTSTART;VALUE=DATE:20220427\r\n" in output
    assert b"DTEND;VALUE=DATE:20220428\r\n" in output
    dtstart, _ = span(date_start="2022-04-27")
    assert not isinstance(dtstart, datetime)


def test_ics_leaves_undated_events_out():
    undated = event_dict(id=18, date_start=None, date_precision=None, date_text="")
    assert list(vevents(page(event_dict(id=17), undated))) == ["event-17@unionarchive"]


def test_ics_uid_is_stable_across_renderings_and_order():
    first = vevents([event_dict(id=17), event_dict(id=18, title="另一件事")])
    again = vevents([event_dict(id=18, title="另一件事"), event_dict(id=17, title="改过的标题")])
    assert set(first) == set(again) == {"event-17@unionarchive", "event-18@unionarchive"}


def test_ics_event_carries_title_summary_chinese_date_url_and_category():
    event = event_dict(date_start="2022-06-21", date_precision="xun", summary="第一行\n第二行")
    [vevent] = vevents([event], request_context()).values()
    assert str(vevent["SUMMARY"]) == "第十一届金砖国家工会论坛在北京举行"
    assert str(vevent["DESCRIPTION"]) == (
        "第一行\n第二行\n\n2022年6月下旬\n\nhttp://testserver/events/17/"
    )
    assert str(vevent["URL"]) == "http://testserver/events/17/"
    assert str(vevent["LOCATION"]) == "北京"
    assert [str(name) for name in vevent["CATEGORIES"].cats] == ["对外交流"]


def test_ics_event_without_category_or_place_has_neither_property():
    [vevent] = vevents([event_dict(category=None, place=None)]).values()
    assert "CATEGORIES" not in vevent
    assert "LOCATION" not in vevent


def test_ics_stamps_come_from_updated_at_in_utc():
    [vevent] = vevents([event_dict(updated_at="2026-03-01T10:00:00+08:00")]).values()
    expected = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert vevent.decoded("DTSTAMP") == expected
    assert vevent.decoded("LAST-MODIFIED") == expected


def test_ics_output_is_the_same_for_the_same_events():
    events = page(event_dict(id=17), event_dict(id=18))
    assert ics(events) == ics(events)


def test_ics_long_chinese_text_survives_line_folding():
    summary = "全国总工会召开第十八届执行委员会第二次全体会议，" * 12
    [vevent] = vevents([event_dict(summary=summary, title=summary)]).values()
    assert str(vevent["SUMMARY"]) == summary
    assert str(vevent["DESCRIPTION"]).startswith(summary)
    assert max(len(line) for line in ics([event_dict(title=summary)]).split(b"\r\n")) <= 75


def test_ics_renders_an_error_as_json_and_relabels_the_response():
    response = HttpResponse(content_type="text/calendar; charset=utf-8")
    output = ics({"year": ["请填写合法的整数值。"]}, {"response": response})
    assert json.loads(output) == {"year": ["请填写合法的整数值。"]}
    assert response["Content-Type"] == "application/json"


def test_ics_renders_no_data_as_an_empty_body():
    assert ics(None) == b""
