from pathlib import Path

import pytest

from events.extraction.categories import CategoryRule, classify, find_place, load_taxonomy

TAXONOMY = load_taxonomy(Path(__file__).resolve().parents[2] / "fixtures" / "categories.json")


def test_taxonomy_loads_in_editorial_order_with_keywords():
    assert [rule.slug for rule in TAXONOMY][:3] == [
        "political-guidance",
        "labour-competition",
        "model-workers-craftsmen",
    ]
    assert "大国工匠" in TAXONOMY[2].keywords


# Title and paragraph from the seeds, the category expected.
@pytest.mark.parametrize(
    ("title", "text", "slug"),
    [
        (
            "第十一届金砖国家工会论坛举行",
            "2022年7月盛夏，中华全国总工会迎来一项重要的外事活动——第十一届金砖国家工会论坛在北京举行。",
            "foreign-exchange",
        ),
        (
            "掀起学习宣传贯彻党的二十大精神热潮",
            "邀请部分在京党的二十大代表、劳动模范、大国工匠进行集中座谈交流，"
            "只是全总学习宣传贯彻党的二十大精神的众多举措之一。",
            "political-guidance",
        ),
        (
            "首届大国工匠创新交流大会举办",
            "2022年4月27日至29日，大会以线上线下相结合的方式举办，在深圳会展中心设置77个交流区",
            "model-workers-craftsmen",
        ),
        (
            "“产改”5周年取得阶段性成效",
            "截至2021年底，全国技能人才总量超过2亿人，高技能人才超过6000万人",
            "industrial-workers-reform",
        ),
        (
            "解决新就业形态劳动者急难愁盼问题",
            "开展2022年度“暖途·货车司机职业发展与保障行动”、大力加强工会户外劳动者服务站点建设",
            "new-employment-forms",
        ),
        (
            "集体协商3年行动计划收官",
            "2022年6月17日，国家协调劳动关系三方会议第二十七次会议召开，"
            "听取关于实施集体协商“稳就业促发展构和谐”行动计划的总结报告",
            "collective-bargaining",
        ),
        (
            "“县级工会加强年”专项工作启动",
            "在工会系统集中开展“县级工会加强年”专项工作。",
            "union-building",
        ),
        (
            "全市各级工会组织积极助力疫情防控和经济社会发展",
            "推出助企纾困、帮扶职工、暖心关爱、强基促稳等务实举措。",
            "epidemic-response",
        ),
        (
            "市总工会大力推进“首都工匠学院”建设工作",
            "2022年9月15日，全市首家“首都工匠学院”落户北京市总工会职工大学；",
            "model-workers-craftsmen",
        ),
    ],
)
def test_classifies_seed_events(title, text, slug):
    assert classify(text, title=title, taxonomy=TAXONOMY)[0] == slug


def test_title_weighs_more_than_body():
    text = "组织劳动和技能竞赛，选树大国工匠。"
    assert classify(text, title="", taxonomy=TAXONOMY)[0] == "labour-competition"
    assert classify(text, title="大国工匠", taxonomy=TAXONOMY)[0] == "model-workers-craftsmen"


def test_keyword_inside_a_longer_keyword_counts_once():
    rules = [
        CategoryRule("a", "A", ("工匠",), 1),
        CategoryRule("b", "B", ("大国工匠",), 2),
    ]
    assert classify("大国工匠", title="", taxonomy=rules) == ("b", 1.0)


def test_score_is_the_winners_share_of_all_matched_weight():
    rules = [CategoryRule("a", "A", ("集体协商",), 1), CategoryRule("b", "B", ("疫情",), 2)]
    assert classify("集体协商应对疫情", title="", taxonomy=rules) == ("a", round(4 / 6, 3))


def test_tie_goes_to_the_category_placed_first():
    rules = [CategoryRule("first", "", ("论坛",), 1), CategoryRule("second", "", ("外事",), 2)]
    assert classify("外事论坛", title="", taxonomy=rules)[0] == "first"


def test_text_without_keywords_has_no_category():
    assert classify("春天将至，未来已来。", title="", taxonomy=TAXONOMY) == (None, 0.0)


# The sentence in (copied from the seeds), the place where the event happened.
@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("第十一届金砖国家工会论坛在北京举行。", "北京"),
        ("大会以线上线下相结合的方式举办，在深圳会展中心设置77个交流区", "深圳"),
        ("2022年9月2日，湖南长沙国际会议中心，在来自各制造业企业职工和观众的翘首以盼中", "长沙"),
        ("10月28日，全市首个行业“首都工匠学院”落户北京花乡花木集团", "北京"),
        ("2022年9月15日，全市首家“首都工匠学院”落户北京市总工会职工大学；", "北京"),
        ("2022年9月23日上午9时，河北省廊坊市11个县（市、区）同步启动“直播带岗”活动", "廊坊"),
        ("不仅在湖南，这股工匠热潮席卷全国", "湖南"),
        ("2022年北京冬奥会、冬残奥会的成功举办，全面展现了我国对国际社会的庄严承诺", "北京"),
    ],
)  # fmt: skip
def test_finds_where_the_event_happened(sentence, place):
    assert find_place(sentence) == place


@pytest.mark.parametrize(
    "sentence",
    [
        # an organisation's name is not a place
        "2022年，北京市总工会发布《2022年推进新就业形态劳动者工会工作要点》",
        "此次活动是2022年全总和河北省总工会主办的工会线上就业服务活动",
        "2022年6月17日，国家协调劳动关系三方会议第二十七次会议召开",
    ],
)
def test_no_place_when_none_is_named(sentence):
    assert find_place(sentence) is None


def test_named_venue_beats_an_earlier_passing_mention():
    sentence = "来自北京的代表赴会，大会在深圳会展中心举行"
    assert find_place(sentence) == "深圳"
