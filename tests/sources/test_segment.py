import pytest

from sources.normalise import normalise
from sources.reading import read_path
from sources.segment import segment
from tests.sources.conftest import DATA, seed_normalised


def _items(key: str):
    return segment(seed_normalised(key))


def _headlines(key: str) -> list:
    return [item for item in _items(key) if item.kind == "headline"]


def test_item_and_heading_offsets_slice_the_normalised_text_exactly(seed_key):
    text = seed_normalised(seed_key)

    items = segment(text)

    assert items
    for item in items:
        assert text[item.start : item.end] == item.text
        if item.heading is not None:
            assert text[item.heading_start : item.heading_end] == item.heading
            assert item.start <= item.heading_start < item.heading_end <= item.end


def test_items_are_indexed_in_order_and_children_lie_inside_their_parent(seed_key):
    items = _items(seed_key)

    for position, item in enumerate(items):
        assert item.index == position
        if item.parent is not None:
            parent = items[item.parent]
            assert parent.index < item.index
            assert parent.start <= item.start
            assert item.end <= parent.end


def test_web_chronicle_has_eleven_entries_headed_before_their_scene():
    headlines = _headlines("web_chronicle")

    assert len(headlines) == 11
    assert headlines[0].heading == "掀起学习宣传贯彻党的二十大精神热潮"
    assert headlines[-1].heading == "第十一届金砖国家工会论坛举行"
    assert not any(h.heading_after_body for h in headlines)
    assert not any(h.cut for h in headlines)


def test_pdf_chronicle_headings_printed_after_their_body_are_attached_and_flagged():
    headlines = _headlines("pdf_chronicle")

    first = headlines[0]
    assert first.heading == "第十一届金砖国家工会论坛举行"
    assert first.heading_after_body
    assert first.text.startswith("【镜头】2022年7月盛夏")
    assert first.text.endswith("第十一届金砖国家工会论坛举行")


def test_pdf_chronicle_entry_cut_by_the_layout_is_flagged():
    by_heading = {h.heading: h for h in _headlines("pdf_chronicle")}

    cut = by_heading["工会十年成绩簿引发关注"]
    assert cut.cut
    assert "body ends mid-sentence" in cut.notes
    assert cut.body.endswith("围绕这些有关工会10年成就和热点的话")


def test_pdf_chronicle_entry_without_its_heading_is_flagged():
    missing = [h for h in _headlines("pdf_chronicle") if h.heading is None]

    assert len(missing) == 1
    assert missing[0].text.startswith("【镜头】2022年8月17日")
    assert "heading missing" in missing[0].notes


def test_pdf_chronicle_displaced_text_becomes_a_flagged_entry():
    last = _headlines("pdf_chronicle")[-1]

    assert last.text.startswith("题，回答了记者提问。")
    assert "displaced text without its opening marker" in last.notes


@pytest.mark.parametrize(
    ("heading", "scene_start", "commentary_start"),
    [
        ("首届大国工匠创新交流大会举办", "“技术工人队伍是支撑中国制造", "伟大事业呼唤人才"),
        (
            "集体协商3年行动计划收官",
            "2022年6月17日，国家协调劳动关系三方会议",
            "集体协商在构建和谐劳动",
        ),
        ("互联网百强企业全部建立工会", "2022年12月中旬，一则新闻", "最大限度把互联网企业职"),
    ],
)
@pytest.mark.parametrize("key", ["pdf_chronicle", "web_chronicle"])
def test_chronicle_entries_hold_a_scene_and_a_commentary(
    key, heading, scene_start, commentary_start
):
    items = _items(key)
    entry = next(i for i in items if i.kind == "headline" and i.heading == heading)

    children = [i for i in items if i.parent == entry.index]

    assert [c.kind for c in children] == ["scene", "commentary"]
    assert children[0].heading == "【镜头】"
    assert children[0].body.startswith(scene_start)
    assert children[1].heading == "【手记】"
    assert children[1].body.startswith(commentary_start)


@pytest.mark.parametrize("key", ["pdf_chronicle", "web_chronicle"])
def test_chronicle_preamble_holds_the_themes_written_as_heading_dash_body(key):
    items = _items(key)
    preamble = items[0]
    themes = [i for i in items if i.kind == "theme"]

    assert preamble.kind == "preamble"
    assert [t.heading for t in themes] == [
        "加强职工思想政治引领",
        "组织职工建功立业",
        "认真履行维权服务基本职责",
        "改革创新依然是工会工作的关键词",
    ]
    assert all(t.parent == 0 for t in themes)


def test_top_ten_has_ten_headlines_each_with_replay_and_commentary():
    items = _items("top_ten")
    headlines = [i for i in items if i.kind == "headline"]

    assert len(headlines) == 10
    assert headlines[2].heading == "全市扎实推进产业工人队伍建设改革工作"
    for headline in headlines:
        children = [i for i in items if i.parent == headline.index]
        assert [c.kind for c in children] == ["replay", "commentary"]
        assert [c.heading for c in children] == ["【新闻回放】", "【评析】"]
        assert children[0].body.startswith(("2022", "为落实"))


def test_top_ten_preamble_is_headed_by_the_title():
    preamble = _items("top_ten")[0]

    assert preamble.kind == "preamble"
    assert preamble.heading == "2022年首都工会十大新闻盘点"
    assert not preamble.cut


def test_report_points_belong_to_sections_and_sections_to_parts():
    items = _items("report")
    by_heading = {i.heading: i for i in items}

    point = by_heading["一是多措并举深化改革。"]
    section = items[point.parent]
    assert point.kind == "point"
    assert section.heading == "（二）在新的起点上谋划推进产业工人队伍建设改革。"
    assert section.kind == "section"
    assert section.parent is None

    later = by_heading[
        "（一）深入学习宣传贯彻党的二十大精神，坚定拥护“两个确立”、坚决做到“两个维护”。"
    ]
    assert items[later.parent].heading == "二、2023年工会工作总体要求和主要任务"


def test_report_excerpt_starting_at_a_second_point_is_flagged_as_cut():
    first = _items("report")[0]

    assert first.kind == "point"
    assert first.heading == "二是掀起学习宣传贯彻党的二十大精神的热潮。"
    assert first.cut
    assert first.parent is None


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("（一）总体要求。\n\n正文。\n\n一是甲。乙。\n\n二是丙。\n", ["section", "point", "point"]),
        ("一、回顾\n\n（一）甲。\n\n（二）乙。\n", ["part", "section", "section"]),
        ("前言。\n\n一是甲。\n", ["preamble", "point"]),
    ],
)
def test_numbered_structure_is_segmented(text, kinds):
    assert [i.kind for i in segment(text)] == kinds


def test_gb18030_top_ten_is_segmented_after_reading_and_normalising():
    text = normalise(read_path(DATA / "top_ten_gb18030.txt").text).text

    items = segment(text)

    assert [i.kind for i in items] == [
        "preamble",
        "headline",
        "replay",
        "commentary",
        "headline",
        "replay",
        "commentary",
    ]
    assert items[4].heading == "新就业形态劳动者入会"


def test_empty_text_has_no_items():
    assert segment("") == ()
