import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from events.extraction.candidates import EventCandidate, Extraction
from events.extraction.occurrences import extract_events
from sources.normalise import normalise
from sources.reading import read_path
from sources.segment import Item, segment

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "fixtures" / "seeds"
DATA = Path(__file__).resolve().parent / "data"
PDF_CHRONICLE = SEEDS / "000_ec886a1654eefea1.txt"
WEB_CHRONICLE = SEEDS / "001_cc9b9e4083e5dcfd.txt"
REPORT = SEEDS / "002_3e78385779fe9d26.txt"
TOP_TEN = SEEDS / "003_8207376e8224c9f5.txt"
CHRONICLE_2019 = DATA / "chronicle_2019_months.txt"
TOP_TEN_2019 = DATA / "top_ten_2019_jiangcheng.txt"


class FakeAnnotator:
    """Substring tables standing in for the jieba-based annotator."""

    ORGANISATIONS = {"全总": "中华全国总工会", "中华全国总工会": "中华全国总工会"}
    PLACES = ("北京", "深圳", "长沙", "廊坊")
    CATEGORIES = {"金砖": "foreign-exchange", "工匠": "craftsmen"}
    TAGS = ("大国工匠", "金砖国家", "首都工匠学院")

    def organisations(self, text: str) -> tuple[str, ...]:
        found = {name for alias, name in self.ORGANISATIONS.items() if alias in text}
        return tuple(sorted(found))

    def category(self, text: str, *, title: str) -> str | None:
        return next((slug for word, slug in self.CATEGORIES.items() if word in title), None)

    def tags(self, text: str) -> tuple[str, ...]:
        return tuple(tag for tag in self.TAGS if tag in text)

    def place(self, text: str) -> str | None:
        return next((place for place in self.PLACES if place in text), None)


@cache
def _read(path: Path) -> tuple[str, tuple[Item, ...]]:
    text = normalise(read_path(path).text).text
    return text, segment(text)


@cache
def run(path: Path, kind: str, year: int | None) -> Extraction:
    text, items = _read(path)
    return extract_events(text, items, kind=kind, document_year=year, annotator=FakeAnnotator())


def chronicle(path: Path) -> Extraction:
    return run(path, "chronicle", 2022)


def event_titled(
    extraction: Extraction | Sequence[EventCandidate], fragment: str
) -> EventCandidate:
    events = extraction.events if isinstance(extraction, Extraction) else extraction
    matching = [e for e in events if fragment in e.title]
    assert len(matching) == 1, (fragment, [e.title for e in events])
    return matching[0]


def _row(event: EventCandidate) -> tuple:
    return (event.date_start, event.date_end, event.date_precision, event.kind)


D = date
# 000 and 001 tell the same 11 entries; two of them tell two occurrences each.
CHRONICLE_2022 = [
    ("掀起学习宣传贯彻党的二十大精神热潮", D(2022, 11, 10), None, "day", "happened"),
    ("习近平总书记向首届大国工匠创新交流大会致贺信", D(2022, 4, 21), None, "xun", "happened"),
    ("首届大国工匠创新交流大会举办", D(2022, 4, 27), D(2022, 4, 29), "day", "happened"),
    ("“产改”5周年取得阶段性成效", D(2022, 6, 2), None, "day", "happened"),
    ("产业工人队伍建设改革电视电话会议召开", D(2022, 5, 11), None, "xun", "happened"),
    ("大国工匠“霸屏”全媒体平台", D(2022, 9, 2), None, "day", "happened"),
    ("工会十年成绩簿引发关注", D(2022, 7, 29), None, "day", "happened"),
    ("解决新就业形态劳动者急难愁盼问题", D(2022, 9, 23), None, "day", "happened"),
    ("专项行动", D(2022, 6, 21), D(2022, 12, 31), "xun", "happened"),
    ("“县级工会加强年”专项工作启动", D(2022, 8, 17), None, "day", "happened"),
    ("集体协商3年行动计划收官", D(2022, 6, 17), None, "day", "happened"),
    ("互联网百强企业全部建立工会", D(2022, 12, 11), None, "xun", "happened"),
    ("第十一届金砖国家工会论坛举行", D(2022, 7, 1), None, "month", "happened"),
]

TOP_TEN_2022 = [
    ("认真学习宣传贯彻党的二十大精神", D(2022, 1, 1), None, "year", "happened"),
    ("积极助力北京2022年冬奥会、冬残奥会", D(2022, 1, 1), None, "year", "happened"),
    ("扎实推进产业工人队伍建设改革工作", D(2022, 1, 1), None, "year", "happened"),
    ("全市首家“首都工匠学院”落户北京市总工会职工大学", D(2022, 9, 15), None, "day", "happened"),
    ("全市第二家“首都工匠学院”揭牌仪式", D(2022, 9, 27), None, "day", "happened"),
    (
        "全市第三家“首都工匠学院”授牌仪式在北京城市学院举办",
        D(2022, 10, 22),
        None,
        "day",
        "happened",
    ),
    ("全市首个行业“首都工匠学院”落户北京花乡花木集团", D(2022, 10, 28), None, "day", "happened"),
    ("关心关爱新就业形态劳动者", D(2022, 1, 1), None, "year", "happened"),
    ("积极助力疫情防控和经济社会发展", D(2022, 1, 1), None, "year", "happened"),
    ("答好构建和谐劳动关系考题", D(2022, 1, 1), None, "year", "happened"),
    ("市总工会启动“区级工会加强年”专项工作", D(2022, 9, 22), None, "day", "happened"),
    ("“最美户外劳动者服务站”推树活动举办", D(2022, 1, 1), None, "year", "happened"),
    ("第三届“北京大工匠”选树工作启动", D(2022, 1, 1), None, "year", "happened"),
]

CHRONICLE_2019_TABLE = [
    ("滨海市总工会第十五届委员会第三次全体会议召开", D(2019, 1, 9), None, "day", "happened"),
    ("市总工会印发《关于做好2019年元旦春节送温暖工作的通知》", D(2018, 12, 28), None, "day",
     "historical"),
    ("市总工会开展“两节”送温暖活动", D(2019, 1, 22), D(2019, 1, 24), "day", "happened"),
    ("全市“巾帼建功”劳动竞赛启动", D(2019, 3, 1), None, "xun", "happened"),
    ("国际劳动妇女节座谈会", D(2019, 3, 8), None, "day", "happened"),
    ("全市职工书屋建设任务全部完成", D(2019, 12, 1), None, "month", "happened"),
]  # fmt: skip

TOP_TEN_2019_TABLE = [
    ("江城市总工会第十四次代表大会召开", D(2019, 6, 18), D(2019, 6, 20), "day", "happened"),
    ("全市职工技能大赛圆满落幕", D(2019, 1, 1), None, "year", "happened"),
    ("江城工匠学院机械分院在江城技师学院揭牌", D(2019, 4, 12), None, "day", "happened"),
    ("电子信息分院在江城职业技术学院揭牌", D(2019, 5, 8), None, "day", "happened"),
    ("职工之家建设三年行动计划启动", D(2019, 4, 1), None, "season", "happened"),
]


# --- tables per seed -----------------------------------------------------------------


@pytest.mark.parametrize("path", [PDF_CHRONICLE, WEB_CHRONICLE], ids=["pdf", "web"])
@pytest.mark.parametrize(("fragment", "start", "end", "precision", "kind"), CHRONICLE_2022)
def test_chronicle_occurrence_has_its_stated_period(path, fragment, start, end, precision, kind):
    event = event_titled(chronicle(path), fragment)

    assert _row(event) == (start, end, precision, kind)


@pytest.mark.parametrize("path", [PDF_CHRONICLE, WEB_CHRONICLE], ids=["pdf", "web"])
def test_chronicle_yields_exactly_the_tabled_occurrences(path):
    assert len(chronicle(path).events) == len(CHRONICLE_2022)


@pytest.mark.parametrize(("fragment", "start", "end", "precision", "kind"), TOP_TEN_2022)
def test_top_ten_item_has_its_stated_period(fragment, start, end, precision, kind):
    event = event_titled(run(TOP_TEN, "top-news", 2022), fragment)

    assert _row(event) == (start, end, precision, kind)


def test_top_ten_yields_one_event_per_item_and_one_per_craftsman_college_opening():
    assert len(run(TOP_TEN, "top-news", 2022).events) == len(TOP_TEN_2022) == 9 + 4


@pytest.mark.parametrize(("fragment", "start", "end", "precision", "kind"), CHRONICLE_2019_TABLE)
def test_month_headed_2019_chronicle_dates_each_day_entry(fragment, start, end, precision, kind):
    event = event_titled(run(CHRONICLE_2019, "chronicle", 2019), fragment)

    assert _row(event) == (start, end, precision, kind)


def test_month_headed_chronicle_yields_only_the_tabled_entries():
    assert len(run(CHRONICLE_2019, "chronicle", 2019).events) == len(CHRONICLE_2019_TABLE)


@pytest.mark.parametrize(("fragment", "start", "end", "precision", "kind"), TOP_TEN_2019_TABLE)
def test_other_city_top_ten_dates_each_occurrence(fragment, start, end, precision, kind):
    event = event_titled(run(TOP_TEN_2019, "top-news", 2019), fragment)

    assert _row(event) == (start, end, precision, kind)


def test_other_city_top_ten_commentary_dates_start_no_events():
    extraction = run(TOP_TEN_2019, "top-news", 2019)

    assert len(extraction.events) == len(TOP_TEN_2019_TABLE)
    assert all(e.date_start.year == 2019 for e in extraction.events)


# --- titles, summaries, excerpts -----------------------------------------------------

ALL_RUNS = [
    (PDF_CHRONICLE, "chronicle", 2022),
    (WEB_CHRONICLE, "chronicle", 2022),
    (REPORT, "report", None),
    (TOP_TEN, "top-news", 2022),
    (CHRONICLE_2019, "chronicle", 2019),
    (TOP_TEN_2019, "top-news", 2019),
]
RUN_IDS = ["pdf", "web", "report", "top-ten", "chronicle-2019", "top-ten-2019"]


@pytest.mark.parametrize(("path", "kind", "year"), ALL_RUNS, ids=RUN_IDS)
def test_excerpt_slices_the_normalised_text_to_the_summary(path, kind, year):
    text, _ = _read(path)

    for event in run(path, kind, year).events:
        assert text[event.excerpt_start : event.excerpt_end] == event.summary
        assert event.summary.strip() == event.summary
        assert event.summary


@pytest.mark.parametrize(("path", "kind", "year"), ALL_RUNS, ids=RUN_IDS)
def test_keys_are_unique_within_a_document(path, kind, year):
    keys = [e.key for e in run(path, kind, year).events]

    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("path", "kind", "year"), ALL_RUNS, ids=RUN_IDS)
def test_confidence_stays_within_zero_and_one(path, kind, year):
    assert all(0 <= e.confidence <= 1 for e in run(path, kind, year).events)


def test_keys_survive_an_edit_that_shifts_every_offset():
    text, _ = _read(WEB_CHRONICLE)
    edited = "编者按：本文转载自工人日报，略有删节。\n\n" + text
    before = chronicle(WEB_CHRONICLE)

    after = extract_events(
        edited, segment(edited), kind="chronicle", document_year=2022, annotator=FakeAnnotator()
    )

    assert [e.key for e in after.events] == [e.key for e in before.events]
    assert after.events[0].excerpt_start != before.events[0].excerpt_start


def test_craftsman_college_openings_are_titled_and_excerpted_by_their_own_clause():
    event = event_titled(run(TOP_TEN, "top-news", 2022), "全市首家")

    assert event.title == "全市首家“首都工匠学院”落户北京市总工会职工大学"
    assert event.summary == "2022年9月15日，全市首家“首都工匠学院”落户北京市总工会职工大学"
    assert event.date_text == "2022年9月15日"


def test_month_and_day_without_year_inherit_the_year_of_the_previous_opening():
    event = event_titled(run(TOP_TEN, "top-news", 2022), "全市第二家")

    assert event.date_text == "9月27日"
    assert event.date_start == date(2022, 9, 27)


def test_entry_heading_names_the_occurrence_whose_date_opens_the_paragraph():
    extraction = chronicle(WEB_CHRONICLE)

    congress = event_titled(extraction, "首届大国工匠创新交流大会举办")

    assert congress.summary.startswith("2022年4月27日至29日，大会以线上线下相结合的方式举办")
    assert congress.date_text == "2022年4月27日至29日"


def test_deployment_meeting_not_the_campaign_period_dates_the_county_union_year():
    event = event_titled(chronicle(WEB_CHRONICLE), "“县级工会加强年”专项工作启动")

    assert event.date_start == date(2022, 8, 17)
    assert "自2022年9月至2023年9月" in event.summary


def test_year_only_top_ten_item_keeps_the_year_as_written():
    event = event_titled(run(TOP_TEN, "top-news", 2022), "第三届“北京大工匠”选树工作启动")

    assert event.date_text == "2022年"
    assert event.summary == "2022年，市总工会启动第三届“北京大工匠”选树工作。"


def test_item_without_any_written_date_falls_back_to_the_document_year_with_less_confidence():
    extraction = run(TOP_TEN, "top-news", 2022)
    undated = event_titled(extraction, "答好构建和谐劳动关系考题")
    written = event_titled(extraction, "第三届“北京大工匠”选树工作启动")

    assert (undated.date_start, undated.date_text) == (date(2022, 1, 1), "")
    assert undated.confidence < written.confidence


def test_background_years_do_not_become_events():
    dates = {e.date_start.year for e in chronicle(WEB_CHRONICLE).events}

    assert dates == {2022}  # not 2012 (金砖 founded), 2017 (产改 began), 2019, 2035


def test_explicit_day_with_heading_is_more_confident_than_a_relative_approximate_date():
    extraction = chronicle(WEB_CHRONICLE)

    press_conference = event_titled(extraction, "“产改”5周年取得阶段性成效")
    earlier_meeting = event_titled(extraction, "电视电话会议召开")

    assert press_conference.confidence > earlier_meeting.confidence


def test_cut_pdf_entry_is_less_confident_than_its_web_twin():
    pdf = event_titled(chronicle(PDF_CHRONICLE), "工会十年成绩簿引发关注")
    web = event_titled(chronicle(WEB_CHRONICLE), "工会十年成绩簿引发关注")

    assert pdf.confidence < web.confidence


# --- structure: every entry, never commentary ---------------------------------------


@pytest.mark.parametrize(
    ("path", "kind", "year"),
    [(WEB_CHRONICLE, "chronicle", 2022), (TOP_TEN, "top-news", 2022), *ALL_RUNS[4:]],
    ids=["web", "top-ten", "chronicle-2019", "top-ten-2019"],
)
def test_every_headline_item_yields_an_event(path, kind, year):
    _, items = _read(path)
    events = run(path, kind, year).events

    for item in items:
        if item.kind == "headline":
            assert any(item.start <= e.excerpt_start < item.end for e in events), item.heading


@pytest.mark.parametrize(("path", "kind", "year"), ALL_RUNS, ids=RUN_IDS)
def test_commentary_never_yields_an_event(path, kind, year):
    _, items = _read(path)
    commentary = [i for i in items if i.kind == "commentary"]

    for event in run(path, kind, year).events:
        assert not any(c.start <= event.excerpt_start < c.end for c in commentary), event.title


def test_pdf_heading_printed_away_from_its_entry_is_given_back_and_the_tail_passed_over():
    extraction = chronicle(PDF_CHRONICLE)

    event = event_titled(extraction, "“县级工会加强年”专项工作启动")
    displaced = [p for p in extraction.passed_over if p.reason.startswith("displaced text")]

    assert event.summary.startswith("2022年8月17日，全总机关大楼里")
    assert [p.heading for p in displaced] == ["“县级工会加强年”专项工作启动"]


@pytest.mark.parametrize("path", [PDF_CHRONICLE, WEB_CHRONICLE], ids=["pdf", "web"])
def test_chronicle_themes_are_passed_over_as_year_overview(path):
    passed = chronicle(path).passed_over
    themes = [p for p in passed if p.heading in {"加强职工思想政治引领", "组织职工建功立业"}]

    assert len(themes) == 2
    assert all("year overview" in p.reason for p in themes)


# --- the report ------------------------------------------------------------------------


def _report() -> Extraction:
    return run(REPORT, "report", None)


def _planned_part_start() -> int:
    _, items = _read(REPORT)
    return next(i.start for i in items if i.kind == "part" and "2023年" in (i.heading or ""))


@pytest.mark.parametrize(
    ("fragment", "start", "precision", "kind"),
    [
        ("成功举办首届大国工匠创新交流大会", D(2022, 1, 1), "year", "happened"),
        ("召开第27次会议", D(2022, 1, 1), "year", "happened"),
        ("举行产改5周年新闻发布会", D(2022, 1, 1), "year", "happened"),
        ("成功举办第十一届金砖国家工会论坛", D(2022, 1, 1), "year", "happened"),
        ("组织开展第九次全国职工队伍状况调查", D(2022, 1, 1), "year", "happened"),
        ("中国工会将召开第十八次全国代表大会", D(2023, 1, 1), "year", "planned"),
        ("开展第三届全国城市工会集体协商竞赛", D(2023, 1, 1), "year", "planned"),
    ],
)
def test_report_concrete_occurrence_is_an_event(fragment, start, precision, kind):
    event = event_titled(_report(), fragment)

    assert (event.date_start, event.date_precision, event.kind) == (start, precision, kind)


def test_report_review_year_is_the_year_before_the_planned_tasks_when_not_given():
    undated_review = _report()
    given = run(REPORT, "report", 2022)

    assert [e.date_start for e in given.events] == [e.date_start for e in undated_review.events]


def test_report_events_under_the_coming_years_tasks_are_planned_and_the_rest_happened():
    boundary = _planned_part_start()

    for event in _report().events:
        expected = "planned" if event.excerpt_start >= boundary else "happened"
        assert event.kind == expected, event.title


def test_report_generic_policy_points_are_passed_over_with_a_reason():
    passed = {p.heading: p.reason for p in _report().passed_over}

    assert (
        passed["一是坚决有力防控风险。"] == "generic policy prose: no dated or concrete occurrence"
    )
    assert passed["二是加强工会组织党的建设。"].startswith("planned task in general terms")


def test_report_means_and_frames_are_not_occurrences():
    titles = [e.title for e in _report().events]

    assert not any("为契机" in t or "通过多次召开会议" in t for t in titles)


def test_report_telling_is_less_confident_than_the_chronicle_entry_of_the_same_occurrence():
    report = event_titled(_report(), "成功举办首届大国工匠创新交流大会")
    entry = event_titled(chronicle(WEB_CHRONICLE), "首届大国工匠创新交流大会举办")

    assert report.confidence < entry.confidence


# --- metrics ---------------------------------------------------------------------------


def test_metrics_go_to_the_event_that_states_them_with_offsets_into_the_text():
    text, _ = _read(WEB_CHRONICLE)
    congress = event_titled(chronicle(WEB_CHRONICLE), "首届大国工匠创新交流大会举办")

    values = {m.text: m.value for m in congress.metrics}

    assert values["84.86亿元"] == Decimal("8486000000")
    assert values["495项"] == Decimal(495)
    assert all(text[m.start : m.end] == m.text for m in congress.metrics)


def test_as_of_dates_a_statistic_but_not_the_event():
    event = event_titled(chronicle(WEB_CHRONICLE), "“产改”5周年取得阶段性成效")

    assert event.date_start == date(2022, 6, 2)
    assert {m.as_of for m in event.metrics} == {date(2021, 12, 31)}


def test_report_metrics_of_passed_over_points_are_unattached():
    unattached = {m.text for m in _report().unattached_metrics}
    congress = event_titled(_report(), "成功举办首届大国工匠创新交流大会")

    assert "279家" in unattached
    assert {m.text for m in congress.metrics} == {"495项", "84.86亿元"}


def test_metric_outside_every_excerpt_goes_to_the_nearest_event_of_its_item():
    text = (
        "## 工匠学院挂牌\n\n"
        "2022年9月15日，甲学院揭牌，首期招收学员40人；10月8日，乙学院揭牌。\n\n"
        "乙学院首期培训职工300人。\n\n"
        "## 其他工作\n\n2022年，全市开展其他工作。\n"
    )
    extraction = extract_events(
        text, segment(text), kind="top-news", document_year=2022, annotator=FakeAnnotator()
    )

    first, second, _ = extraction.events
    assert [m.text for m in first.metrics] == ["40人"]
    assert [m.text for m in second.metrics] == ["300人"]


# --- annotation and purity ---------------------------------------------------------------


def test_annotator_supplies_place_category_tags_and_organisations():
    event = event_titled(chronicle(WEB_CHRONICLE), "第十一届金砖国家工会论坛举行")

    assert event.place == "北京"
    assert event.category == "foreign-exchange"
    assert event.organisations == ("中华全国总工会",)
    assert "金砖国家" in event.tags


def test_unknown_place_is_an_empty_string():
    event = event_titled(chronicle(WEB_CHRONICLE), "集体协商3年行动计划收官")

    assert event.place == ""
    assert replace(event, place="x").place == "x"  # candidates stay plain dataclasses


def test_extraction_modules_do_not_import_django():
    code = (
        "import sys, events.extraction.occurrences, events.extraction.merge; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )

    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False)

    assert result.returncode == 0
