"""Chinese date expressions: find them in text and resolve them to periods.

The parser is a small pipeline:

1. ``_tokenize`` turns the text into number tokens (Arabic digits or a run of Chinese
   numerals) and single-character tokens, dropping whitespace but keeping offsets, so
   "2022 年 4 月 27 日" from a PDF reads like "2022年4月27日".
2. ``_Grammar`` reads tokens into expressions: points (year → month → day / xun /
   part of month; year → quarter / half / part of year), festivals, offsets from the
   previous date ("次日", "此前半个月"), ranges and "截至" prefixes.
3. ``find_dates`` resolves each expression against a ``DateContext`` (the year, month
   and day to inherit) and carries the context forward, so "9月27日" after
   "2022年9月15日" becomes 2022-09-27.

Every mention follows the data contract: ``date_start`` is the first day of the period
stated, ``date_end`` the last day of a stated range (else ``None``), and ``precision``
describes the start.

Decisions worth knowing:

* Halves and "前三季度" are ranges of quarters: "2022年上半年" is season precision,
  2022-01-01 to 2022-06-30; "一季度" is a single season with no ``date_end``.
* "年初" is January, "年底"/"年末" December (month precision) and "年中" June to July.
  "月初"/"月中"/"月底" are the 上/中/下旬 of the month (xun precision). At the end of a
  range, or after "截至", the period's last day counts: "至12月底" ends on 12-31.
* "截至…" gives role ``as_of``; ``DateMention.as_of`` is the last day of the period
  ("截至2021年底" → 2021-12-31). "截至目前" is an as-of mention with no date. As-of
  mentions do not move the context: they date statistics, not events.
* Offsets from the previous date are ``Anchor.RELATIVE``. Whole days and weeks ("次日",
  "三天后", "此后一周") keep day precision; "半个月" is approximate, so it is snapped
  to the xun holding the computed day ("此前半个月" before 2022-06-02 → 2022-05-18 →
  2022年5月中旬, 05-11) and flagged ``approximate``; months give month precision,
  "半年" month precision and approximate, years year precision.
* Festivals: fixed dates 元旦 01-01, 三八 03-08, 五一 05-01, 七一 07-01, 国庆 10-01.
  Lunar ones (春节, 元宵, 端午, 中秋, 重阳) are converted with lunardate for
  1900–2099; outside that they are found but not dated. A festival on its own is day
  precision; "前夕" (the eve) is the xun that holds the day before the festival, flagged approximate
  ("2022年“五一”国际劳动节前夕" → 2022年4月下旬, 04-21); "期间"/"假期" is the
  festival day, approximate. "五一", "三八" and "七一" count only in quotes or
  followed by 节 / 劳动节 / 前夕 / 期间 — "全国五一劳动奖" is an award, not a date.
* Dotted month·day forms ("“5·20”关爱计划") are not parsed: in these documents they
  name campaigns rather than date an event.
* A year needs four digits ("2022年", "二〇二二年"), so "5年来", "第5个年头", "五周年"
  and "二十大" never parse.
"""

from __future__ import annotations

import ast
import calendar
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from lunardate import LunarDate

__all__ = [
    "Anchor",
    "DateContext",
    "DateMention",
    "Precision",
    "Role",
    "chinese_numeral_value",
    "context_after",
    "date_text_zh",
    "find_dates",
]


class Precision(StrEnum):
    DAY = "day"
    XUN = "xun"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"


class Role(StrEnum):
    EVENT = "event"  # when something happened or will happen
    AS_OF = "as_of"  # "截至…": the date a figure is measured at


class Anchor(StrEnum):
    EXPLICIT = "explicit"  # every part needed is written out
    INHERITED = "inherited"  # year or month taken from the context ("9月27日", "同年8月")
    RELATIVE = "relative"  # an offset from the context date ("次日", "此前半个月", "次年")
    UNRESOLVED = "unresolved"  # a date expression the context could not complete


@dataclass(frozen=True)
class DateContext:
    """What a partial date inherits: the document year or the previous date."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    @classmethod
    def from_date(cls, value: date) -> DateContext:
        return cls(value.year, value.month, value.day)

    def following(self, mention: DateMention) -> DateContext:
        """The context after ``mention``: it becomes the previous date."""
        if mention.date_start is None or mention.role is Role.AS_OF:
            return self
        ref = mention.date_end or mention.date_start
        if mention.precision is Precision.DAY:
            return DateContext(ref.year, ref.month, ref.day)
        if mention.precision in (Precision.XUN, Precision.MONTH):
            return DateContext(ref.year, ref.month, None)
        return DateContext(ref.year, None, None)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date_start: date | None
    date_end: date | None
    precision: Precision | None
    role: Role = Role.EVENT
    anchor: Anchor = Anchor.EXPLICIT
    approximate: bool = False

    @property
    def last_day(self) -> date | None:
        """The last day the mention covers (end of range, else end of the period)."""
        if self.date_end is not None:
            return self.date_end
        if self.date_start is None or self.precision is None:
            return None
        return _period_last_day(self.date_start, self.precision)

    @property
    def as_of(self) -> date | None:
        return self.last_day if self.role is Role.AS_OF else None


# --- numbers ---------------------------------------------------------------------------

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_SECTIONS = {"万": 10**4, "亿": 10**8}
CHINESE_NUMERAL_CHARS = frozenset(_CN_DIGITS) | frozenset(_CN_UNITS) | frozenset(_CN_SECTIONS)


def chinese_numeral_value(numeral: str) -> int | None:
    """The integer a run of Chinese numerals names, or None if it is not a number.

    Digit strings read digit by digit ("二〇二二" → 2022); otherwise positional
    ("十一" → 11, "三百" → 300, "一百二十万" → 1200000). Two digits in a row after a
    unit are not a number ("十四五" is a slogan, not 145).
    """
    if not numeral or any(c not in CHINESE_NUMERAL_CHARS for c in numeral):
        return None
    if all(c in _CN_DIGITS for c in numeral):
        return int("".join(str(_CN_DIGITS[c]) for c in numeral))
    total = section = 0
    digit: int | None = None
    for char in numeral:
        if char in _CN_DIGITS:
            if digit:  # a non-zero digit already waiting for its unit
                return None
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            section += digit or 0
            digit = None
            if char == "亿":
                total = (total + (section or 1)) * _CN_SECTIONS[char]
            else:
                total += (section or 1) * _CN_SECTIONS[char]
            section = 0
    return total + section + (digit or 0)


def _is_arabic_digit(char: str) -> bool:
    return "0" <= char <= "9" or "０" <= char <= "９"


# --- tokens ----------------------------------------------------------------------------

# Chinese numerals that can appear in dates; 万 and 亿 never do.
_DATE_NUMERAL_CHARS = frozenset(_CN_DIGITS) | frozenset(_CN_UNITS)


class _Token(NamedTuple):
    # A named tuple rather than a frozen dataclass: a document has a token per character,
    # and building frozen dataclasses was a third of the whole load's time.
    text: str
    start: int
    end: int
    value: int | None = None  # set for number tokens
    arabic: bool = False

    @property
    def is_number(self) -> bool:
        return self.value is not None


def _grammar_characters() -> frozenset[str]:
    """Every character in a string literal of this module's code (docstrings aside).

    The grammar compares tokens only with such literals, so any other character can take
    no part in a date expression, and a run of them can be one token: a document then has
    a few tokens per date-like phrase instead of one per character. Reading the literals
    from the source keeps this true whenever the grammar gains a word.
    """
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return frozenset(
        char
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
        for char in node.value
    )


# Digits (ASCII or full-width), a run of Chinese numerals, a run of characters the grammar
# never names, or any other single character; white space separates tokens and is dropped.
_DIGITS = "0-9０-９"
_NUMERALS = re.escape("".join(sorted(_DATE_NUMERAL_CHARS)))
_NAMED = re.escape("".join(sorted(_grammar_characters() - set(_DATE_NUMERAL_CHARS))))
_TOKEN = re.compile(f"[{_DIGITS}]+|[{_NUMERALS}]+|[^\\s{_DIGITS}{_NUMERALS}{_NAMED}]+|\\S")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        piece, start, end = match.group(), match.start(), match.end()
        if _is_arabic_digit(piece[0]):
            tokens.append(_Token(piece, start, end, int(piece), arabic=True))
        elif piece[0] in _DATE_NUMERAL_CHARS:
            value = chinese_numeral_value(piece)
            # A malformed run stays a number token with value -1 so it never fits a slot.
            tokens.append(_Token(piece, start, end, -1 if value is None else value))
        else:
            tokens.append(_Token(piece, start, end))
    return tokens


# --- grammar ---------------------------------------------------------------------------

_XUN = {"上旬": 1, "中旬": 2, "下旬": 3}
_MONTH_PARTS = {"初": 1, "中": 2, "底": 3, "末": 3}  # 月初/月中/月底 are xuns
_YEAR_PARTS = {"初": (1, 1), "中": (6, 7), "底": (12, 12), "末": (12, 12)}
# "2022年初步…", "2022年中国…", "9月中央…" are not parts of the year or month.
_PART_BLOCKERS = set("步心级期衷国央华共秋小学旬等")
_HALVES = {"上半年": (1, 2), "下半年": (3, 4)}
_RANGE_SEPARATORS = ("至", "到", "—", "－", "-", "～", "~", "–")
_LIST_SEPARATORS = ("和", "、", "及", "与")
_AS_OF_WORDS = ("截止到", "截止至", "截至", "截止")
_AS_OF_NOW = ("目前", "当前", "现在", "今")
# Flourishes after a month that add colour, not precision ("2022年7月盛夏").
_FLOURISHES = (
    *("初春", "早春", "阳春", "初夏", "盛夏", "仲夏", "酷暑"),
    *("金秋", "深秋", "初冬", "隆冬"),
)
_YEAR_OFFSETS = {
    "同年": 0,
    "当年": 0,
    "本年": 0,
    "今年": 0,
    "次年": 1,
    "翌年": 1,
    "第二年": 1,
    "明年": 1,
    "上年": -1,
    "去年": -1,
    "前一年": -1,
}
_MONTH_OFFSETS = {"当月": 0, "同月": 0, "本月": 0, "次月": 1, "下月": 1, "上月": -1}
_DAY_OFFSETS = {
    "次日": 1,
    "翌日": 1,
    "第二天": 1,
    "当日": 0,
    "当天": 0,
    "同日": 0,
    "同一天": 0,
    "前一天": -1,
    "前一日": -1,
}
_OFFSET_LEADS = {"此前": -1, "之前": -1, "此后": 1, "之后": 1}
_OFFSET_TAILS = {"以前": -1, "之前": -1, "前": -1, "以后": 1, "之后": 1, "后": 1}

_FIXED_FESTIVALS = {"元旦": (1, 1), "三八": (3, 8), "五一": (5, 1), "七一": (7, 1), "国庆": (10, 1)}
# Festivals on the Chinese calendar, as (lunar month, day); lunardate converts them for
# any year it knows (1900-2099), outside which the festival stays undated.
_LUNAR_FESTIVALS = {
    "春节": (1, 1),
    "元宵": (1, 15),
    "端午": (5, 5),
    "中秋": (8, 15),
    "重阳": (9, 9),
}
# Spelled-out festival names and the festival they stand for, longest first.
_FESTIVAL_NAMES = (
    ("国际劳动节", "五一"),
    ("国际妇女节", "三八"),
    ("劳动节", "五一"),
    ("妇女节", "三八"),
    ("国庆节", "国庆"),
    ("元旦", "元旦"),
    ("春节", "春节"),
    ("元宵节", "元宵"),
    ("元宵", "元宵"),
    ("中秋节", "中秋"),
    ("中秋", "中秋"),
    ("端午节", "端午"),
    ("端午", "端午"),
    ("重阳节", "重阳"),
    ("重阳", "重阳"),
)
_FESTIVAL_SPELLINGS = tuple(word for word, _ in _FESTIVAL_NAMES)
# Names that are dates only when quoted or followed by one of _FESTIVAL_CUES.
_GUARDED_FESTIVALS = ("五一", "三八", "七一", "国庆")
_FESTIVAL_CUES = ("国际劳动节", "国际妇女节", "劳动节", "妇女节", "节", "前夕", "期间", "假期")
_FESTIVAL_SUFFIXES = ("前夕", "期间", "假期", "当天", "当日")


@dataclass(frozen=True)
class _Point:
    """A date as written; missing fields are inherited when it is resolved."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    xun: int | None = None  # 1, 2, 3
    quarters: tuple[int, int] | None = None  # (1, 1) 一季度, (1, 2) 上半年
    months: tuple[int, int] | None = None  # 年初 (1, 1), 年中 (6, 7), 年底 (12, 12)
    year_offset: int | None = None  # 同年 0, 次年 +1 — relative to the context year
    month_offset: int | None = None


@dataclass(frozen=True)
class _Offset:
    sign: int
    amount: int  # in ``unit``; 半个月 is 15 days
    unit: str  # "day" | "month" | "year"
    precision: Precision
    approximate: bool


@dataclass(frozen=True)
class _Expression:
    first: int  # token indexes, end exclusive
    last: int
    point: _Point | None = None
    end_point: _Point | None = None
    offset: _Offset | None = None
    festival: str | None = None
    festival_suffix: str | None = None
    as_of: bool = False
    start_last: int | None = None  # where ``point`` ends when a range tail follows


# The first characters of every word an expression can open with (numbers aside).
_STARTERS = frozenset(
    word[0]
    for words in (
        _AS_OF_WORDS,
        _DAY_OFFSETS,
        ("半个月", "半月", "半年"),
        _OFFSET_LEADS,
        _HALVES,
        _YEAR_OFFSETS,
        ("第", "前"),
        _MONTH_OFFSETS,
        ("“",),
        _GUARDED_FESTIVALS,
        _FESTIVAL_SPELLINGS,
    )
    for word in words
)


@functools.lru_cache(maxsize=128)
def _word_index(words: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The words longest first (the longest spelling wins) and the characters they start with."""
    return tuple(sorted(words, key=len, reverse=True)), frozenset(word[0] for word in words)


class _Grammar:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)

    # token helpers

    def word(self, i: int, word: str) -> int | None:
        """Index after ``word`` if the tokens from ``i`` spell it exactly."""
        if i >= len(self.tokens) or self.tokens[i].text[0] != word[0]:
            return None
        spelled = ""
        while i < len(self.tokens) and len(spelled) < len(word):
            spelled += self.tokens[i].text
            i += 1
        return i if spelled == word else None

    def any_word(self, i: int, words: Iterable[str]) -> tuple[str, int] | None:
        if i >= len(self.tokens):
            return None
        ordered, first_chars = _word_index(tuple(words))
        # Most positions start no word at all: one set look-up rules them out.
        if self.tokens[i].text[0] not in first_chars:
            return None
        for word in ordered:
            j = self.word(i, word)
            if j is not None:
                return word, j
        return None

    def number(self, i: int, low: int, high: int, *, digits: int | None = None) -> int | None:
        if i >= len(self.tokens):
            return None
        token = self.tokens[i]
        if token.value is None or not low <= token.value <= high:
            return None
        if digits is not None and len(token.text) != digits:
            return None
        return token.value

    def char_at(self, i: int) -> str:
        return self.tokens[i].text if i < len(self.tokens) else ""

    # expressions

    def expressions(self) -> list[_Expression]:
        found: list[_Expression] = []
        i = 0
        while i < len(self.tokens):
            token = self.tokens[i]
            # Only a number or one of the grammar's opening words can start an expression;
            # skipping every other token keeps the parser linear and cheap.
            if not token.is_number and token.text[0] not in _STARTERS:
                i += 1
                continue
            expression = self.expression(i)
            if expression is None:
                i += 1
            else:
                found.append(expression)
                i = expression.last
        return found

    def expression(self, i: int) -> _Expression | None:
        as_of = self.any_word(i, _AS_OF_WORDS)
        if as_of is not None:
            j = as_of[1]
            now = self.any_word(j, _AS_OF_NOW)
            if now is not None:
                return _Expression(i, now[1], as_of=True)
            body = self.body(j)
            return None if body is None else replace(body, first=i, as_of=True)
        return self.body(i)

    def body(self, i: int) -> _Expression | None:
        for parse in (self.day_offset, self.offset, self.point_expression, self.festival):
            expression = parse(i)
            if expression is not None:
                return expression
        return None

    def day_offset(self, i: int) -> _Expression | None:
        found = self.any_word(i, _DAY_OFFSETS)
        if found is None:
            return None
        word, j = found
        offset = _Offset(1, _DAY_OFFSETS[word], "day", Precision.DAY, approximate=False)
        return _Expression(i, j, offset=offset)

    def duration(self, i: int) -> tuple[int, str, Precision, bool, int] | None:
        """'半个月', '三天', '一周', '两个月', '半年' → amount, unit, precision, approx, next."""
        found = self.any_word(i, ("半个月", "半月", "半年"))
        if found is not None:
            word, j = found
            if word == "半年":
                return 6, "month", Precision.MONTH, True, j
            return 15, "day", Precision.XUN, True, j
        amount = self.number(i, 1, 99)
        if amount is None:
            return None
        unit = self.any_word(i + 1, ("天", "日", "周", "星期", "个月", "年"))
        if unit is None:
            return None
        word, j = unit
        if word in ("天", "日"):
            return amount, "day", Precision.DAY, False, j
        if word in ("周", "星期"):
            return amount * 7, "day", Precision.DAY, False, j
        if word == "个月":
            return amount, "month", Precision.MONTH, False, j
        return amount, "year", Precision.YEAR, False, j

    def offset(self, i: int) -> _Expression | None:
        lead = self.any_word(i, _OFFSET_LEADS)
        if lead is not None:
            found = self.duration(lead[1])
            if found is None:
                return None
            amount, unit, precision, approximate, j = found
            sign = _OFFSET_LEADS[lead[0]]
        else:
            found = self.duration(i)
            if found is None:
                return None
            amount, unit, precision, approximate, j = found
            # "3日后" is too easily a day of the month; only 天/周/个月/年 count here.
            if self.tokens[j - 1].text == "日":
                return None
            tail = self.any_word(j, _OFFSET_TAILS)
            if tail is None:
                return None
            sign, j = _OFFSET_TAILS[tail[0]], tail[1]
        return _Expression(i, j, offset=_Offset(sign, amount, unit, precision, approximate))

    def point_expression(self, i: int) -> _Expression | None:
        year_range = self.bare_number_range(i)
        if year_range is not None:
            return year_range
        parsed = self.point(i, start=True)
        if parsed is None:
            return None
        point, j = parsed
        if point.month is None and point.quarters is None and point.months is None:
            festival = self.festival(j)
            if festival is not None:
                return replace(festival, first=i, point=point)
            months = self.bare_number_range(j)  # "2021年1—9月"
            if months is not None and months.point and months.point.month is not None:
                return replace(
                    months,
                    first=i,
                    point=replace(months.point, year=point.year, year_offset=point.year_offset),
                )
        expression = _Expression(i, j, point=point)
        tail = self.range_tail(j, point)
        if tail is not None:
            end_point, k = tail
            expression = replace(expression, last=k, end_point=end_point, start_last=j)
        elif point.month is not None and point.day is None and point.xun is None:
            flourish = self.any_word(j, _FLOURISHES)
            if flourish is not None:
                expression = replace(expression, last=flourish[1])
        return expression

    def bare_number_range(self, i: int) -> _Expression | None:
        """'2019-2021年', '1—9月', '27至29日': the first number borrows the unit."""
        if i >= len(self.tokens) or not self.tokens[i].is_number:
            return None
        separator = self.any_word(i + 1, _RANGE_SEPARATORS)
        if separator is None:
            return None
        j = separator[1]
        unit = self.char_at(j + 1)
        first, second = self.tokens[i], self.tokens[j] if j < len(self.tokens) else None
        if second is None or not second.is_number or unit not in ("年", "月", "日"):
            return None
        if unit == "年":
            low = self.number(i, 1900, 2100, digits=4)
            high = self.number(j, 1900, 2100, digits=4)
            make = lambda value: _Point(year=value)  # noqa: E731
        elif unit == "月":
            low, high = self.number(i, 1, 12), self.number(j, 1, 12)
            make = lambda value: _Point(month=value)  # noqa: E731
        else:
            low, high = self.number(i, 1, 31), self.number(j, 1, 31)
            make = lambda value: _Point(day=value)  # noqa: E731
        if low is None or high is None or low >= high or first.arabic != second.arabic:
            return None
        return _Expression(i, j + 2, point=make(low), end_point=make(high))

    def point(self, i: int, *, start: bool) -> tuple[_Point, int] | None:
        """A year with what follows it, or a month with what follows it, or a day."""
        year = self.year(i)
        if year is not None:
            point, j = year
            sub = self.year_part(j)
            if sub is not None:
                return replace(point, **sub[0]), sub[1]
            month = self.month(j)
            if month is not None:
                return replace(month[0], year=point.year, year_offset=point.year_offset), month[1]
            return point, j
        half = self.any_word(i, _HALVES)
        if half is not None:
            return _Point(quarters=_HALVES[half[0]]), half[1]
        quarter = self.quarter(i)
        if quarter is not None:
            return _Point(quarters=quarter[0]), quarter[1]
        month = self.month(i)
        if month is not None:
            return month
        day = self.day(i)
        if day is not None and (not start or self.at_clause_start(i)):
            return _Point(day=day[0]), day[1]
        return None

    def year(self, i: int) -> tuple[_Point, int] | None:
        found = self.any_word(i, _YEAR_OFFSETS)
        if found is not None:
            return _Point(year_offset=_YEAR_OFFSETS[found[0]]), found[1]
        value = self.number(i, 1900, 2100, digits=4)
        if value is None or self.char_at(i + 1) != "年":
            return None
        j = i + 2
        if self.char_at(j) == "度":
            j += 1
        return _Point(year=value), j

    def year_part(self, j: int) -> tuple[dict, int] | None:
        """What can follow 'YYYY年': a half, a quarter or 初/中/底 of the year."""
        half = self.any_word(j, _HALVES)
        if half is not None:
            return {"quarters": _HALVES[half[0]]}, half[1]
        quarter = self.quarter(j)
        if quarter is not None:
            return {"quarters": quarter[0]}, quarter[1]
        # 年初/年中/年底 share the 年 of "2022年", so the part follows directly.
        part = self.char_at(j)
        if part in _YEAR_PARTS and self.char_at(j + 1) not in _PART_BLOCKERS:
            return {"months": _YEAR_PARTS[part]}, j + 1
        return None

    def quarter(self, i: int) -> tuple[tuple[int, int], int] | None:
        lead = self.any_word(i, ("第", "前"))
        j = lead[1] if lead else i
        value = self.number(j, 1, 4)
        if value is None:
            return None
        end = self.word(j + 1, "季度")
        if end is None:
            return None
        if lead is not None and lead[0] == "前":
            return (1, value), end
        return (value, value), end

    def month(self, i: int) -> tuple[_Point, int] | None:
        found = self.any_word(i, _MONTH_OFFSETS)
        if found is not None:
            point, j = _Point(month_offset=_MONTH_OFFSETS[found[0]]), found[1]
        else:
            value = self.number(i, 1, 12)
            if value is None or self.char_at(i + 1) != "月":
                return None
            point, j = _Point(month=value), i + 2
        if self.char_at(j) == "份":
            return point, j + 1
        day = self.day(j)
        if day is not None:
            return replace(point, day=day[0]), day[1]
        xun = self.any_word(j, _XUN)
        if xun is not None:
            return replace(point, xun=_XUN[xun[0]]), xun[1]
        part = self.char_at(j)
        if part in _MONTH_PARTS and self.char_at(j + 1) not in _PART_BLOCKERS:
            return replace(point, xun=_MONTH_PARTS[part]), j + 1
        return point, j

    def day(self, i: int) -> tuple[int, int] | None:
        value = self.number(i, 1, 31)
        if value is None or self.char_at(i + 1) not in ("日", "号"):
            return None
        return value, i + 2

    def at_clause_start(self, i: int) -> bool:
        """A bare day ("28日") is a date only where a clause begins."""
        if i == 0:
            return True
        before = self.text[: self.tokens[i].start].rstrip()
        return not before or before[-1] in "，。；：、“”】）)\n,;:"

    def range_tail(self, j: int, start: _Point) -> tuple[_Point, int] | None:
        """'至29日', '至12月底', '至2023年9月', '和12日' after a point."""
        separator = self.any_word(j, _RANGE_SEPARATORS)
        listed = separator is None
        if listed:
            separator = self.any_word(j, _LIST_SEPARATORS)
        if separator is None:
            return None
        parsed = self.point(separator[1], start=False)
        if parsed is None:
            return None
        end, k = parsed
        if listed and not _is_repeat_of_last_unit(start, end):
            return None
        return end, k

    def festival(self, i: int) -> _Expression | None:
        quoted = self.char_at(i) == "“"
        j = i + 1 if quoted else i
        name: str | None = None
        for guarded in _GUARDED_FESTIVALS:
            k = self.word(j, guarded)
            if k is None:
                continue
            if quoted and self.char_at(k) == "”":
                name, j = guarded, k + 1
            elif not quoted and self.any_word(k, _FESTIVAL_CUES) is not None:
                name, j = guarded, k
            break
        if name is not None:
            spelled = self.any_word(j, _FESTIVAL_SPELLINGS)
            if spelled is not None and dict(_FESTIVAL_NAMES)[spelled[0]] == name:
                j = spelled[1]
            elif self.char_at(j) == "节":
                j += 1
        else:
            spelled = self.any_word(j, _FESTIVAL_SPELLINGS)
            if spelled is None:
                return None
            name, j = dict(_FESTIVAL_NAMES)[spelled[0]], spelled[1]
            if quoted:
                if self.char_at(j) != "”":
                    return None
                j += 1
        suffix = self.any_word(j, _FESTIVAL_SUFFIXES)
        if suffix is not None:
            return _Expression(i, suffix[1], festival=name, festival_suffix=suffix[0])
        return _Expression(i, j, festival=name)


def _is_repeat_of_last_unit(start: _Point, end: _Point) -> bool:
    """'11日和12日', '9月和10月': a listed end repeats only the start's last unit."""
    if end.year is not None or end.year_offset is not None:
        return start.month is None and start.quarters is None and end.month is None
    if end.month is not None:
        return start.day is None and start.xun is None and end.day is None and end.xun is None
    return end.day is not None and start.day is not None


# --- resolution ------------------------------------------------------------------------


def _month_last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _xun_first_day(year: int, month: int, xun: int) -> date:
    return date(year, month, (1, 11, 21)[xun - 1])


def _xun_of(day: date) -> date:
    return date(day.year, day.month, 1 if day.day <= 10 else 11 if day.day <= 20 else 21)


def _period_last_day(first: date, precision: Precision) -> date:
    if precision is Precision.DAY:
        return first
    if precision is Precision.XUN:
        if first.day < 21:
            return first + timedelta(days=9)
        return _month_last_day(first.year, first.month)
    if precision is Precision.MONTH:
        return _month_last_day(first.year, first.month)
    if precision is Precision.SEASON:
        return _month_last_day(first.year, first.month + 2)
    return date(first.year, 12, 31)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class _Span:
    first: date
    last: date
    precision: Precision


def _point_span(point: _Point) -> _Span | None:
    """The period a complete point names; None if a needed part is missing or invalid."""
    year = point.year
    if year is None:
        return None
    try:
        if point.quarters is not None:
            low, high = point.quarters
            first = date(year, 3 * low - 2, 1)
            return _Span(first, _month_last_day(year, 3 * high), Precision.SEASON)
        if point.months is not None:
            low, high = point.months
            return _Span(date(year, low, 1), _month_last_day(year, high), Precision.MONTH)
        if point.month is None:
            if point.day is not None or point.xun is not None:
                return None
            return _Span(date(year, 1, 1), date(year, 12, 31), Precision.YEAR)
        if point.day is not None:
            day = date(year, point.month, point.day)
            return _Span(day, day, Precision.DAY)
        if point.xun is not None:
            first = _xun_first_day(year, point.month, point.xun)
            return _Span(first, _period_last_day(first, Precision.XUN), Precision.XUN)
        first = date(year, point.month, 1)
        return _Span(first, _month_last_day(year, point.month), Precision.MONTH)
    except ValueError:  # 2月30日 and the like
        return None


def _fill(point: _Point, context: DateContext) -> tuple[_Point, Anchor]:
    """Complete a start point from the context; say how much was inherited."""
    anchor = Anchor.EXPLICIT
    year, month = point.year, point.month
    if point.year_offset is not None:
        if context.year is None:
            return point, Anchor.UNRESOLVED
        year = context.year + point.year_offset
        anchor = Anchor.INHERITED if point.year_offset == 0 else Anchor.RELATIVE
    if point.month_offset is not None:
        if context.year is None or context.month is None:
            return point, Anchor.UNRESOLVED
        year, month = _add_months(context.year, context.month, point.month_offset)
        anchor = Anchor.INHERITED if point.month_offset == 0 else Anchor.RELATIVE
    if year is None:
        year = context.year
        anchor = Anchor.INHERITED
    if month is None and (point.day is not None or point.xun is not None):
        month = context.month
        anchor = Anchor.INHERITED
    if year is None or (month is None and (point.day is not None or point.xun is not None)):
        return point, Anchor.UNRESOLVED
    return replace(point, year=year, month=month), anchor


def _fill_end(end: _Point, start: _Point) -> _Point:
    """An end point inherits what it leaves out from the start ('4月27日至29日')."""
    if end.year is not None or end.year_offset is not None:
        return end
    if end.month is None and (end.day is not None or end.xun is not None):
        return replace(end, year=start.year, month=start.month)
    return replace(end, year=start.year)


def _festival_span(name: str, suffix: str | None, year: int) -> _Span | None:
    if name in _FIXED_FESTIVALS:
        day = date(year, *_FIXED_FESTIVALS[name])
    else:
        try:
            day = LunarDate(year, *_LUNAR_FESTIVALS[name]).to_solar_date()
        except ValueError:  # a year outside lunardate's table
            return None
    if suffix == "前夕":
        first = _xun_of(day - timedelta(days=1))
        return _Span(first, _period_last_day(first, Precision.XUN), Precision.XUN)
    return _Span(day, day, Precision.DAY)


def _offset_span(offset: _Offset, context: DateContext) -> _Span | None:
    if offset.unit == "day":
        if None in (context.year, context.month, context.day):
            return None
        day = date(context.year, context.month, context.day)  # type: ignore[arg-type]
        day += timedelta(days=offset.sign * offset.amount)
        if offset.precision is Precision.XUN:
            first = _xun_of(day)
            return _Span(first, _period_last_day(first, Precision.XUN), Precision.XUN)
        return _Span(day, day, Precision.DAY)
    if offset.unit == "month":
        if context.year is None or context.month is None:
            return None
        year, month = _add_months(context.year, context.month, offset.sign * offset.amount)
        return _Span(date(year, month, 1), _month_last_day(year, month), Precision.MONTH)
    if context.year is None:
        return None
    year = context.year + offset.sign * offset.amount
    return _Span(date(year, 1, 1), date(year, 12, 31), Precision.YEAR)


def _resolve(
    expression: _Expression, text: str, tokens: list[_Token], context: DateContext
) -> DateMention | None:
    start = tokens[expression.first].start
    end = tokens[expression.last - 1].end
    span: _Span | None = None
    end_span: _Span | None = None
    anchor = Anchor.UNRESOLVED
    approximate = False
    if expression.offset is not None:
        span = _offset_span(expression.offset, context)
        anchor = Anchor.RELATIVE
        approximate = expression.offset.approximate
    elif expression.festival is not None:
        filled, anchor = _fill(expression.point or _Point(), context)
        if filled.year is not None:
            span = _festival_span(expression.festival, expression.festival_suffix, filled.year)
        approximate = expression.festival_suffix in ("前夕", "期间", "假期")
    elif expression.point is not None:
        filled, anchor = _fill(expression.point, context)
        span = _point_span(filled)
        if span is not None and expression.end_point is not None:
            end_span = _point_span(_fill_end(expression.end_point, filled))
            if end_span is None or end_span.last <= span.first:
                # Not a range after all ("2022年至基层" never gets here, "9月至3日" does):
                # keep the start on its own.
                end_span = None
                end = tokens[expression.start_last - 1].end  # type: ignore[operator]
    mention = DateMention(
        start=start,
        end=end,
        text=text[start:end],
        date_start=None,
        date_end=None,
        precision=None,
        role=Role.AS_OF if expression.as_of else Role.EVENT,
        anchor=Anchor.UNRESOLVED,
    )
    if span is None:
        return mention if mention.role is Role.AS_OF or expression.festival else None
    if end_span is not None:
        date_end: date | None = end_span.last
    else:
        # A single period that spans several periods of its precision (上半年, 年中).
        date_end = span.last if span.last > _period_last_day(span.first, span.precision) else None
    return replace(
        mention,
        date_start=span.first,
        date_end=date_end,
        precision=span.precision,
        anchor=anchor,
        approximate=approximate,
    )


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> tuple[list[_Token], list[_Expression]]:
    """Tokens and expressions of ``text``. They do not depend on the context, so a text read
    with two contexts (as metrics and as-of dates read the same item) is parsed once."""
    grammar = _Grammar(text)
    return grammar.tokens, grammar.expressions()


@functools.lru_cache(maxsize=4096)
def find_dates(text: str, *, context: DateContext | None = None) -> tuple[DateMention, ...]:
    """Date mentions in ``text`` in order, each resolved with the context before it.

    ``context`` is what the first mention may inherit (usually the document year);
    after each dated mention it moves on to that mention (see ``DateContext.following``).
    Expressions the context cannot complete ("9月" with no year known) are left out,
    except as-of and festival mentions, which come back with no date.
    """
    context = context or DateContext()
    tokens, expressions = _parse(text)
    mentions: list[DateMention] = []
    for expression in expressions:
        mention = _resolve(expression, text, tokens, context)
        if mention is None:
            continue
        mentions.append(mention)
        context = context.following(mention)
    return tuple(mentions)


def context_after(
    mentions: Iterable[DateMention], context: DateContext | None = None
) -> DateContext:
    """The context after walking ``mentions`` in order, to carry into the next segment."""
    context = context or DateContext()
    for mention in mentions:
        context = context.following(mention)
    return context


# --- rendering -------------------------------------------------------------------------

_CN_ORDINALS = "一二三四"


def _day_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _xun_zh(first: date) -> str:
    return f"{first.year}年{first.month}月{'上中下'[(first.day - 1) // 10]}旬"


def date_text_zh(date_start: date | None, date_end: date | None, precision: str | None) -> str:
    """The Chinese form editors write for a stored period.

    "2022年4月27日至29日", "2022年6月下旬至12月底", "2022年9月至2023年9月",
    "2022年第三季度", "2022年上半年", "2022年". The end repeats only the parts that
    differ from the start. Empty string when there is no date.
    """
    if date_start is None or precision is None:
        return ""
    precision = Precision(precision)
    if precision is Precision.SEASON:
        return _season_zh(date_start, date_end)
    start_text = {
        Precision.DAY: _day_zh,
        Precision.XUN: _xun_zh,
        Precision.MONTH: lambda d: f"{d.year}年{d.month}月",
        Precision.YEAR: lambda d: f"{d.year}年",
    }[precision](date_start)
    if date_end is None:
        return start_text
    return f"{start_text}至{_end_zh(date_start, date_end, precision)}"


def _end_zh(start: date, end: date, precision: Precision) -> str:
    if precision is Precision.YEAR:
        return f"{end.year}年"
    year = f"{end.year}年" if end.year != start.year else ""
    month_end = end == _month_last_day(end.year, end.month)
    if precision is Precision.MONTH and month_end:
        return f"{year}{end.month}月"
    if precision is Precision.XUN:
        if month_end:
            return f"{year}{end.month}月底"
        if end.day in (10, 20):
            return f"{year}{end.month}月{'上中'[end.day // 10 - 1]}旬"
    month = f"{end.month}月" if year or end.month != start.month else ""
    return f"{year}{month}{end.day}日"


def _season_zh(start: date, end: date | None) -> str:
    first = (start.month - 1) // 3 + 1
    last = first if end is None else (end.month - 1) // 3 + 1
    if end is None or (end.year == start.year and last == first):
        return f"{start.year}年第{_CN_ORDINALS[first - 1]}季度"
    if end.year == start.year and (first, last) == (1, 2):
        return f"{start.year}年上半年"
    if end.year == start.year and (first, last) == (3, 4):
        return f"{start.year}年下半年"
    if end.year == start.year and first == 1:
        return f"{start.year}年前{_CN_ORDINALS[last - 1]}季度"
    end_year = f"{end.year}年" if end.year != start.year else ""
    return (
        f"{start.year}年第{_CN_ORDINALS[first - 1]}季度至{end_year}第{_CN_ORDINALS[last - 1]}季度"
    )
