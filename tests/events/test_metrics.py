import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from events.extraction.dates import DateContext, find_dates
from events.extraction.metrics import MetricMention, attach_as_of, find_metrics

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def compact(text):
    return "".join(text.split())


def row(metric):
    """A metric as (text without whitespace, value, unit, qualifier, label)."""
    return (compact(metric.text), metric.value, metric.unit, metric.qualifier, metric.label)


# The sentence in (copied from the seeds), the metrics expected out.
@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "市总工会设立专项经费，全市各级工会积极筹措资金，慰问抗疫一线职工146.8万人次。",
            [("146.8万人次", Decimal(1468000), "人次", None, "慰问抗疫一线职工")],
        ),
        (
            "目前，14家品牌快递企业和在京28家百强互联网企业已全部建会，"
            "累计发展新就业形态劳动者会员33万人。",
            [
                ("14家", Decimal(14), "家", None, "品牌快递企业"),
                ("28家", Decimal(28), "家", None, "百强互联网企业"),
                ("33万人", Decimal(330000), "人", "累计", "发展新就业形态劳动者会员"),
            ],
        ),
        (
            "“工会促就业 服务暖人心”线上就业服务活动参与单位106个，提供岗位2737个。",
            [
                ("106个", Decimal(106), "个", None, "参与单位"),
                ("2737个", Decimal(2737), "个", None, "提供岗位"),
            ],
        ),
        (
            "职业病防治法宣传周活动带动全市2300多家企业参与；"
            "全市各级劳动争议调解组织受理劳动争议案件1.58万件，办理法律援助案件2562件。",
            [
                ("2300多家", Decimal(2300), "家", "多", "企业"),
                ("1.58万件", Decimal(15800), "件", None, "受理劳动争议案件"),
                ("2562件", Decimal(2562), "件", None, "办理法律援助案件"),
            ],
        ),
        (
            "大会举办期间,有495项职工创新成果在线签订成果转化意向书,涉及总金额84.86亿元。",
            [
                ("495项", Decimal(495), "项", None, "职工创新成果"),
                ("84.86亿元", Decimal(8486000000), "元", None, "总金额"),
            ],
        ),
        (
            "在深圳会展中心设置77个交流区,展示总面积约1.8万平方米,"
            "展示内容涉及550多位工匠、近800件各类实物和模型、1300多项职工创新成果。",
            [
                ("77个", Decimal(77), "个", None, "交流区"),
                ("约1.8万平方米", Decimal(18000), "平方米", "约", "展示总面积"),
                ("550多位", Decimal(550), "位", "多", "工匠"),
                ("近800件", Decimal(800), "件", "近", "各类实物和模型"),
                ("1300多项", Decimal(1300), "项", "多", "职工创新成果"),
            ],
        ),
        (
            "全国报送人力资源社会保障部门审查并在有效期内的集体合同132万份,覆盖职工1.2亿人。",
            [
                ("132万份", Decimal(1320000), "份", None, "集体合同"),
                ("1.2亿人", Decimal(120000000), "人", None, "覆盖职工"),
            ],
        ),
        (
            "各级工会全年累计调解纠纷 28.9 万件，调解成功率 82.84%。",
            [
                ("28.9万件", Decimal(289000), "件", "累计", "调解纠纷"),
                ("82.84%", Decimal("82.84"), "%", None, "调解成功率"),
            ],
        ),
        (
            "借助“技能强国——全国产业工人学习社区”开展线上培训，参加学习培训职工累计达 2亿人次。",
            [("累计达2亿人次", Decimal(200000000), "人次", "累计", "参加学习培训职工")],
        ),
        (
            "2022 年各级工会投入专项保障经费 2.9亿多元，下派蹲点干部 1.7万人。",
            [
                ("2.9亿多元", Decimal(290000000), "元", "多", "投入专项保障经费"),
                ("1.7万人", Decimal(17000), "人", None, "下派蹲点干部"),
            ],
        ),
        (
            "举办劳模工匠进校园示范活动、新时代巾帼劳模工匠宣讲活动等，受众 920 万余人次。",
            [("920万余人次", Decimal(9200000), "人次", "余", "受众")],
        ),
        (
            "各级工会投入资金 1.1 亿元，帮助 30 万职工提升学历水平。",
            [
                ("1.1亿元", Decimal(110000000), "元", None, "投入资金"),
                ("30万", Decimal(300000), None, None, "职工"),
            ],
        ),
        (
            "全国31个省(区、市)和新疆生产建设兵团已建工会的企业集体协商建制率全部动态保持在80%以上",
            [
                ("31个", Decimal(31), "个", None, "省"),
                ("80%以上", Decimal(80), "%", "以上", "企业集体协商建制率"),
            ],
        ),
        (
            "据统计,仅“暖途行动”就形成13个签约项目,覆盖货车司机超过100万人。",
            [
                ("13个", Decimal(13), "个", None, "签约项目"),
                ("超过100万人", Decimal(1000000), "人", "超过", "覆盖货车司机"),
            ],
        ),
        (
            "这是我国首次为“工匠”举办全国性论坛,近60位来自各行各业的顶尖工匠齐聚一堂",
            [("近60位", Decimal(60), "位", "近", "顶尖工匠")],
        ),
        (
            "推出加大工会经费投入、助力疫情防控与经济社会发展的 20 条措施。",
            [("20条", Decimal(20), "条", None, "措施")],
        ),
    ],
)
def test_seed_sentence_yields_its_metrics(sentence, expected):
    assert [row(m) for m in find_metrics(sentence)] == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("帮扶三百余人", ("三百余人", Decimal(300), "人", "余")),
        ("两千多家企业参与", ("两千多家", Decimal(2000), "家", "多")),
        ("十一个县", ("十一个", Decimal(11), "个", None)),
        ("一百二十万人受益", ("一百二十万人", Decimal(1200000), "人", None)),
        ("投入5000万元", ("5000万元", Decimal(50000000), "元", None)),
        ("规模达3万亿元", ("3万亿元", Decimal(3000000000000), "元", None)),
        ("参会1,234人", ("1,234人", Decimal(1234), "人", None)),
        ("提高3个百分点", ("3个百分点", Decimal(3), "个百分点", None)),
        ("逾5000名职工", ("逾5000名", Decimal(5000), "名", "逾")),
        ("共5项", ("共5项", Decimal(5), "项", "共")),
        ("服务职工1000人左右", ("1000人左右", Decimal(1000), "人", "左右")),
        ("建成站点３００个", ("３００个", Decimal(300), "个", None)),
    ],
)
def test_synthetic_phrase_value_unit_and_qualifier(phrase, expected):
    (metric,) = find_metrics(phrase)
    assert (metric.text, metric.value, metric.unit, metric.qualifier) == expected


def test_value_is_fully_expanded_without_a_trailing_decimal():
    (metric,) = find_metrics("覆盖职工1.2亿人")
    assert str(metric.value) == "120000000"


def test_offsets_point_at_the_text_as_written():
    sentence = "展示总面积约\n\n1.8 万平方米,"
    (metric,) = find_metrics(sentence)
    assert sentence[metric.start : metric.end] == metric.text == "约\n\n1.8 万平方米"


def test_qualifier_split_across_pdf_lines_is_read():
    (metric,) = find_metrics("覆盖货车司机超\n\n过 100万人。")
    assert (metric.qualifier, metric.label) == ("超过", "覆盖货车司机")


def test_bound_beats_total_when_both_qualify_the_number():
    (metric,) = find_metrics("累计投入资金超过1亿元")
    assert (metric.qualifier, metric.label) == ("超过", "投入资金")


def test_gong_inside_a_word_is_not_a_qualifier():
    (metric,) = find_metrics("建设公共服务站点100个")
    assert metric.qualifier is None


@pytest.mark.parametrize(
    "sentence",
    [
        "成功举办第十一届金砖国家工会论坛",
        "推动国家协调劳动关系三方召开第 27 次会议",
        "全市第三家“首都工匠学院”授牌仪式",
        "总结第一批单位试点经验",
        "2022年首都工会十大新闻盘点",
        "党的二十大胜利召开",
        "庆祝“五一”国际劳动节特别节目",
        "“5·20”关爱计划",
        "“6+6”服务",
        "一是切实维护新就业形态劳动者劳动保障权益",
        "提出九条措施",
        "明确对口联系、调查研究、解决问题、巩固深化四项重点任务",
        "产业工人队伍建设改革五周年",
        "北京成为全球首个“双奥之城”",
        "大会利用3D VR全景展示技术",
        "这项工作启动近6个月来",
        "改革 5 年来取得的成效",
        "产业工人队伍建设改革进入第5个年头",
        "联合举办纪念安源路矿工人运动 100 周年座谈会",
        "2022年4月27日至29日",
        "开展十大产业百家企业深化产业工人队伍建设改革专项行动",
        "长沙国际会议中心,上千件展品亮相创新成果展",
        "相关信息就多达数百万条",
        "为闭环内办赛的数千名女职工提供免费体检",
        "审议通过《集体协商十佳案例(2019-2021年)》",
        "2022年9月23日上午9时",
        "围绕一条主线、坚持两个结合、推动三个下沉",
    ],
)
def test_phrase_without_a_metric(sentence):
    assert find_metrics(sentence) == ()


def test_as_of_date_attaches_to_metrics_in_the_same_sentence_only():
    text = (
        "截至2021年底,全国技能人才总量超过2亿人,高技能人才超过6000万人。据统计,形成13个签约项目。"
    )
    metrics = attach_as_of(text, find_metrics(text))
    assert [(compact(m.text), m.as_of) for m in metrics] == [
        ("超过2亿人", date(2021, 12, 31)),
        ("超过6000万人", date(2021, 12, 31)),
        ("13个", None),
    ]


def test_as_of_takes_the_nearest_preceding_mention():
    text = "截至2021年底,会员20万人,截至2022年6月,会员33万人。"
    metrics = attach_as_of(text, find_metrics(text))
    assert [m.as_of for m in metrics] == [date(2021, 12, 31), date(2022, 6, 30)]


def test_as_of_without_a_date_leaves_metrics_undated():
    text = "截至目前,14家品牌快递企业已全部建会。"
    assert [m.as_of for m in attach_as_of(text, find_metrics(text))] == [None]


def test_as_of_month_without_year_uses_the_context():
    text = "截至9月底,建设服务站点300个。"
    (metric,) = attach_as_of(text, find_metrics(text), context=DateContext(year=2022))
    assert metric.as_of == date(2022, 9, 30)


# Expected metrics per seed, written by reading the texts: (text, value, unit, qualifier,
# label). 000 is the PDF of the same article as 001, so the two share one table.
CHRONICLE = [
    ("77个", Decimal(77), "个", None, "交流区"),
    ("约1.8万平方米", Decimal(18000), "平方米", "约", "展示总面积"),
    ("550多位", Decimal(550), "位", "多", "工匠"),
    ("近800件", Decimal(800), "件", "近", "各类实物和模型"),
    ("1300多项", Decimal(1300), "项", "多", "职工创新成果"),
    ("440个", Decimal(440), "个", None, "图文和音视频热点"),
    ("495项", Decimal(495), "项", None, "职工创新成果"),
    ("84.86亿元", Decimal(8486000000), "元", None, "总金额"),
    ("超过2亿人", Decimal(200000000), "人", "超过", "全国技能人才总量"),
    ("超过6000万人", Decimal(60000000), "人", "超过", "高技能人才"),
    ("近60位", Decimal(60), "位", "近", "顶尖工匠"),
    ("11个", Decimal(11), "个", None, "县"),
    ("13个", Decimal(13), "个", None, "签约项目"),
    ("超过100万人", Decimal(1000000), "人", "超过", "覆盖货车司机"),
    ("2800多个", Decimal(2800), "个", "多", "县级工会"),
    ("127万人次", Decimal(1270000), "人次", "共计", "培训协商代表"),
    ("8000多个", Decimal(8000), "个", "多", "培育省级和地市级协商典型案例"),
    ("31个", Decimal(31), "个", None, "省"),
    ("80%以上", Decimal(80), "%", "以上", "企业集体协商建制率"),
    ("132万份", Decimal(1320000), "份", None, "集体合同"),
    ("1.2亿人", Decimal(120000000), "人", None, "覆盖职工"),
]
WORK_REPORT = [
    ("31个", Decimal(31), "个", None, "省"),
    ("279家", Decimal(279), "家", None, "建设各级各类工匠学院"),
    ("累计达2亿人次", Decimal(200000000), "人次", "累计", "参加学习培训职工"),
    ("100.5万人次", Decimal(1005000), "人次", None, "组织技术工人"),
    ("1.1亿元", Decimal(110000000), "元", None, "投入资金"),
    ("30万", Decimal(300000), None, None, "职工"),
    ("495项", Decimal(495), "项", None, "职工创新成果"),
    ("84.86亿元", Decimal(8486000000), "元", None, "总金额"),
    ("920万余人次", Decimal(9200000), "人次", "余", "受众"),
    ("87名", Decimal(87), "名", None, "选树大国工匠"),
    ("5288名", Decimal(5288), "名", None, "选树宣传省级工匠"),
    ("2.2万余名", Decimal(22000), "名", "余", "地市级工匠"),
    ("13个", Decimal(13), "个", None, "行动签约项目"),
    ("18.9亿元", Decimal(1890000000), "元", "累计", "投入资金"),
    ("11.17万个", Decimal(111700), "个", None, "建设服务站点"),
    ("9.6亿元", Decimal(960000000), "元", None, "中央财政专项帮扶资金"),
    ("36.26亿元", Decimal(3626000000), "元", None, "筹集两节送温暖活动款物"),
    ("20条", Decimal(20), "条", None, "措施"),
    ("15部", Decimal(15), "部", None, "法律法规"),
    ("28.9万件", Decimal(289000), "件", "累计", "调解纠纷"),
    ("82.84%", Decimal("82.84"), "%", None, "调解成功率"),
    ("2.9万场次", Decimal(29000), "场次", None, "开展普法宣讲活动"),
    ("14.6亿元", Decimal(1460000000), "元", None, "挽回经济损失"),
    ("7个", Decimal(7), "个", None, "驻会全国产业工会"),
    ("2.9亿多元", Decimal(290000000), "元", "多", "投入专项保障经费"),
    ("1.7万人", Decimal(17000), "人", None, "下派蹲点干部"),
    ("1037万人", Decimal(10370000), "人", None, "发展新就业形态劳动者会员"),
    ("100个", Decimal(100), "个", None, "县级工会"),
    ("1.5亿元", Decimal(150000000), "元", None, ...),  # label "安排": the clause names no noun
    ("2800多个", Decimal(2800), "个", "多", "县级工会"),
    ("6个", Decimal(6), "个", None, "党支部标准化规范化标兵单位"),
    ("11个", Decimal(11), "个", None, "示范单位"),
]
TOP_TEN = [
    ("23家", Decimal(23), "家", None, "单位"),
    ("14家", Decimal(14), "家", None, "品牌快递企业"),
    ("28家", Decimal(28), "家", None, "百强互联网企业"),
    ("33万人", Decimal(330000), "人", "累计", "发展新就业形态劳动者会员"),
    ("146.8万人次", Decimal(1468000), "人次", None, "慰问抗疫一线职工"),
    ("106个", Decimal(106), "个", None, "参与单位"),
    ("2737个", Decimal(2737), "个", None, "提供岗位"),
    ("113家", Decimal(113), "家", None, "劳动密集型民营企业"),
    ("2300多家", Decimal(2300), "家", "多", "企业"),
    ("1.58万件", Decimal(15800), "件", None, "受理劳动争议案件"),
    ("2562件", Decimal(2562), "件", None, "办理法律援助案件"),
    ("165个", Decimal(165), "个", None, "工会户外劳动者服务站"),
    ("200个", Decimal(200), "个", None, "工会户外劳动者服务站"),
]
SEED_TABLES = [
    ("000_ec886a1654eefea1.txt", CHRONICLE),
    ("001_cc9b9e4083e5dcfd.txt", CHRONICLE),
    ("002_3e78385779fe9d26.txt", WORK_REPORT),
    ("003_8207376e8224c9f5.txt", TOP_TEN),
]


def read_seed(name):
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "expected"), SEED_TABLES)
def test_whole_seed_yields_exactly_the_expected_metrics(name, expected):
    found = [row(m) for m in find_metrics(read_seed(name))]
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        assert got == tuple(g if w is ... else w for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize("name", [name for name, _ in SEED_TABLES])
def test_whole_seed_never_yields_a_year_ordinal_or_date_as_a_metric(name):
    text = read_seed(name)
    metrics = find_metrics(text)
    dates = find_dates(text, context=DateContext(year=2022))
    for metric in metrics:
        assert isinstance(metric, MetricMention)
        assert text[metric.start : metric.end] == metric.text
        before = text[: metric.start].rstrip()
        assert not before.endswith("第"), metric
        assert not re.match(r"\s*(年|月|日|届|周年)", text[metric.end :]), metric
        assert not any(d.start < metric.end and metric.start < d.end for d in dates), metric
        years = {d.date_start.year for d in dates if d.date_start}
        assert metric.unit is not None or metric.value not in years, metric


@pytest.mark.parametrize(
    ("name", "phrases"),
    [
        ("003_8207376e8224c9f5.txt", ["十大新闻", "二十大", "“5·20”", "“6+6”", "九条措施"]),
        ("003_8207376e8224c9f5.txt", ["四项重点任务", "第一批", "第三届", "第四家", "五周年"]),
        ("001_cc9b9e4083e5dcfd.txt", ["第十一届", "第二十七次", "第5个年头", "3D", "5周年"]),
        ("002_3e78385779fe9d26.txt", ["第 27 次", "第 110 届", "100 周年", "十大产业百家"]),
    ],
)
def test_whole_seed_leaves_names_and_ordinals_alone(name, phrases):
    text = read_seed(name)
    metrics = find_metrics(text)
    for phrase in phrases:
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text)]
        assert spans, phrase
        for start, end in spans:
            assert not any(m.start < end and start < m.end for m in metrics), phrase


def test_whole_seed_as_of_dates_the_statistics_after_jiezhi():
    text = read_seed("002_3e78385779fe9d26.txt")
    dated = {
        compact(m.text): m.as_of
        for m in attach_as_of(text, find_metrics(text), context=DateContext(year=2022))
        if m.as_of
    }
    assert dated == {"18.9亿元": date(2022, 12, 31), "11.17万个": date(2022, 12, 31)}
