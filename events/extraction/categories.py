"""Which category an event belongs to, and where it happened.

``classify`` scores every category of the taxonomy (``fixtures/categories.json``) by its
keywords. Keyword occurrences are taken longest first and never overlap, so "大国工匠"
counts once for 劳模工匠 instead of again as "工匠". A longer keyword says more than a short
one ("产业工人队伍建设改革" against "意见"), so an occurrence weighs its length in
characters; one in the title weighs ``TITLE_WEIGHT`` times as much, because a title names
the event while the body wanders into context. The score returned is the winner's share of
all the weight, 0..1: 1.0 when only one category matched, lower when others compete.

``find_place`` picks the city where an event happened from a table of provinces and
prefecture-level cities (short forms, as the archive stores them: 深圳, 长沙, 北京).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CITIES",
    "MUNICIPALITIES",
    "PROVINCES",
    "TITLE_WEIGHT",
    "CategoryRule",
    "classify",
    "find_place",
    "load_taxonomy",
]

TITLE_WEIGHT = 3


@dataclass(frozen=True)
class CategoryRule:
    slug: str
    name: str
    keywords: tuple[str, ...]
    position: int = 0


def load_taxonomy(path: Path | str) -> tuple[CategoryRule, ...]:
    """The categories of a taxonomy file, in their editorial order."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    rules = (
        CategoryRule(
            slug=entry["slug"],
            name=entry["name"],
            keywords=tuple(entry.get("keywords", ())),
            position=entry.get("position", 0),
        )
        for entry in entries
    )
    return tuple(sorted(rules, key=lambda rule: rule.position))


def _keyword_weights(text: str, keywords: dict[str, set[str]]) -> dict[str, float]:
    """Weight per category slug of the non-overlapping keyword occurrences in ``text``."""
    taken = [False] * len(text)
    weights: dict[str, float] = {}
    for keyword in sorted(keywords, key=len, reverse=True):
        start = text.find(keyword)
        while start != -1:
            end = start + len(keyword)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(keyword)
                for slug in keywords[keyword]:
                    weights[slug] = weights.get(slug, 0.0) + len(keyword)
            start = text.find(keyword, end)
    return weights


def classify(
    text: str, *, title: str, taxonomy: Sequence[CategoryRule]
) -> tuple[str | None, float]:
    """The slug of the best-matching category and its share of the keyword weight.

    ``(None, 0.0)`` when no keyword occurs. A tie goes to the category placed first in
    the taxonomy.
    """
    keywords: dict[str, set[str]] = {}
    for rule in taxonomy:
        for keyword in rule.keywords:
            keywords.setdefault(keyword, set()).add(rule.slug)
    scores = _keyword_weights(text, keywords)
    for slug, weight in _keyword_weights(title, keywords).items():
        scores[slug] = scores.get(slug, 0.0) + TITLE_WEIGHT * weight
    if not scores:
        return None, 0.0
    order = {rule.slug: index for index, rule in enumerate(taxonomy)}
    best = max(scores, key=lambda slug: (scores[slug], -order[slug]))
    return best, round(scores[best] / sum(scores.values()), 3)


# --- places --------------------------------------------------------------------------------

# Province-level divisions by short name, with the suffix of the full name.
PROVINCES: dict[str, str] = {
    "河北": "省", "山西": "省", "辽宁": "省", "吉林": "省", "黑龙江": "省", "江苏": "省",
    "浙江": "省", "安徽": "省", "福建": "省", "江西": "省", "山东": "省", "河南": "省",
    "湖北": "省", "湖南": "省", "广东": "省", "海南": "省", "四川": "省", "贵州": "省",
    "云南": "省", "陕西": "省", "甘肃": "省", "青海": "省", "台湾": "省",
    "内蒙古": "自治区", "广西": "壮族自治区", "西藏": "自治区", "宁夏": "回族自治区",
    "新疆": "维吾尔自治区", "香港": "特别行政区", "澳门": "特别行政区",
}  # fmt: skip

# The four municipalities are both province and city.
MUNICIPALITIES = frozenset({"北京", "天津", "上海", "重庆"})

# Prefecture-level cities by short name, with their province: every provincial capital and
# sub-provincial city, and the other large cities union documents report from.
CITIES: dict[str, str] = {
    "石家庄": "河北", "唐山": "河北", "秦皇岛": "河北", "邯郸": "河北", "邢台": "河北",
    "保定": "河北", "张家口": "河北", "承德": "河北", "沧州": "河北", "廊坊": "河北",
    "衡水": "河北", "太原": "山西", "大同": "山西", "长治": "山西", "晋中": "山西",
    "呼和浩特": "内蒙古", "包头": "内蒙古", "鄂尔多斯": "内蒙古", "沈阳": "辽宁",
    "大连": "辽宁", "鞍山": "辽宁", "抚顺": "辽宁", "锦州": "辽宁", "长春": "吉林",
    "吉林": "吉林", "哈尔滨": "黑龙江", "齐齐哈尔": "黑龙江", "大庆": "黑龙江",
    "南京": "江苏", "无锡": "江苏", "徐州": "江苏", "常州": "江苏", "苏州": "江苏",
    "南通": "江苏", "连云港": "江苏", "扬州": "江苏", "镇江": "江苏", "盐城": "江苏",
    "杭州": "浙江", "宁波": "浙江", "温州": "浙江", "嘉兴": "浙江", "湖州": "浙江",
    "绍兴": "浙江", "金华": "浙江", "台州": "浙江", "合肥": "安徽", "芜湖": "安徽",
    "蚌埠": "安徽", "马鞍山": "安徽", "安庆": "安徽", "福州": "福建", "厦门": "福建",
    "泉州": "福建", "漳州": "福建", "南昌": "江西", "九江": "江西", "赣州": "江西",
    "萍乡": "江西", "济南": "山东", "青岛": "山东", "淄博": "山东", "枣庄": "山东",
    "东营": "山东", "烟台": "山东", "潍坊": "山东", "济宁": "山东", "泰安": "山东",
    "威海": "山东", "日照": "山东", "临沂": "山东", "德州": "山东", "聊城": "山东",
    "滨州": "山东", "菏泽": "山东", "郑州": "河南", "开封": "河南", "洛阳": "河南",
    "平顶山": "河南", "安阳": "河南", "新乡": "河南", "焦作": "河南", "许昌": "河南",
    "南阳": "河南", "武汉": "湖北", "黄石": "湖北", "十堰": "湖北", "宜昌": "湖北",
    "襄阳": "湖北", "荆州": "湖北", "长沙": "湖南", "株洲": "湖南", "湘潭": "湖南",
    "衡阳": "湖南", "岳阳": "湖南", "常德": "湖南", "广州": "广东", "深圳": "广东",
    "珠海": "广东", "汕头": "广东", "佛山": "广东", "江门": "广东", "湛江": "广东",
    "惠州": "广东", "东莞": "广东", "中山": "广东", "南宁": "广西", "柳州": "广西",
    "桂林": "广西", "海口": "海南", "三亚": "海南", "成都": "四川", "自贡": "四川",
    "攀枝花": "四川", "绵阳": "四川", "宜宾": "四川", "贵阳": "贵州", "遵义": "贵州",
    "昆明": "云南", "曲靖": "云南", "玉溪": "云南", "拉萨": "西藏", "西安": "陕西",
    "宝鸡": "陕西", "咸阳": "陕西", "延安": "陕西", "兰州": "甘肃", "天水": "甘肃",
    "西宁": "青海", "银川": "宁夏", "乌鲁木齐": "新疆", "克拉玛依": "新疆",
}  # fmt: skip

# A place name followed by one of these is part of an organisation's name ("北京市总工会",
# "河北省总工会"), not where something happened.
_ORG_AFTER_PLACE = ("总工会", "市委", "省委", "区委", "工会", "人民政府", "政府", "市总")
# Words that say where: "在北京举行", "落户北京…", "赴深圳".
_AT = ("在", "于", "赴", "落户", "到")
_VENUE = re.compile(
    r"[^，。；！？\n]{0,12}?(会议中心|会展中心|展览中心|会堂|体育馆|宾馆|酒店|大厦)"
)
_EVENT_VERB = re.compile(r"[^，。；！？\n]{0,20}?(举行|举办|召开|开幕|启动|揭牌|授牌)")


def _place_names() -> dict[str, str]:
    """Every written form of a place, mapped to its short form."""
    names: dict[str, str] = {}
    for short, suffix in PROVINCES.items():
        names[short] = short
        names[short + suffix] = short
        names[short + "省"] = short
    for short in MUNICIPALITIES:
        names[short] = short
        names[short + "市"] = short
    for short in CITIES:
        names[short] = short
        names[short + "市"] = short
    # "吉林" is a province and a city; alone it reads as the province.
    return names


_PLACE_NAMES = _place_names()
_PLACE_RE = re.compile("|".join(sorted(map(re.escape, _PLACE_NAMES), key=len, reverse=True)))


@dataclass(frozen=True)
class _PlaceCandidate:
    short: str
    start: int
    end: int
    is_city: bool


def _candidates(text: str) -> Iterable[_PlaceCandidate]:
    for match in _PLACE_RE.finditer(text):
        rest = text[match.end() :]
        written = match.group()
        names_organisation = rest.startswith(_ORG_AFTER_PLACE) or (
            written[-1] in "市省" and rest.startswith("总")
        )
        # "落户北京市总工会职工大学": an organisation after 在/落户 still says where.
        if names_organisation and not text[: match.start()].endswith(_AT):
            continue
        short = _PLACE_NAMES[written]
        is_city = short in CITIES or short in MUNICIPALITIES
        if short == "吉林" and not written.endswith("市"):
            is_city = False
        yield _PlaceCandidate(short, match.start(), match.end(), is_city)


def find_place(text: str) -> str | None:
    """The short name of the city (else province) where the event in ``text`` happened."""
    candidates = list(_candidates(text))
    scored: list[tuple[int, int, str]] = []
    for index, candidate in enumerate(candidates):
        following = candidates[index + 1] if index + 1 < len(candidates) else None
        # "湖南长沙国际会议中心", "河北省廊坊市": the city after its province is the answer.
        if (
            not candidate.is_city
            and following is not None
            and following.is_city
            and following.start == candidate.end
        ):
            continue
        before = text[max(0, candidate.start - 2) : candidate.start]
        after = text[candidate.end :]
        score = 1
        if before.endswith(_AT) or _is_after_at(text, candidates, index):
            score += 2
        if _VENUE.match(after):
            score += 2
        if _EVENT_VERB.match(after):
            score += 1
        if candidate.is_city:
            score += 1
        # max() keeps the first of equal scores: an earlier mention wins a tie.
        scored.append((score, -candidate.start, candidate.short))
    if not scored:
        return None
    return max(scored)[2]


def _is_after_at(text: str, candidates: list[_PlaceCandidate], index: int) -> bool:
    """Whether a city follows "在" through its province: "在湖南长沙…"."""
    if index == 0:
        return False
    previous = candidates[index - 1]
    if previous.end != candidates[index].start:
        return False
    return text[max(0, previous.start - 2) : previous.start].endswith(_AT)
