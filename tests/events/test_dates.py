from datetime import date
from pathlib import Path

import pytest

from events.extraction.dates import (
    Anchor,
    DateContext,
    Precision,
    Role,
    chinese_numeral_value,
    context_after,
    date_text_zh,
    find_dates,
)

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
Y2022 = DateContext(year=2022)


def only(text, context=Y2022):
    mentions = find_dates(text, context=context)
    assert len(mentions) == 1, mentions
    return mentions[0]


def as_tuple(mention):
    return (mention.text, mention.date_start, mention.date_end, mention.precision)


# The sentence in (copied from the seeds), the one date mention expected out.
@pytest.mark.parametrize(
    ("sentence", "text", "start", "end", "precision"),
    [
        (
            "2022年4月27日至29日，大会以线上线下相结合的方式举办",
            "2022年4月27日至29日",
            date(2022, 4, 27),
            date(2022, 4, 29),
            Precision.DAY,
        ),
        (
            "2022年6月下旬至12月底，“转作风、解难题、促发展、保稳定”专项行动在工会系统集中开展",
            "2022年6月下旬至12月底",
            date(2022, 6, 21),
            date(2022, 12, 31),
            Precision.XUN,
        ),
        (
            "自2022年9月至2023年9月，在工会系统集中开展“县级工会加强年”专项工作。",
            "2022年9月至2023年9月",
            date(2022, 9, 1),
            date(2023, 9, 30),
            Precision.MONTH,
        ),
        (
            "2022年7月盛夏，中华全国总工会迎来一项重要的外事活动",
            "2022年7月盛夏",
            date(2022, 7, 1),
            None,
            Precision.MONTH,
        ),
        (
            "2022年12月中旬，一则新闻在网上迅速传播",
            "2022年12月中旬",
            date(2022, 12, 11),
            None,
            Precision.XUN,
        ),
        (
            "2022年9月23日上午9时，河北省廊坊市11个县(市、区)同步启动",
            "2022年9月23日",
            date(2022, 9, 23),
            None,
            Precision.DAY,
        ),
        (
            "开展2022年度“暖途·货车司机职业发展与保障行动”",
            "2022年度",
            date(2022, 1, 1),
            None,
            Precision.YEAR,
        ),
        (
            "审议通过《集体协商十佳案例(2019-2021年)》",
            "2019-2021年",
            date(2019, 1, 1),
            date(2021, 12, 31),
            Precision.YEAR,
        ),
        (
            "2022年首都工会十大新闻盘点",
            "2022年",
            date(2022, 1, 1),
            None,
            Precision.YEAR,
        ),
    ],
)
def test_seed_sentence_yields_the_stated_period(sentence, text, start, end, precision):
    assert as_tuple(only(sentence)) == (text, start, end, precision)


def test_pdf_spacing_inside_a_date_is_tolerated_and_kept_in_the_text():
    mention = only("【镜头】2022 年 6 月下旬至 12 月底，")
    assert as_tuple(mention) == (
        "2022 年 6 月下旬至 12 月底",
        date(2022, 6, 21),
        date(2022, 12, 31),
        Precision.XUN,
    )
    assert (mention.start, mention.end) == (4, 23)


def test_year_broken_across_pdf_lines_is_one_mention():
    assert only("推进互联网百强企业建会是 2022\n年全总").date_start == date(2022, 1, 1)


def test_listed_days_span_from_first_to_last():
    assert as_tuple(only("2023年7月11日和12日")) == (
        "2023年7月11日和12日",
        date(2023, 7, 11),
        date(2023, 7, 12),
        Precision.DAY,
    )


def test_listed_full_dates_stay_separate_mentions():
    mentions = find_dates("2022年9月15日、9月27日")
    assert [m.date_start for m in mentions] == [date(2022, 9, 15), date(2022, 9, 27)]
    assert all(m.date_end is None for m in mentions)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022年9月—2023年9月", date(2022, 9, 1), date(2023, 9, 30)),
        ("2021年3月-5月", date(2021, 3, 1), date(2021, 5, 31)),
        ("2021年3月到5月", date(2021, 3, 1), date(2021, 5, 31)),
        ("2021年1—9月", date(2021, 1, 1), date(2021, 9, 30)),
        ("2021年12月30日至2022年1月2日", date(2021, 12, 30), date(2022, 1, 2)),
        ("2024年一季度至三季度", date(2024, 1, 1), date(2024, 9, 30)),
    ],
)
def test_range_separators_give_start_and_last_day(text, start, end):
    mention = only(text)
    assert (mention.text, mention.date_start, mention.date_end) == (text, start, end)


def test_range_whose_end_is_before_its_start_keeps_only_the_start():
    mention = only("2022年9月至3月")
    assert (mention.text, mention.date_start, mention.date_end) == (
        "2022年9月",
        date(2022, 9, 1),
        None,
    )


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2022年上半年", date(2022, 1, 1), date(2022, 6, 30), Precision.SEASON),
        ("2022年下半年", date(2022, 7, 1), date(2022, 12, 31), Precision.SEASON),
        ("2023年一季度", date(2023, 1, 1), None, Precision.SEASON),
        ("2023年第三季度", date(2023, 7, 1), None, Precision.SEASON),
        ("2023年前三季度", date(2023, 1, 1), date(2023, 9, 30), Precision.SEASON),
        ("2021年初", date(2021, 1, 1), None, Precision.MONTH),
        ("2021年底", date(2021, 12, 1), None, Precision.MONTH),
        ("2021年末", date(2021, 12, 1), None, Precision.MONTH),
        ("2021年中", date(2021, 6, 1), date(2021, 7, 31), Precision.MONTH),
        ("2021年5月上旬", date(2021, 5, 1), None, Precision.XUN),
        ("2021年5月中旬", date(2021, 5, 11), None, Precision.XUN),
        ("2021年5月下旬", date(2021, 5, 21), None, Precision.XUN),
        ("2021年5月初", date(2021, 5, 1), None, Precision.XUN),
        ("2021年5月中", date(2021, 5, 11), None, Precision.XUN),
        ("2021年5月底", date(2021, 5, 21), None, Precision.XUN),
        ("2020年度", date(2020, 1, 1), None, Precision.YEAR),
        ("2019年8月份", date(2019, 8, 1), None, Precision.MONTH),
    ],
)
def test_part_of_a_period_starts_on_its_first_day(text, start, end, precision):
    assert as_tuple(only(text)) == (text, start, end, precision)


@pytest.mark.parametrize(
    ("text", "start", "precision"),
    [
        ("二〇二二年十月", date(2022, 10, 1), Precision.MONTH),
        ("二零二一年三月十五日", date(2021, 3, 15), Precision.DAY),
        ("二〇二〇年十二月二十七日", date(2020, 12, 27), Precision.DAY),
    ],
)
def test_chinese_numeral_dates_parse(text, start, precision):
    assert as_tuple(only(text, context=None)) == (text, start, None, precision)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        *[("十", 10), ("十一", 11), ("二十七", 27), ("三百", 300), ("两千", 2000)],
        *[("二〇二二", 2022), ("一百二十万", 1_200_000), ("一百零五", 105)],
        *[("三亿五千万", 350_000_000), ("十四五", None)],
    ],
)
def test_chinese_numeral_value(numeral, value):
    assert chinese_numeral_value(numeral) == value


def test_month_without_year_takes_year_from_previous_date():
    text = "2022年9月15日，全市首家“首都工匠学院”落户；9月27日，在首钢工学院举办揭牌仪式；"
    first, second = find_dates(text)
    assert second.date_start == date(2022, 9, 27)
    assert (first.anchor, second.anchor) == (Anchor.EXPLICIT, Anchor.INHERITED)


def test_seed_003_chain_of_days_inherits_the_year_through_the_paragraph():
    text = (SEEDS / "003_8207376e8224c9f5.txt").read_text(encoding="utf-8")
    paragraph = text[text.index("2022年9月15日") : text.index("建设试点的第四家")]
    assert [m.date_start for m in find_dates(paragraph)] == [
        date(2022, 9, 15),
        date(2022, 9, 27),
        date(2022, 10, 22),
        date(2022, 10, 28),
    ]


def test_month_without_year_or_context_is_left_out():
    assert find_dates("9月") == ()


def test_document_year_is_inherited_by_a_bare_month():
    mention = only("9月", context=DateContext(year=2021))
    assert (mention.date_start, mention.anchor) == (date(2021, 9, 1), Anchor.INHERITED)


def test_chinese_month_inherits_year():
    assert only("十一月", context=DateContext(year=2021)).date_start == date(2021, 11, 1)


def test_same_year_takes_the_previous_year():
    mentions = find_dates("2019年3月启动。同年8月完成。")
    assert mentions[1].date_start == date(2019, 8, 1)
    assert mentions[1].anchor is Anchor.INHERITED


def test_next_year_is_relative_to_the_previous_year():
    mention = find_dates("2019年3月启动，次年5月完成")[1]
    assert (mention.date_start, mention.anchor) == (date(2020, 5, 1), Anchor.RELATIVE)


def test_next_day_after_a_range_follows_its_last_day():
    mention = find_dates("2022年4月27日至29日举办，次日闭幕")[1]
    assert (mention.text, mention.date_start, mention.precision) == (
        "次日",
        date(2022, 4, 30),
        Precision.DAY,
    )
    assert mention.anchor is Anchor.RELATIVE


def test_half_a_month_earlier_is_the_xun_of_the_computed_day_and_approximate():
    sentence = (
        "在2022年6月2日举行的产业工人队伍建设改革五周年新闻发布会上，这样一组数据为"
        "改革作出生动注脚。而在此前半个月，深入推进产业工人队伍建设改革电视电话会议召开"
    )
    mention = find_dates(sentence)[1]
    assert as_tuple(mention) == ("此前半个月", date(2022, 5, 11), None, Precision.XUN)
    assert mention.approximate
    assert mention.anchor is Anchor.RELATIVE


@pytest.mark.parametrize(
    ("text", "start", "precision"),
    [
        ("三天后", date(2022, 6, 5), Precision.DAY),
        ("此后一周", date(2022, 6, 9), Precision.DAY),
        ("此后两个月", date(2022, 8, 1), Precision.MONTH),
        ("次月", date(2022, 7, 1), Precision.MONTH),
        ("当天", date(2022, 6, 2), Precision.DAY),
    ],
)
def test_offsets_from_the_previous_day(text, start, precision):
    mention = only(text, context=DateContext(2022, 6, 2))
    assert (mention.date_start, mention.precision, mention.anchor) == (
        start,
        precision,
        Anchor.RELATIVE,
    )


def test_next_day_without_a_previous_day_is_left_out():
    assert find_dates("次日", context=Y2022) == ()


def test_festival_eve_is_the_xun_before_the_festival():
    sentence = "2022年“五一”国际劳动节前夕，习近平总书记向首届大国工匠创新交流大会致贺信"
    mention = only(sentence)
    assert as_tuple(mention) == (
        "2022年“五一”国际劳动节前夕",
        date(2022, 4, 21),
        None,
        Precision.XUN,
    )
    assert mention.approximate


def test_new_year_eve_falls_in_the_previous_december():
    assert only("2023年元旦前夕").date_start == date(2022, 12, 21)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("元旦", date(2022, 1, 1)),
        ("“三八”国际妇女节", date(2022, 3, 8)),
        ("三八节", date(2022, 3, 8)),
        ("“七一”", date(2022, 7, 1)),
        ("国庆节", date(2022, 10, 1)),
        ("“五一”", date(2022, 5, 1)),
        ("春节", date(2022, 2, 1)),
        ("元宵节", date(2022, 2, 15)),
        ("中秋节", date(2022, 9, 10)),
        ("端午节", date(2022, 6, 3)),
        ("重阳节", date(2022, 10, 4)),
    ],
)
def test_festival_takes_year_from_context(text, day):
    mention = only(text)
    assert (mention.date_start, mention.precision, mention.anchor) == (
        day,
        Precision.DAY,
        Anchor.INHERITED,
    )


def test_lunar_festival_is_dated_in_any_year_of_the_calendar():
    assert only("2035年春节").date_start == date(2035, 2, 8)


def test_lunar_festival_beyond_the_calendar_is_found_but_not_dated():
    mention = only("2100年春节")
    assert (mention.date_start, mention.precision, mention.anchor) == (
        None,
        None,
        Anchor.UNRESOLVED,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "全国五一劳动奖评选表彰工作突出面向基层",
        "“七一勋章”",
        "通过“5·20”关爱计划等",
        "“6+6”服务",
        "产业工人队伍建设改革进入第5个年头",
        "产业工人队伍建设改革五周年新闻发布会",
        "党的二十大胜利召开",
        "职业病防治法宣传周活动带动全市2300多家企业参与",
        "大会利用3D VR全景展示技术",
        "这项工作启动近6个月来",
        "5年来，在各方共同努力下",
        "3年间，各级三方共计培训协商代表127万人次",
        "各级工会筹集两节送温暖活动款物",
        "2022年初步建成",
    ],
)
def test_phrases_that_are_not_dates(sentence):
    found = find_dates(sentence, context=Y2022)
    assert [m.text for m in found if m.text != "2022年"] == []


def test_year_before_a_headline_is_a_year_mention_not_more():
    assert [m.text for m in find_dates("2022年首都工会十大新闻")] == ["2022年"]


def test_as_of_end_of_year_is_the_last_day():
    sentence = "截至2021年底,全国技能人才总量超过2亿人,高技能人才超过6000万人"
    mention = only(sentence)
    assert (mention.role, mention.as_of) == (Role.AS_OF, date(2021, 12, 31))
    assert (mention.date_start, mention.precision) == (date(2021, 12, 1), Precision.MONTH)


def test_as_of_now_has_no_date():
    mention = only("截至目前，市总工会先后推进")
    assert (mention.role, mention.text, mention.as_of) == (Role.AS_OF, "截至目前", None)


def test_as_of_mention_does_not_move_the_context():
    mentions = find_dates("2022年6月2日举行发布会。截至2021年底，人才超过2亿人。次日")
    assert mentions[-1].date_start == date(2022, 6, 3)


def test_context_after_carries_the_last_event_date_into_the_next_segment():
    context = context_after(find_dates("2022年9月15日落户"), Y2022)
    assert context == DateContext(2022, 9, 15)
    assert only("10月22日", context=context).date_start == date(2022, 10, 22)


@pytest.mark.parametrize(
    ("start", "end", "precision", "expected"),
    [
        (date(2022, 6, 21), None, "xun", "2022年6月下旬"),
        (date(2022, 6, 21), date(2022, 12, 31), "xun", "2022年6月下旬至12月底"),
        (date(2022, 4, 27), date(2022, 4, 29), "day", "2022年4月27日至29日"),
        (date(2022, 4, 27), date(2022, 5, 2), "day", "2022年4月27日至5月2日"),
        (date(2022, 12, 30), date(2023, 1, 2), "day", "2022年12月30日至2023年1月2日"),
        (date(2022, 7, 1), None, "month", "2022年7月"),
        (date(2022, 9, 1), date(2023, 9, 30), "month", "2022年9月至2023年9月"),
        (date(2022, 1, 1), None, "year", "2022年"),
        (date(2019, 1, 1), date(2021, 12, 31), "year", "2019年至2021年"),
        (date(2022, 7, 1), None, "season", "2022年第三季度"),
        (date(2022, 1, 1), date(2022, 6, 30), "season", "2022年上半年"),
        (date(2022, 7, 1), date(2022, 12, 31), "season", "2022年下半年"),
        (date(2022, 1, 1), date(2022, 9, 30), "season", "2022年前三季度"),
        (None, None, None, ""),
    ],
)
def test_date_text_zh_renders_the_editors_form(start, end, precision, expected):
    assert date_text_zh(start, end, precision) == expected


@pytest.mark.parametrize(
    "text",
    [
        *["2022年6月下旬至12月底", "2022年4月27日至29日", "2022年9月至2023年9月"],
        *["2022年上半年", "2022年第三季度", "2022年7月", "2022年", "2021年5月中旬"],
    ],
)
def test_date_text_zh_round_trips_what_find_dates_reads(text):
    mention = only(text)
    assert date_text_zh(mention.date_start, mention.date_end, mention.precision) == text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "001_cc9b9e4083e5dcfd.txt",
            [
                ("2022年11月10日", date(2022, 11, 10), None),
                ("2022年“五一”国际劳动节前夕", date(2022, 4, 21), None),
                ("2022年4月27日至29日", date(2022, 4, 27), date(2022, 4, 29)),
                ("截至2021年底", date(2021, 12, 1), None),
                ("2022年6月2日", date(2022, 6, 2), None),
                ("此前半个月", date(2022, 5, 11), None),
                ("2022年9月2日", date(2022, 9, 2), None),
                ("2022年7月29日", date(2022, 7, 29), None),
                ("2022年9月23日", date(2022, 9, 23), None),
                ("2022年6月下旬至12月底", date(2022, 6, 21), date(2022, 12, 31)),
                ("2022年8月17日", date(2022, 8, 17), None),
                ("2022年9月至2023年9月", date(2022, 9, 1), date(2023, 9, 30)),
                ("2022年6月17日", date(2022, 6, 17), None),
                ("2022年12月中旬", date(2022, 12, 11), None),
                ("2022年7月盛夏", date(2022, 7, 1), None),
            ],
        ),
        (
            "000_ec886a1654eefea1.txt",
            [
                ("2022年11月10日", date(2022, 11, 10), None),
                ("2022年“五一”国际劳动节前夕", date(2022, 4, 21), None),
                ("2022年4月27日至29日", date(2022, 4, 27), date(2022, 4, 29)),
                ("截至2021年底", date(2021, 12, 1), None),
                ("此前半个月", date(2022, 5, 11), None),
                ("2022年6月下旬至12月底", date(2022, 6, 21), date(2022, 12, 31)),
                ("2022年9月至2023年9月", date(2022, 9, 1), date(2023, 9, 30)),
                ("2022年12月中旬", date(2022, 12, 11), None),
                ("2022年7月盛夏", date(2022, 7, 1), None),
            ],
        ),
    ],
)
def test_chronicle_seed_dates_below_year_precision(name, expected):
    text = (SEEDS / name).read_text(encoding="utf-8")
    found = [
        ("".join(m.text.split()), m.date_start, m.date_end)
        for m in find_dates(text, context=Y2022)
        if m.precision is not Precision.YEAR
    ]
    for row in expected:
        assert row in found
    if name.startswith("001"):
        assert len(found) == len(expected)
