"""Organisations named in a document: found by rules, resolved against the gazetteer.

Part-of-speech tags are not used: jieba tags 全总 and 党组会 as organisations (nt) and
misses 北京花乡花木集团, about as often right as wrong in these texts. Instead, in order of
trust:

1. **Gazetteer** names and aliases (``fixtures/organisations.json``), longest first, so
   中华全国总工会 is one mention and not 全国总工会 inside it. An alias is not matched where
   its characters belong to a neighbouring word: 全总 in 健全总体, 人力资源社会保障部 in
   人力资源社会保障部门 (the departments, not the ministry).
2. **Context**: a local document says 市总工会 and 市委 for its own city's bodies. With
   ``OrgContext.locality`` set (``detect_locality`` reads it from the text: 全市, 首都, 市委
   …), 市总工会 in a Beijing document resolves to 北京市总工会 and 市委 to 中国共产党北京市委员会.
   Without a locality they are not organisations one could name, and are left out.
3. **Known bodies** outside the gazetteer that union texts cite by a fixed name
   (全国妇联, 科技部, 中央广播电视总台 …): discovered, so an editor confirms them.
4. **Patterns** for new names: a place and 省/市/区/县总工会; a name ending in 集团, 公司,
   学院, 大学, 委员会, 联合会; an international body (国际…组织); and companies listed before
   等…企业 ("美团、京东、网易、唯品会等全国互联网百强企业").

Where a discovered name starts is the hard part. The name runs back from its suffix over
ideographs, and is cut after a verb or preposition that cannot be part of a name (落户, 在,
组建 …). Results that name a kind of organisation rather than one organisation — 各级工会,
各区总工会, 基层工会, 工匠学院, "首都工匠学院" in quotes (a title conferred on schools) —
are not mentions.

Overlapping candidates are settled longest first, then by the order above, so
北京市总工会职工大学 is one discovered university rather than the federation plus a
remainder. Every discovered name is then also found wherever else it occurs in the
document (京东 in 京东快递员).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path

from events.extraction.categories import CITIES, MUNICIPALITIES, PROVINCES

__all__ = [
    "Gazetteer",
    "GazetteerEntry",
    "Level",
    "NewOrganisation",
    "OrgContext",
    "OrganisationMention",
    "Origin",
    "detect_locality",
    "find_organisations",
    "guess_level",
    "load_gazetteer",
    "new_organisations",
]


class Level(StrEnum):
    """Organisation levels of the data contract."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"
    ENTERPRISE = "enterprise"
    INTERNATIONAL = "international"
    PARTY_STATE = "party-state"
    OTHER = "other"


class Origin(IntEnum):
    """How a mention was found; a lower value wins an overlap of equal length."""

    GAZETTEER = 0
    CONTEXT = 1
    KNOWN = 2
    PATTERN = 3
    LIST = 4
    REPEAT = 5


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    slug: str
    level: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrgContext:
    """What the document says about itself: the short name of its city or province."""

    locality: str | None = None


@dataclass(frozen=True)
class OrganisationMention:
    start: int
    end: int
    text: str  # as written
    name: str  # canonical name from the gazetteer, or the discovered name
    level: str
    slug: str | None  # gazetteer slug; None for a discovered organisation
    origin: Origin

    @property
    def discovered(self) -> bool:
        return self.slug is None

    @property
    def confirmed(self) -> bool:
        """Gazetteer organisations are confirmed; discovered ones await an editor."""
        return not self.discovered


@dataclass(frozen=True)
class NewOrganisation:
    """A discovered organisation, once per name, for the caller to create unconfirmed."""

    name: str
    level: str


@dataclass(frozen=True)
class Gazetteer:
    entries: tuple[GazetteerEntry, ...]
    _by_surface: dict[str, GazetteerEntry] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_surface: dict[str, GazetteerEntry] = {}
        for entry in self.entries:
            for surface in (entry.name, *entry.aliases):
                by_surface.setdefault(surface, entry)
        surfaces = sorted(by_surface, key=len, reverse=True)
        # The alternation is tried left to right, so the longest surface form wins.
        pattern = re.compile("|".join(map(re.escape, surfaces))) if surfaces else re.compile("$^")
        object.__setattr__(self, "_by_surface", by_surface)
        object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping]) -> Gazetteer:
        return cls(
            tuple(
                GazetteerEntry(
                    name=entry["name"],
                    slug=entry["slug"],
                    level=entry["level"],
                    parent=entry.get("parent"),
                    aliases=tuple(entry.get("aliases", ())),
                )
                for entry in entries
            )
        )

    def lookup(self, name: str) -> GazetteerEntry | None:
        """The entry whose name or alias is ``name``."""
        return self._by_surface.get(name)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        return self._pattern.finditer(text)


def load_gazetteer(path: Path | str) -> Gazetteer:
    return Gazetteer.from_entries(json.loads(Path(path).read_text(encoding="utf-8")))


# --- boundaries ------------------------------------------------------------------------

_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")

# Words whose last character would be the first of a short alias: 健全总体 is not 全总.
_JOINED_BEFORE = frozenset({
    "健全", "完全", "安全", "齐全", "周全", "保全", "成全", "万全", "俱全", "双全", "十全",
    "大全", "两全", "求全", "顾全",
})  # fmt: skip
# Words whose first character would be the last of an alias: 总体, 部门.
_JOINED_AFTER = frozenset({
    "总体", "总结", "总量", "总额", "总数", "总计", "总共", "总之", "总是", "部门", "部分",
    "部署",
})  # fmt: skip

# Cut a discovered name after these: they cannot end a name, they introduce one. Longest
# first, so a two-character verb is cut whole before its last character is considered.
_BOUNDARY_WORDS = tuple(sorted((
    "落户", "组建", "成立", "设立", "举办", "召开", "联合", "携手", "会同", "推动", "推进",
    "带动", "集中", "支持", "参加", "出席", "走进", "进入", "依托", "牵头", "指导", "邀请",
    "授予", "命名", "挂牌", "揭牌", "授牌", "选派", "委托", "来自", "位于", "包括", "以及",
    "及其", "关于", "做好", "进一步", "加强", "开展", "探索", "打造", "创建",
    "在", "于", "由", "和", "与", "及", "同", "向", "对", "把", "将", "被", "从", "到", "为",
    "是", "的", "了", "等", "并", "或", "经", "让", "给", "至",
), key=len, reverse=True))  # fmt: skip
# Characters that make a phrase a kind of organisation, not one: 各区, 全市, 该公司.
_GENERIC_MARKS = ("各", "全市", "全省", "全区", "全县", "基层", "有关", "相关", "一批", "各类")
_GENERIC_START = tuple("本该此其每诸某全上下两多")
# Names that are categories of organisation whatever precedes them in the run.
_GENERIC_NAMES = frozenset({
    "工匠学院", "职工大学", "技师学院", "高职院校", "委员会", "专家委员会", "工会委员会",
    "集团", "公司", "学院", "大学", "联合会", "工会组织", "基层工会", "区级工会", "县级工会",
    "省级工会", "市级工会", "地方工会", "产业工会", "上级工会", "街乡工会", "企业工会",
    "中国工会", "全国工会", "互联网企业", "平台企业", "国际组织",
})  # fmt: skip

_MAX_NAME = 16


def _name_start(text: str, suffix_start: int) -> int:
    """Where a name ending at ``suffix_start`` begins: back over ideographs, cut at a verb."""
    start = suffix_start
    while start > 0 and suffix_start - start < _MAX_NAME and _IDEOGRAPH.match(text[start - 1]):
        start -= 1
    run = text[start:suffix_start]
    cut = 0
    for index in range(len(run)):
        for word in _BOUNDARY_WORDS:
            if run.startswith(word, index):
                # 中华人民共和国 and 人力资源和社会保障部 keep their 和.
                if word == "和" and run[index - 1 : index] in ("共", "源"):
                    continue
                cut = max(cut, index + len(word))
                break
    return start + cut


def _is_generic(name: str) -> bool:
    return (
        name in _GENERIC_NAMES
        or any(mark in name for mark in _GENERIC_MARKS)
        or name.startswith(_GENERIC_START)
    )


def _joined_with_neighbours(text: str, start: int, end: int) -> bool:
    before = text[start - 1 : start] + text[start : start + 1]
    after = text[end - 1 : end] + text[end : end + 1]
    return before in _JOINED_BEFORE or after in _JOINED_AFTER


def _in_title_quotes(text: str, start: int, end: int) -> bool:
    # “首都工匠学院” is a title given to schools and a programme, not one institution.
    return text[start - 1 : start] in '“「『"' and text[end : end + 1] in '”」』"'


# --- levels ----------------------------------------------------------------------------


def guess_level(name: str) -> Level:
    """The level of a discovered organisation, from its name."""
    if name.startswith(("国际", "世界")):
        return Level.INTERNATIONAL
    if name.startswith(("中共", "中国共产党")) or name.endswith(("部", "委", "办", "工委", "纪委")):
        return Level.PARTY_STATE
    if name.endswith(("集团", "公司", "企业")):
        return Level.ENTERPRISE
    if name.endswith("总工会"):
        head = name[: -len("总工会")]
        if head.endswith(("区", "县", "旗")):
            return Level.COUNTY
        if head.endswith(("市", "州", "盟")):
            return Level.MUNICIPAL
        if head.endswith(("省", "自治区")) or head in PROVINCES:
            return Level.PROVINCIAL
    if name.endswith("组织"):
        return Level.INTERNATIONAL
    # Universities, colleges, committees, broadcasters, mass organisations: the contract's
    # levels are for the union hierarchy and the state, so they are "other".
    return Level.OTHER


# --- candidates --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    name: str
    level: str
    slug: str | None
    origin: Origin


def _gazetteer_candidates(text: str, gazetteer: Gazetteer) -> Iterator[_Candidate]:
    for match in gazetteer.matches(text):
        entry = gazetteer.lookup(match.group())
        if entry is None or _joined_with_neighbours(text, match.start(), match.end()):
            continue
        yield _Candidate(
            match.start(), match.end(), entry.name, entry.level, entry.slug, Origin.GAZETTEER
        )


# A local document's own bodies, by the level of the locality they belong to.
_SELF_REFERENCES = {
    "市总工会": ("市", "市总工会", Level.MUNICIPAL),
    "市委": ("市", "市委", Level.PARTY_STATE),
    "省总工会": ("省", "省总工会", Level.PROVINCIAL),
    "省委": ("省", "省委", Level.PARTY_STATE),
}
_SELF_REFERENCE_RE = re.compile("|".join(sorted(_SELF_REFERENCES, key=len, reverse=True)))
# 各市总工会 are all of them; 城市委员会, 超市委托 are other words.
_NOT_SELF_BEFORE = frozenset("各全每该诸两城超都门股地省市区县")
_NOT_SELF_AFTER = frozenset("员托婉")


def _locality_suffix(locality: str) -> str | None:
    if locality in MUNICIPALITIES or locality in CITIES:
        return "市"
    if locality in PROVINCES:
        return PROVINCES[locality]
    return None


def _context_candidates(
    text: str, gazetteer: Gazetteer, context: OrgContext
) -> Iterator[_Candidate]:
    if context.locality is None:
        return
    suffix = _locality_suffix(context.locality)
    if suffix is None:
        return
    for match in _SELF_REFERENCE_RE.finditer(text):
        unit, body, level = _SELF_REFERENCES[match.group()]
        if not suffix.startswith(unit) and not (unit == "省" and suffix.endswith("自治区")):
            continue
        if text[match.start() - 1 : match.start()] in _NOT_SELF_BEFORE:
            continue
        if text[match.end() : match.end() + 1] in _NOT_SELF_AFTER:
            continue
        full = context.locality + suffix + body[len(unit) :]
        entry = gazetteer.lookup(full)
        if entry is not None:
            yield _Candidate(
                match.start(), match.end(), entry.name, entry.level, entry.slug, Origin.CONTEXT
            )
        else:
            yield _Candidate(match.start(), match.end(), full, level, None, Origin.CONTEXT)


# Bodies outside the gazetteer that union documents cite by fixed names; discovered, so
# an editor confirms each and can add it to the gazetteer.
KNOWN_BODIES: dict[str, Level] = {
    "全国妇联": Level.OTHER,
    "中华全国妇女联合会": Level.OTHER,
    "共青团中央": Level.OTHER,
    "全国人大常委会": Level.PARTY_STATE,
    "中央纪委": Level.PARTY_STATE,
    "中央改革办": Level.PARTY_STATE,
    "中央和国家机关工委": Level.PARTY_STATE,
    "国务院安委会": Level.PARTY_STATE,
    "科技部": Level.PARTY_STATE,
    "教育部": Level.PARTY_STATE,
    "财政部": Level.PARTY_STATE,
    "最高人民法院": Level.PARTY_STATE,
    "中央广播电视总台": Level.OTHER,
    "中央电视台": Level.OTHER,
}
_KNOWN_RE = re.compile("|".join(sorted(map(re.escape, KNOWN_BODIES), key=len, reverse=True)))


def _known_candidates(text: str) -> Iterator[_Candidate]:
    for match in _KNOWN_RE.finditer(text):
        if _joined_with_neighbours(text, match.start(), match.end()):
            continue
        # A short name inside a longer one is a department of something else: 全总宣传教育部
        # is not 教育部. It must start a name, after punctuation or a verb (与科技部联合).
        if len(match.group()) <= 3 and _name_start(text, match.start()) != match.start():
            continue
        name = match.group()
        yield _Candidate(match.start(), match.end(), name, KNOWN_BODIES[name], None, Origin.KNOWN)


_PLACE_FORMS = sorted(
    {
        *(short + PROVINCES[short] for short in PROVINCES),
        *(short + "省" for short in PROVINCES),
        *(short + "市" for short in (*CITIES, *MUNICIPALITIES)),
    },
    key=len,
    reverse=True,
)
_PLACE_RE = re.compile("|".join(map(re.escape, _PLACE_FORMS)))
_FEDERATION_RE = re.compile(r"(?:省|市|区|县|自治区|自治州|州|盟|旗)总工会")


def _federation_candidates(text: str) -> Iterator[_Candidate]:
    """Local federations of trade unions: 河北省总工会, 滨州市沾化区总工会, 沾化区总工会."""
    for match in _FEDERATION_RE.finditer(text):
        run_start = match.start()
        while (
            run_start > 0
            and match.start() - run_start < _MAX_NAME
            and _IDEOGRAPH.match(text[run_start - 1])
        ):
            run_start -= 1
        head = text[run_start : match.start() + 1]  # includes the administrative suffix
        place = _PLACE_RE.search(head)
        if place is not None:
            start = run_start + place.start()
        elif match.group()[0] in "区县旗":
            # A county is named by the two characters before 区/县 (沾化区), three only
            # when nothing else precedes them.
            start = max(run_start, match.start() - 2)
            if match.start() - run_start == 3:
                start = run_start
        else:
            continue
        name = text[start : match.end()]
        if _is_generic(name) or len(name) - len(match.group()) < 2:
            continue
        yield _Candidate(start, match.end(), name, guess_level(name), None, Origin.PATTERN)


_INTERNATIONAL_RE = re.compile(r"(?:国际|世界)[\u4e00-\u9fff]{2,8}?(?:组织|联合会|联盟)")


def _suffix_candidates(text: str) -> Iterator[_Candidate]:
    for match in re.finditer(r"集团|公司|学院|大学|委员会|联合会", text):
        start = _name_start(text, match.start())
        if text[start - 1 : start] == "）":
            # 产（行）业工匠学院: the run is the tail of a bracketed construction.
            continue
        name = text[start : match.end()]
        if len(name) - len(match.group()) < 2 or _is_generic(name):
            continue
        if _in_title_quotes(text, start, match.end()):
            continue
        level = guess_level(name)
        end = match.end()
        # A company's or a college's own union: 首钢集团工会.
        if text.startswith("工会", end) and not text.startswith("工会法", end):
            end += len("工会")
            name += "工会"
        yield _Candidate(start, end, name, level, None, Origin.PATTERN)
    for match in _INTERNATIONAL_RE.finditer(text):
        name = match.group()
        if _is_generic(name):
            continue
        yield _Candidate(
            match.start(), match.end(), name, Level.INTERNATIONAL, None, Origin.PATTERN
        )


# "美团、京东、网易、唯品会等全国互联网百强企业", "盒马、科大讯飞（上海）、虎牙等一批互联网企业":
# names listed before 等 and, within a few characters, a word for companies.
_LIST_RE = re.compile(
    r"(?P<items>[\u4e00-\u9fffA-Za-z（）()]+(?:、[\u4e00-\u9fffA-Za-z（）()]+)+)"
    r"等[^，。；！？、]{0,10}?(?:企业|公司)"
)
_MAX_LISTED_NAME = 8


def _list_candidates(text: str) -> Iterator[_Candidate]:
    for match in _LIST_RE.finditer(text):
        offset = match.start("items")
        items = match.group("items").split("、")
        # The first item carries whatever preceded it ("集中推动美团").
        first_end = offset + len(items[0])
        first_start = _name_start(text, first_end)
        position = offset
        for index, item in enumerate(items):
            start = first_start if index == 0 else position
            end = position + len(item)
            position = end + 1
            name = text[start:end]
            if not name or len(name) > _MAX_LISTED_NAME or _is_generic(name):
                continue
            yield _Candidate(start, end, name, Level.ENTERPRISE, None, Origin.LIST)


def _settle(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates: longest first, then the more trusted origin."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.origin, c.start))
    taken: list[_Candidate] = []
    for candidate in ordered:
        if all(candidate.end <= kept.start or candidate.start >= kept.end for kept in taken):
            taken.append(candidate)
    return sorted(taken, key=lambda c: c.start)


def _repeats(text: str, found: Sequence[_Candidate]) -> Iterator[_Candidate]:
    """Further occurrences of each discovered name elsewhere in the text."""
    discovered = {c.name: c for c in found if c.slug is None and c.origin != Origin.CONTEXT}
    for name, first in discovered.items():
        for match in re.finditer(re.escape(name), text):
            yield _Candidate(match.start(), match.end(), name, first.level, None, Origin.REPEAT)


def find_organisations(
    text: str, *, gazetteer: Gazetteer, context: OrgContext
) -> tuple[OrganisationMention, ...]:
    """Every organisation mentioned in ``text``, in order, with offsets into ``text``."""
    candidates = [
        *_gazetteer_candidates(text, gazetteer),
        *_context_candidates(text, gazetteer, context),
        *_known_candidates(text),
        *_federation_candidates(text),
        *_suffix_candidates(text),
        *_list_candidates(text),
    ]
    settled = _settle(candidates)
    settled = _settle([*settled, *_repeats(text, settled)])
    return tuple(
        OrganisationMention(
            start=c.start,
            end=c.end,
            text=text[c.start : c.end],
            name=c.name,
            level=str(c.level),
            slug=c.slug,
            origin=c.origin,
        )
        for c in settled
    )


def new_organisations(mentions: Iterable[OrganisationMention]) -> tuple[NewOrganisation, ...]:
    """The discovered organisations among ``mentions``, once per name, in order of mention."""
    seen: dict[str, NewOrganisation] = {}
    for mention in mentions:
        if mention.discovered and mention.name not in seen:
            seen[mention.name] = NewOrganisation(mention.name, mention.level)
    return tuple(seen.values())


# --- locality ----------------------------------------------------------------------------

# How a local document refers to its own city or province without naming it.
_CITY_SELF = re.compile(r"全市|本市|(?<![各全每该诸两城超都门股地省区县])市(?:总工会|委)|首都")
_PROVINCE_SELF = re.compile(r"全省|本省|(?<![各全每该诸两])省(?:总工会|委)")
_LOCAL_MARKS_NEEDED = 3


def detect_locality(text: str) -> str | None:
    """The short name of the city or province a local document is about, else ``None``.

    A document is local when it refers to "the city" or "the province" without naming it
    (全市各级工会, 市委, 首都) at least three times; its locality is then the city or
    province it names most. 首都 counts for 北京.
    """
    city_marks = _CITY_SELF.findall(text)
    province_marks = _PROVINCE_SELF.findall(text)
    if max(len(city_marks), len(province_marks)) < _LOCAL_MARKS_NEEDED:
        return None
    wants_city = len(city_marks) >= len(province_marks)
    counts: dict[str, int] = {}
    if wants_city:
        counts["北京"] = city_marks.count("首都")
        names = (*CITIES, *MUNICIPALITIES)
    else:
        names = tuple(PROVINCES)
    for name in names:
        counts[name] = counts.get(name, 0) + text.count(name)
    best = max(counts, key=lambda name: counts[name], default=None)
    if best is None or counts[best] == 0:
        return None
    return best
