from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pytest

from events.extraction.candidates import EventCandidate
from events.extraction.merge import EventSnapshot, find_match, text_similarity
from tests.events.test_occurrences import (
    PDF_CHRONICLE,
    REPORT,
    TOP_TEN,
    WEB_CHRONICLE,
    chronicle,
    event_titled,
    run,
)

PDF_SOURCE, WEB_SOURCE, REPORT_SOURCE, TOP_TEN_SOURCE = 1, 2, 3, 4


def snapshots(events: Sequence[EventCandidate], source_id: int) -> list[EventSnapshot]:
    """What the database layer would pass in after importing ``events`` from one source."""
    return [
        EventSnapshot(
            id=100 * source_id + n,
            title=e.title,
            summary=e.summary,
            date_start=e.date_start,
            date_end=e.date_end,
            date_precision=e.date_precision,
            organisations=e.organisations,
            source_ids=(source_id,),
            kind=e.kind,
            metric_values=tuple(m.value for m in e.metrics),
        )
        for n, e in enumerate(events)
    ]


def snapshot_of(event: EventCandidate, *, id: int = 1, source_id: int = PDF_SOURCE, **changes):
    (snap,) = snapshots([event], source_id)
    return replace(snap, id=id, **changes)


def _pdf() -> tuple[tuple[EventCandidate, ...], list[EventSnapshot]]:
    events = chronicle(PDF_CHRONICLE).events
    return events, snapshots(events, PDF_SOURCE)


def test_every_web_chronicle_event_finds_exactly_its_pdf_twin():
    pdf_events, existing = _pdf()
    twin_of = {snap.id: event for snap, event in zip(existing, pdf_events, strict=True)}
    web_events = chronicle(WEB_CHRONICLE).events

    matched = [find_match(e, existing, source_id=WEB_SOURCE) for e in web_events]

    assert all(d is not None for d in matched)
    paired = [(e, twin_of[d.event_id]) for e, d in zip(web_events, matched, strict=True)]
    assert all(
        (web.title, web.date_start, web.date_end) == (pdf.title, pdf.date_start, pdf.date_end)
        for web, pdf in paired
    )
    assert len({d.event_id for d in matched}) == len(web_events) == len(pdf_events) == 13


def test_report_congress_joins_the_chronicles_congress_not_the_congratulatory_letter():
    pdf_events, existing = _pdf()
    congress = event_titled(pdf_events, "首届大国工匠创新交流大会举办")
    told_again = event_titled(run(REPORT, "report", None), "成功举办首届大国工匠创新交流大会")

    decision = find_match(told_again, existing, source_id=REPORT_SOURCE)

    assert decision is not None
    assert existing[pdf_events.index(congress)].id == decision.event_id
    assert "8486000000" in decision.reason  # the 84.86亿元 both sources state


def test_reason_names_the_event_and_the_evidence():
    _, existing = _pdf()
    web = event_titled(chronicle(WEB_CHRONICLE), "集体协商3年行动计划收官")

    decision = find_match(web, existing, source_id=WEB_SOURCE)

    assert decision is not None
    assert decision.reason.startswith("“集体协商3年行动计划收官”: dates overlap")
    assert 0 < decision.score <= 1


def test_two_different_events_on_the_same_day_do_not_merge():
    events = chronicle(WEB_CHRONICLE).events
    press_conference = event_titled(events, "“产改”5周年取得阶段性成效")
    tripartite = event_titled(events, "集体协商3年行动计划收官")
    same_day = snapshot_of(tripartite, date_start=press_conference.date_start)

    assert find_match(press_conference, [same_day], source_id=WEB_SOURCE) is None


@pytest.mark.parametrize(
    ("one", "other"),
    [("全市首家", "全市第二家"), ("全市第二家", "全市第三家"), ("全市首家", "全市首个行业")],
)
def test_different_craftsman_college_openings_do_not_merge_even_on_one_day(one, other):
    events = run(TOP_TEN, "top-news", 2022).events
    first = event_titled(events, one)
    second = event_titled(events, other)
    moved = snapshot_of(first, source_id=PDF_SOURCE, date_start=second.date_start)

    assert find_match(second, [moved], source_id=TOP_TEN_SOURCE) is None


def test_letter_and_congress_in_overlapping_days_stay_apart():
    events = chronicle(WEB_CHRONICLE).events
    letter = event_titled(events, "致贺信")
    congress = event_titled(events, "首届大国工匠创新交流大会举办")

    assert find_match(letter, [snapshot_of(congress)], source_id=WEB_SOURCE) is None


def test_never_merges_with_an_event_the_same_source_told():
    pdf_events, existing = _pdf()

    assert find_match(pdf_events[0], existing, source_id=PDF_SOURCE) is None


def test_same_text_in_periods_that_do_not_overlap_does_not_merge():
    web = event_titled(chronicle(WEB_CHRONICLE), "第十一届金砖国家工会论坛举行")
    a_year_later = snapshot_of(web, date_start=date(2023, 7, 1))

    assert find_match(web, [a_year_later], source_id=WEB_SOURCE) is None


def test_planned_task_does_not_merge_with_a_happened_event():
    web = event_titled(chronicle(WEB_CHRONICLE), "第十一届金砖国家工会论坛举行")

    assert find_match(web, [snapshot_of(web, kind="planned")], source_id=WEB_SOURCE) is None


def test_undated_mention_joins_a_dated_event_when_the_text_agrees_strongly():
    _, existing = _pdf()
    web = event_titled(chronicle(WEB_CHRONICLE), "互联网百强企业全部建立工会")
    undated = replace(web, date_start=None, date_end=None, date_precision="")

    decision = find_match(undated, existing, source_id=WEB_SOURCE)

    assert decision is not None
    assert decision.reason.startswith("“互联网百强企业全部建立工会”: one side undated")


def test_undated_mention_with_only_a_shared_name_stays_apart():
    _, existing = _pdf()
    forum = event_titled(run(REPORT, "report", None), "举办首届大国工匠论坛")
    undated = replace(forum, date_start=None, date_end=None, date_precision="")

    assert find_match(undated, existing, source_id=REPORT_SOURCE) is None


def test_capital_top_ten_items_do_not_merge_into_the_national_chronicle():
    _, existing = _pdf()

    matched = [
        e.title
        for e in run(TOP_TEN, "top-news", 2022).events
        if find_match(e, existing, source_id=TOP_TEN_SOURCE) is not None
    ]

    assert matched == []


def test_highest_score_wins_among_several_matches():
    web = event_titled(chronicle(WEB_CHRONICLE), "第十一届金砖国家工会论坛举行")
    weak = snapshot_of(web, id=1, title="金砖国家工会论坛在北京举行", summary=web.summary)
    strong = snapshot_of(web, id=2)

    decision = find_match(web, [weak, strong], source_id=WEB_SOURCE)

    assert decision is not None
    assert decision.event_id == 2


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("国家协调劳动关系三方会议第二十七次会议召开", "国家协调劳动关系三方会议第27次会议召开"),
    ],
)
def test_chinese_and_arabic_ordinals_compare_equal(a, b):
    assert text_similarity(a, a, b, b) == pytest.approx(1.0)
