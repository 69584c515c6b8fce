from pathlib import Path

import pytest

from events.extraction.organisations import (
    Level,
    OrgContext,
    detect_locality,
    find_organisations,
    guess_level,
    load_gazetteer,
    new_organisations,
)
from tests.sources.conftest import seed_normalised

GAZETTEER = load_gazetteer(Path(__file__).resolve().parents[2] / "fixtures" / "organisations.json")
NATIONAL = OrgContext(locality=None)
BEIJING = OrgContext(locality="北京")

# Phrases that name a kind or a group of organisations, never one organisation.
GENERIC_PHRASES = (
    "各级工会", "全市各级工会", "基层工会", "区级工会", "县级工会", "工会组织", "省级工会",
    "地方工会", "产业工会", "各地工会", "工匠学院", "中国工会", "金砖国家工会", "互联网企业",
    "各区总工会", "各局", "街乡工会", "上级工会",
)  # fmt: skip


def found(sentence, context=NATIONAL):
    """The mentions as (text as written, resolved name, discovered)."""
    mentions = find_organisations(sentence, gazetteer=GAZETTEER, context=context)
    return [(m.text, m.name, m.discovered) for m in mentions]


# The sentence in (copied from the seeds), the organisations expected out.
@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "2022年7月盛夏，中华全国总工会迎来一项重要的外事活动——第十一届金砖国家工会论坛在北京举行。",
            [("中华全国总工会", "中华全国总工会", False)],
        ),
        (
            "全国总工会启动2022年“新就业形态劳动者温暖服务季”活动",
            [("全国总工会", "中华全国总工会", False)],
        ),
        (
            "2022年11月10日，党的二十大代表、全国劳模宋学文走进全总机关",
            [("全总", "中华全国总工会", False)],
        ),
        (
            "此次活动是2022年全总和河北省总工会主办的“千企万岗促就业 勠力同心促发展”"
            "工会线上就业服务活动",
            [("全总", "中华全国总工会", False), ("河北省总工会", "河北省总工会", False)],
        ),
        (
            "2022年6月17日，国家协调劳动关系三方会议第二十七次会议召开",
            [("国家协调劳动关系三方会议", "国家协调劳动关系三方会议", False)],
        ),
        (
            "疫情期间，国家三方指导企业和职工确立“同舟共济、共克时艰”的协商目标",
            [("国家三方", "国家协调劳动关系三方会议", False)],
        ),
        (
            "派员视频出席第110届国际劳工大会、国际劳工组织理事会会议等",
            [("国际劳工组织", "国际劳工组织", False)],
        ),
        (
            "这是北京市贯彻落实党中央、国务院《新时期产业工人队伍建设改革方案》",
            [
                ("党中央", "中国共产党中央委员会", False),
                ("国务院", "中华人民共和国国务院", False),
            ],
        ),
        (
            "美团、京东、网易、唯品会等全国互联网百强企业已全部组建工会，"
            "并带动盒马、科大讯飞（上海）、虎牙等一批互联网企业建会。",
            [
                ("美团", "美团", True),
                ("京东", "京东", True),
                ("网易", "网易", True),
                ("唯品会", "唯品会", True),
                ("盒马", "盒马", True),
                ("科大讯飞（上海）", "科大讯飞（上海）", True),
                ("虎牙", "虎牙", True),
            ],
        ),
        (
            "推动美团、饿了么、滴滴等平台企业与新就业形态劳动者代表就派单机制开展协商",
            [("美团", "美团", True), ("饿了么", "饿了么", True), ("滴滴", "滴滴", True)],
        ),
        (
            "2022年9月15日，全市首家“首都工匠学院”落户北京市总工会职工大学；",
            [("北京市总工会职工大学", "北京市总工会职工大学", True)],
        ),
        (
            "9月27日，在首钢工学院（首钢技师学院）举办全市第二家“首都工匠学院”揭牌仪式；",
            [("首钢工学院", "首钢工学院", True), ("首钢技师学院", "首钢技师学院", True)],
        ),
        (
            "10月22日，全市第三家“首都工匠学院”授牌仪式在北京城市学院举办",
            [("北京城市学院", "北京城市学院", True)],
        ),
        (
            "10月28日，全市首个行业“首都工匠学院”落户北京花乡花木集团",
            [("北京花乡花木集团", "北京花乡花木集团", True)],
        ),
        (
            "组建产业工人队伍建设改革专家委员会，加强改革理论研究。",
            [("产业工人队伍建设改革专家委员会", "产业工人队伍建设改革专家委员会", True)],
        ),
        (
            "与全国妇联协调协同，建立定期沟通机制",
            [("全国妇联", "全国妇联", True)],
        ),
        (
            "继续与科技部联合实施高技能领军人才境外培训计划。",
            [("科技部", "科技部", True)],
        ),
        (
            "目前，全总联合中央广播电视总台已选树大国工匠87名",
            [("全总", "中华全国总工会", False), ("中央广播电视总台", "中央广播电视总台", True)],
        ),
        (
            # a department of the federation (宣传教育部) is not the Ministry of Education
            "来自全总宣传教育部、研究室、权益保障部的负责同志",
            [("全总", "中华全国总工会", False)],
        ),
        (
            "全总安全生产工作被国务院安委会考核评定为优秀等次。",
            [("全总", "中华全国总工会", False), ("国务院安委会", "国务院安委会", True)],
        ),
    ],
)
def test_organisations_in_seed_sentences(sentence, expected):
    assert found(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("滨州市沾化区总工会", [("滨州市沾化区总工会", "滨州市沾化区总工会", False)]),
        ("沾化区总工会", [("沾化区总工会", "滨州市沾化区总工会", False)]),
        ("湖南省总工会组织职工", [("湖南省总工会", "湖南省总工会", True)]),
        ("会同长沙市总工会", [("长沙市总工会", "长沙市总工会", True)]),
        ("。海淀区总工会召开", [("海淀区总工会", "海淀区总工会", True)]),
        ("首钢集团工会组织职工", [("首钢集团工会", "首钢集团工会", True)]),
        ("世界工会联合会", [("世界工会联合会", "世界工会联合会", True)]),
    ],
)
def test_discovers_names_by_pattern(sentence, expected):
    assert found(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        # 全总 inside 健全总体, the ministry inside 部门, 北京市总 inside 北京市总体规划
        "完善健全总体工作机制",
        "全国报送人力资源社会保障部门审查并在有效期内的集体合同132万份",
        "北京市总体规划",
        # venues are places, not organisations
        "2022年4月27日至29日，大会以线上线下相结合的方式举办，在深圳会展中心设置77个交流区",
        "2022年9月2日，湖南长沙国际会议中心",
        # a law and a title in quotes
        "参与《职业病防治法》、《公司法》、《企业破产法》等15部法律法规的制定修改",
        "2022年，市总工会积极探索“首都工匠学院”建设",
        "因地制宜推进产（行）业工匠学院建设。",
        "扎实推进工匠学院建设，建设各级各类工匠学院279家。",
        "由各区总工会和各局、集团（公司）工会推荐候选人",
        "运用工会报刊、网站、出版社等阵地",
        *GENERIC_PHRASES,
    ],
)
def test_generic_phrases_and_near_misses_are_not_organisations(sentence):
    assert found(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("2022年，市总工会积极探索", [("市总工会", "北京市总工会", False)]),
        ("在市委、全国总工会的坚强领导下", [
            ("市委", "中国共产党北京市委员会", False),
            ("全国总工会", "中华全国总工会", False),
        ]),
    ],
)  # fmt: skip
def test_local_references_resolve_to_the_documents_city(sentence, expected):
    assert found(sentence, BEIJING) == expected


def test_local_references_without_a_locality_are_left_out():
    assert found("2022年，市总工会积极探索，在市委领导下", NATIONAL) == []


def test_local_reference_to_a_city_outside_the_gazetteer_is_discovered():
    assert found("市总工会启动直播带岗", OrgContext(locality="廊坊")) == [
        ("市总工会", "廊坊市总工会", True)
    ]


def test_local_references_to_all_cities_are_not_resolved():
    assert found("各市总工会", BEIJING) == []


def test_longest_gazetteer_name_wins():
    mentions = find_organisations("中华全国总工会", gazetteer=GAZETTEER, context=NATIONAL)
    assert [(m.start, m.end, m.slug) for m in mentions] == [(0, 7, "acftu")]


def test_offsets_point_at_the_text_as_written():
    text = "全总先后下发通知。美团、京东等全国互联网百强企业已全部组建工会。"
    for mention in find_organisations(text, gazetteer=GAZETTEER, context=NATIONAL):
        assert text[mention.start : mention.end] == mention.text


def test_discovered_name_is_found_again_elsewhere_in_the_document():
    text = "美团、京东等互联网企业建会。这位京东快递员记得。"
    assert [m.start for m in find_organisations(text, gazetteer=GAZETTEER, context=NATIONAL)] == [
        0,
        3,
        16,
    ]


def test_gazetteer_mentions_are_confirmed_and_discovered_ones_are_not():
    text = "全总和首钢工学院"
    mentions = find_organisations(text, gazetteer=GAZETTEER, context=NATIONAL)
    assert [(m.slug, m.confirmed) for m in mentions] == [("acftu", True), (None, False)]


def test_new_organisations_lists_each_discovered_name_once_without_gazetteer_ones():
    text = "美团、京东等互联网企业建会。这位京东快递员走进全总机关。"
    mentions = find_organisations(text, gazetteer=GAZETTEER, context=NATIONAL)
    assert [(o.name, o.level) for o in new_organisations(mentions)] == [
        ("美团", "enterprise"),
        ("京东", "enterprise"),
    ]


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("湖南省总工会", Level.PROVINCIAL),
        ("长沙市总工会", Level.MUNICIPAL),
        ("海淀区总工会", Level.COUNTY),
        ("滨州市沾化区总工会", Level.COUNTY),
        ("北京花乡花木集团", Level.ENTERPRISE),
        ("北京某某科技有限公司", Level.ENTERPRISE),
        ("首钢工学院", Level.OTHER),
        ("北京市总工会职工大学", Level.OTHER),
        ("世界工会联合会", Level.INTERNATIONAL),
        ("国际劳工组织", Level.INTERNATIONAL),
        ("中共北京市委", Level.PARTY_STATE),
        ("科技部", Level.PARTY_STATE),
    ],
)
def test_level_guessed_from_the_name(name, level):
    assert guess_level(name) == level


@pytest.mark.parametrize(
    ("seed", "locality"),
    [("pdf_chronicle", None), ("web_chronicle", None), ("report", None), ("top_ten", "北京")],
)
def test_locality_detected_from_how_a_document_refers_to_itself(seed, locality):
    assert detect_locality(seed_normalised(seed)) == locality


NATIONAL_CHRONICLE = {
    "中华全国总工会", "河北省总工会", "国家协调劳动关系三方会议", "中国共产党中央委员会",
    "中央电视台", "美团", "京东", "网易", "唯品会", "盒马", "科大讯飞（上海）", "虎牙",
}  # fmt: skip


# Read off the seeds by hand: every organisation each one names.
@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("pdf_chronicle", NATIONAL_CHRONICLE),
        ("web_chronicle", NATIONAL_CHRONICLE),
        (
            "report",
            {
                "中华全国总工会", "中国共产党中央委员会", "国际劳工组织", "全国妇联", "科技部",
                "中央广播电视总台", "国务院安委会", "中央改革办", "中央纪委", "中央和国家机关工委",
                "产业工人队伍建设改革专家委员会", "美团", "京东", "网易", "唯品会", "饿了么",
                "滴滴", "国家协调劳动关系三方会议",
            },
        ),
        (
            "top_ten",
            {
                "北京市总工会", "中国共产党北京市委员会", "中华全国总工会", "中国共产党中央委员会",
                "中华人民共和国国务院", "北京市总工会职工大学", "首钢工学院", "首钢技师学院",
                "北京城市学院", "北京花乡花木集团",
            },
        ),
    ],
)  # fmt: skip
def test_whole_seed_yields_the_organisations_it_names(seed, expected):
    text = seed_normalised(seed)
    context = OrgContext(locality=detect_locality(text))
    mentions = find_organisations(text, gazetteer=GAZETTEER, context=context)
    assert {m.name for m in mentions} == expected


@pytest.mark.parametrize("seed", ["pdf_chronicle", "web_chronicle", "report", "top_ten"])
def test_whole_seed_yields_no_generic_phrase(seed):
    text = seed_normalised(seed)
    context = OrgContext(locality=detect_locality(text))
    mentions = find_organisations(text, gazetteer=GAZETTEER, context=context)
    assert not {m.text for m in mentions} & set(GENERIC_PHRASES)
    assert not {m.name for m in mentions} & set(GENERIC_PHRASES)
