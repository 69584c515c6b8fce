"""Numeric metrics in Chinese text: "慰问抗疫一线职工146.8万人次" → 1468000 人次.

``find_metrics`` reads a number, an optional multiplier, an optional 多/余, a unit (or
classifier) and the qualifiers around them, then names what is measured from the
surrounding phrase. ``attach_as_of`` dates metrics from a "截至…" mention earlier in
the same sentence.

Decisions worth knowing:

* What counts as a metric: a number followed by a unit or classifier from ``UNITS``
  ("33万人", "106个", "82.84%"), or a number with 万/亿 directly followed by the thing
  counted ("30万职工", unit ``None``). Durations (年, 月, 天, 周年) are not metrics.
* Never metrics: ordinals after 第 ("第27次会议", "第一批", "第十一届"); dates and years
  (anything inside a ``find_dates`` mention, or followed by 年/月/日); names and codes
  joined by "·", "+", "-" ("“5·20”", "“6+6”", "3D"); "N个月" (a duration).
* Chinese numerals: the documents follow the usual rule of writing statistics in
  Arabic numerals and keeping Chinese numerals for fixed phrases and slogans ("九条措施",
  "四项重点任务", "两个结合", "十大新闻", "二十大", "五一"). So a Chinese numeral is a
  metric only when it is a compound of a digit and a unit ("十一", "三百余", "两千多",
  "一百二十万"); a lone digit ("九条措施") or a bare round word ("百家企业", "上千件",
  "数百万条") is not.
* Qualifiers, kept as written: bounds and approximations next to the number (超过,
  超, 逾, 近, 将近, 接近, 约, 大约, 不少于, 至少, 不到, 不足; after it 多, 余, 以上,
  以下, 左右) and totals (累计, 共计, 总计, 合计, and 共 right before the number). A
  bound beats a total when both are present ("累计超过" → 超过). 达/达到/为/有 are
  verbs, not qualifiers: "达2亿人次" is exactly 2亿.
* Label: the noun phrase after the unit if there is one ("设置77个交流区" → "交流区"),
  else the clause before the number, cut after totals and markers such as 的/已/全年 and
  started at the last verb of ``_LEAD_VERBS`` ("累计发展新就业形态劳动者会员33万人" →
  "发展新就业形态劳动者会员"). Heuristic by nature; editors correct it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from events.extraction.dates import (
    CHINESE_NUMERAL_CHARS,
    DateContext,
    DateMention,
    Role,
    chinese_numeral_value,
    find_dates,
)

__all__ = ["UNITS", "MetricMention", "attach_as_of", "find_metrics"]


@dataclass(frozen=True)
class MetricMention:
    start: int
    end: int
    text: str  # as written, "84.86亿元"
    value: Decimal  # fully expanded, 8486000000
    unit: str | None  # "元", "人次", "%"; None when the noun follows directly ("30万职工")
    qualifier: str | None = None
    label: str | None = None
    as_of: date | None = None


_MULTIPLIERS = {"万亿": 10**12, "千万": 10**7, "百万": 10**6, "亿": 10**8, "万": 10**4}
_ARABIC_MULTIPLIERS = {**_MULTIPLIERS, "千": 10**3, "百": 10**2}
UNITS = (
    *("个百分点", "平方公里", "平方米", "人次", "场次", "户次", "件次", "家次", "公里", "千米"),
    *("%", "％", "元", "人", "个", "项", "件", "家", "场", "次", "名", "所", "户", "批"),
    *("期", "位", "份", "条", "部", "座", "处", "支", "台", "套", "篇", "本", "册", "吨"),
    *("米", "辆", "张", "幅", "株", "间"),
)
_UNITS_LONGEST_FIRST = tuple(sorted(UNITS, key=len, reverse=True))
# What may follow a classifier and turn the whole into a duration or a name.
_AFTER_UNIT_BLOCKERS = {"个": ("月", "年头", "小时", "工作日"), "期": ("间",)}
_BOUND_QUALIFIERS = (
    *("不少于", "超过", "将近", "接近", "大约", "至少", "不到", "不足"),
    *("超", "逾", "近", "约"),
)
_TOTAL_QUALIFIERS = ("累计", "共计", "总计", "合计", "共")
_AFTER_NUMBER_QUALIFIERS = ("多", "余")
_AFTER_UNIT_QUALIFIERS = ("以上", "以下", "左右", "余", "多")
_FILLERS = ("达到", "达", "为", "有")
_NOT_AFTER = frozenset("·•+-－—–/:：.")
_DELIMITERS = frozenset("，。；：！？、“”‘’《》〈〉（）()【】[],;:!?…—")
_PRE_CUTS = ("累计", "共计", "总计", "合计", "的", "已", "全年", "目前", "其中", "仅", "均")
# 组织 is left out: in "劳动争议调解组织受理…" it is a noun.
_LEAD_VERBS = (
    *("参与", "参加", "慰问", "发展", "培训", "培育", "培养", "筹集", "投入", "调解", "受理"),
    *("办理", "选树", "帮助", "下派", "拨付", "建设", "新建", "建成", "覆盖", "提供"),
    *("设置", "形成", "挽回", "开展", "举办", "推树", "评选", "表彰", "带动", "惠及", "发放"),
    *("救助", "走访", "签订", "展示", "服务", "安排", "吸纳", "帮扶", "资助"),
)
_CO_VERBS = ("学习", "宣传", "教育")
_LEADING_NOISE = ("涉及", "有", "并", "和", "及", "还", "又", "再", "在", "共", "为")
_POST_STOPS = (
    *("全覆盖", "来自", "在", "被", "对", "向", "于", "由", "从", "将", "把", "并", "已"),
    *("均", "全部", "实现", "参与", "开展", "提升", "齐聚", "同步", "签订", "亮相", "试点"),
    *("集中", "给予", "获得", "进行", "覆盖", "提供", "等", "的", "以上", "左右", "就"),
)
_TRAILING_CONJUNCTIONS = ("和", "及", "与", "、")
_LABEL_MAX = 24


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _is_arabic_digit(char: str) -> bool:
    return "0" <= char <= "9" or "０" <= char <= "９"


def _canonical(value: Decimal) -> Decimal:
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


class _Scanner:
    """Reads one metric at a time; whitespace between its parts is skipped."""

    def __init__(self, text: str) -> None:
        self.text = text

    def skip_space(self, i: int) -> int:
        while i < len(self.text) and self.text[i].isspace():
            i += 1
        return i

    def word(self, i: int, words: Iterable[str]) -> tuple[str, int] | None:
        """The first of ``words`` spelled at ``i`` and the index after it.

        Whitespace before and inside the word is skipped: PDF text breaks lines anywhere.
        """
        for word in words:
            j = i
            for char in word:
                j = self.skip_space(j)
                if j >= len(self.text) or self.text[j] != char:
                    break
                j += 1
            else:
                return word, j
        return None

    def word_before(self, i: int, words: Iterable[str]) -> tuple[str, int] | None:
        """The first of ``words`` that ends right before ``i``, and where it starts."""
        for word in words:
            j = i
            for char in reversed(word):
                while j > 0 and self.text[j - 1].isspace():
                    j -= 1
                if j == 0 or self.text[j - 1] != char:
                    break
                j -= 1
            else:
                return word, j
        return None

    def previous_char(self, i: int) -> str:
        i -= 1
        while i >= 0 and self.text[i].isspace():
            i -= 1
        return self.text[i] if i >= 0 else ""

    def arabic_number(self, i: int) -> tuple[Decimal, int]:
        text, j = self.text, i
        while j < len(text) and (
            _is_arabic_digit(text[j])
            or (text[j] in ".," and j + 1 < len(text) and _is_arabic_digit(text[j + 1]))
        ):
            j += 1
        digits = text[i:j].replace(",", "")
        return Decimal(digits.translate(_FULL_WIDTH_DIGITS)), j

    def chinese_number(self, i: int) -> tuple[Decimal, int] | None:
        j = i
        while j < len(self.text) and self.text[j] in CHINESE_NUMERAL_CHARS:
            j += 1
        run = self.text[i:j]
        value = chinese_numeral_value(run)
        # Only compounds of a digit and a unit are statistics; see the module docstring.
        has_digit = any(c in "一二两三四五六七八九" for c in run)
        has_unit = any(c in "十百千万亿" for c in run)
        if value is None or not (has_digit and has_unit) or value < 10:
            return None
        return Decimal(value), j


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class _Reading:
    start: int
    end: int
    value: Decimal
    unit: str | None
    bound: str | None  # qualifier next to the number
    total: str | None  # 累计 and the like
    chain_start: int  # where the qualifiers and fillers before the number begin
    unit_end: int


def _read(scanner: _Scanner, i: int) -> tuple[_Reading | None, int]:
    """Try a metric at ``i``; return it (or None) and where to continue scanning."""
    text = scanner.text
    arabic = _is_arabic_digit(text[i])
    if arabic:
        number, j = scanner.arabic_number(i)
    else:
        chinese = scanner.chinese_number(i)
        j = i + 1
        while j < len(text) and text[j] in CHINESE_NUMERAL_CHARS:
            j += 1
        if chinese is None:
            return None, j
        number, j = chinese
    resume = j
    before = scanner.previous_char(i)
    if before == "第" or before in _NOT_AFTER or (before.isascii() and before.isalnum()):
        return None, resume
    multiplier = 1
    found = scanner.word(j, _ARABIC_MULTIPLIERS) if arabic else None
    if found is not None:
        multiplier, j = _ARABIC_MULTIPLIERS[found[0]], found[1]
    after_number = scanner.word(j, _AFTER_NUMBER_QUALIFIERS)
    post: str | None = None
    if after_number is not None:
        post, j = after_number
    unit_found = scanner.word(j, _UNITS_LONGEST_FIRST)
    unit: str | None = None
    if unit_found is not None:
        unit, j = unit_found
        blockers = _AFTER_UNIT_BLOCKERS.get(unit, ())
        if scanner.word(j, blockers) is not None:
            return None, resume
    else:
        # "30万职工": a multiplied number followed by the thing counted.
        k = scanner.skip_space(j)
        big = multiplier >= 10**4 or any(c in "万亿" for c in text[i:resume])
        if not big or k >= len(text) or not _is_han(text[k]) or text[k] in "年月日周岁":
            return None, resume
    unit_end = j
    if unit is not None:
        after_unit = scanner.word(j, _AFTER_UNIT_QUALIFIERS)
        if after_unit is not None and post is None:
            post, j = after_unit
    bound, total, chain_start = _qualifiers_before(scanner, i)
    reading = _Reading(
        start=chain_start,
        end=j,
        value=_canonical(number * multiplier),
        unit=unit,
        bound=bound or post,
        total=total,
        chain_start=chain_start,
        unit_end=unit_end,
    )
    return reading, j


def _qualifiers_before(scanner: _Scanner, i: int) -> tuple[str | None, str | None, int]:
    """Bound and total qualifiers right before the number, and where the chain starts.

    The chain is read backwards over whitespace: "累计达 2亿" gives total 累计 (达 is
    skipped as a verb), "超过 2 亿" gives bound 超过. The metric's text starts at the
    first qualifier, never at a filler.
    """
    bound = total = None
    chain_start = j = i
    for _ in range(3):
        found = scanner.word_before(j, (*_BOUND_QUALIFIERS, *_TOTAL_QUALIFIERS, *_FILLERS))
        if found is None:
            break
        word, start = found
        if word in _BOUND_QUALIFIERS and bound is None and total is None:
            bound, chain_start = word, start
        elif word in _TOTAL_QUALIFIERS and total is None:
            # 共 alone is a total only right before the number and not inside 公共.
            if word == "共" and (j != i or scanner.text[start - 1 : start] == "公"):
                break
            total, chain_start = word, start
        j = start
    return bound, total, chain_start


def _pre_label(text: str, start: int, floor: int) -> tuple[str | None, str | None]:
    """Label from the clause before the number, and a total word found in it."""
    i = start
    while i > floor and text[i - 1] not in _DELIMITERS:
        i -= 1
    clause = "".join(c for c in text[i:start] if not c.isspace())
    for word in _FILLERS:
        clause = clause.removesuffix(word)
    # 累计 anywhere in the clause qualifies the figure ("各级工会全年累计调解纠纷28.9万件").
    total = max(
        (word for word in _TOTAL_QUALIFIERS[:4] if word in clause),
        key=clause.rfind,
        default=None,
    )
    cut = max((clause.rfind(word) + len(word) for word in _PRE_CUTS if word in clause), default=0)
    clause = clause[cut:]
    verb_at = max((clause.rfind(verb) for verb in _LEAD_VERBS), default=-1)
    if verb_at > 0:
        # Keep verbs chained before it: "参加学习培训职工", not "培训职工".
        while True:
            head = clause[:verb_at]
            extra = next((v for v in (*_LEAD_VERBS, *_CO_VERBS) if head.endswith(v)), None)
            if extra is None:
                break
            verb_at -= len(extra)
        clause = clause[verb_at:]
    if "率" in clause:
        clause = clause[: clause.rfind("率") + 1]
    for word in _LEADING_NOISE:
        if clause.startswith(word) and len(clause) > len(word) + 1:
            clause = clause[len(word) :]
            break
    return (clause[-_LABEL_MAX:] or None), total


def _post_label(text: str, i: int) -> str | None:
    """The noun phrase right after the unit ("77个交流区" → "交流区"), if any."""
    chars: list[str] = []
    if text.startswith("来自", i):  # "近60位来自各行各业的顶尖工匠"
        k = text.find("的", i, i + 20)
        if k < 0:
            return None
        i = k + 1
    while i < len(text) and len(chars) < _LABEL_MAX:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in _DELIMITERS or not _is_han(char):
            break
        if any(text.startswith(stop, i) for stop in _POST_STOPS):
            break
        chars.append(char)
        i += 1
    label = "".join(chars)
    for word in _TRAILING_CONJUNCTIONS:
        label = label.removesuffix(word)
    return label or None


def find_metrics(text: str) -> tuple[MetricMention, ...]:
    """Metrics in ``text`` in order, with offsets into ``text``."""
    scanner = _Scanner(text)
    masked = [(m.start, m.end) for m in find_dates(text, context=DateContext(2000))]
    metrics: list[MetricMention] = []
    floor = 0
    i = 0
    while i < len(text):
        char = text[i]
        if not (_is_arabic_digit(char) or char in CHINESE_NUMERAL_CHARS):
            i += 1
            continue
        if any(start <= i < end for start, end in masked):
            i += 1
            continue
        reading, resume = _read(scanner, i)
        if reading is None:
            i = max(resume, i + 1)
            continue
        label, clause_total = _pre_label(text, reading.chain_start, floor)
        post = _post_label(text, reading.end)
        total = reading.total or clause_total
        metrics.append(
            MetricMention(
                start=reading.start,
                end=reading.end,
                text=text[reading.start : reading.end],
                value=reading.value,
                unit=reading.unit,
                qualifier=reading.bound or total,
                label=post or label,
            )
        )
        floor = reading.end
        i = resume if resume > reading.end else reading.end
    return tuple(metrics)


_SENTENCE_ENDS = frozenset("。！？；!?;")


def attach_as_of(
    text: str,
    metrics: Iterable[MetricMention],
    *,
    dates: Iterable[DateMention] | None = None,
    context: DateContext | None = None,
) -> tuple[MetricMention, ...]:
    """Date each metric from the nearest "截至…" mention before it in the same sentence.

    ``dates`` are ``find_dates(text, context=context)`` unless given. Metrics with no
    such mention, or whose mention has no date ("截至目前"), keep ``as_of`` as it was.
    """
    if dates is None:
        dates = find_dates(text, context=context)
    as_of_mentions = [m for m in dates if m.role is Role.AS_OF]
    dated: list[MetricMention] = []
    for metric in metrics:
        candidates = [
            m
            for m in as_of_mentions
            if m.end <= metric.start and not _SENTENCE_ENDS & set(text[m.end : metric.start])
        ]
        if candidates and candidates[-1].as_of is not None:
            metric = replace(metric, as_of=candidates[-1].as_of)
        dated.append(metric)
    return tuple(dated)
