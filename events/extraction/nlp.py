"""Word segmentation and keyword tags for union documents, on jieba.

One tokenizer per (cache directory, user dictionary) and per process, built on first use
by ``tokenizer()``. jieba's module-level default tokenizer is never used: it writes its
dictionary cache to the shared temp directory and knows nothing of the union vocabulary,
so every caller passes the tokenizer it got from ``tokenizer()``.

The user dictionary (``fixtures/userdict.txt``) holds the domain's terms — 大国工匠,
新就业形态劳动者, 县级工会加强年, 全总 … — with frequencies high enough that jieba keeps each
one whole. A search index can add their parts; extraction wants the whole term.

``extract_tags`` ranks words by TF-IDF (jieba's bundled IDF table) and keeps nouns only:
verbs, idioms and set phrases (擘画, 矢志不渝, 圆满完成) describe how, not what. Terms of
the user dictionary come first, because they are the archive's vocabulary; other nouns
fill the remaining places. Organisation and person names (jieba tags nt, nr) are left to
the organisations stage. Nouns every union text is full of (工作, 工会, 职工 …) are in
``STOP_WORDS``, or they would top every list.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from pathlib import Path

import jieba
import jieba.analyse
import jieba.posseg

__all__ = ["STOP_WORDS", "UnionTokenizer", "extract_tags", "segment_words", "tokenizer"]

# Chosen by reading what TF-IDF ranks first on the seed paragraphs: nouns found in
# nearly every paragraph of a union text, the 【镜头】/【评析】 labels of the chronicles,
# and words that name an activity in general rather than a subject.
STOP_WORDS = frozenset({
    "工作", "工会", "职工", "开展", "推进", "全国", "各级", "各级工会", "全市", "全市各级工会",
    "推动", "加强", "深入", "建设", "活动", "组织", "发展", "服务", "实现", "提升", "持续",
    "积极", "全面", "广大", "广大职工", "进一步", "一年", "这一年", "以来", "年度", "举办",
    "举行", "召开", "启动", "部署", "落实", "贯彻", "学习", "宣传", "精神", "要求", "重要",
    "成效", "工作机制", "机制", "体系", "制度", "重点", "作用", "发挥", "工会工作", "工会组织",
    "工会干部", "职工群众", "劳动者", "企业", "单位", "首都", "北京市", "总工会", "中国",
    "我国", "新时代", "质量", "水平", "能力", "问题", "方面", "领域", "形式", "方式", "群体",
    "关系", "劳动", "政治", "会议", "专题", "联系", "面向", "成果", "改革", "创新", "培训",
    "就业", "权益", "保障", "协商", "维护", "合作", "代表", "工人", "工匠", "技能", "人民",
    "热潮", "征程", "建功", "红色", "试点", "仪式", "落户", "动员", "事件", "盘点", "新闻",
    "手记", "镜头", "评析", "回放", "市委", "党中央", "党组", "书记处", "机关", "主体作用",
    "实际行动", "经济社会", "贡献力量", "宏伟蓝图", "跟党走", "教育引导", "中国式", "现代化",
    "中华民族",
})  # fmt: skip

# Nouns, proper nouns other than names, verbal nouns (培训 as in 技能培训), and jieba's
# tag for new words. jieba tags 二十大 and 冬奥 as person names (nrt); the user
# dictionary retags them.
_TAG_POS = ("n", "nz", "vn", "nw")

# A tag is a word of at least two ideographs; numbers and Latin letters are facts for the
# metrics and dates stages.
_TAG_SHAPE = re.compile(r"[\u4e00-\u9fff]{2,}")

_USER_DICT_LINE = re.compile(r"^(?P<word>\S+)(?:\s+\d+)?(?:\s+[a-z]+)?\s*$")


class UnionTokenizer(jieba.Tokenizer):
    """A ``jieba.Tokenizer`` that remembers the terms of its user dictionary."""

    domain_terms: frozenset[str] = frozenset()


def _read_user_dict(path: Path) -> frozenset[str]:
    terms = set()
    for line in path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
        match = _USER_DICT_LINE.match(line.strip())
        if match:
            terms.add(match["word"])
    return frozenset(terms)


@functools.cache
def tokenizer(*, cache_dir: Path, user_dict: Path) -> UnionTokenizer:
    """The tokenizer for these arguments, built once per process."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # jieba announces every dictionary load on stderr at DEBUG level; a management
    # command's output should carry only its own report.
    jieba.setLogLevel(logging.WARNING)
    built = UnionTokenizer()
    # Without these, jieba dumps its prefix dictionary into the shared temp directory
    # (tempfile.gettempdir()), where another user or process could replace it.
    built.tmp_dir = str(cache_dir)
    built.cache_file = "jieba.cache"
    built.initialize()
    built.load_userdict(str(user_dict))
    built.domain_terms = _read_user_dict(Path(user_dict))
    return built


@functools.lru_cache(maxsize=8)
def _keyword_extractor(tok: jieba.Tokenizer) -> jieba.analyse.TFIDF:
    # Reading the IDF table and the word tags takes a moment, so one extractor per
    # tokenizer is kept. Both of its tokenizers default to jieba's global ones and must
    # be replaced, or the user dictionary would be ignored.
    extractor = jieba.analyse.TFIDF(idf_path=None)
    extractor.tokenizer = tok
    extractor.postokenizer = jieba.posseg.POSTokenizer(tok)
    extractor.stop_words = set(extractor.stop_words) | STOP_WORDS
    return extractor


def segment_words(text: str, *, tokenizer: jieba.Tokenizer) -> list[str]:
    """The words of ``text`` in jieba's default (accurate) mode, whitespace dropped."""
    return [word for word in tokenizer.lcut(text) if word.strip()]


def extract_tags(text: str, *, tokenizer: jieba.Tokenizer, top_k: int = 5) -> tuple[str, ...]:
    """Up to ``top_k`` domain terms that characterise ``text``, most characteristic first."""
    extractor = _keyword_extractor(tokenizer)
    # jieba's own TF-IDF ranking, but over a segmentation without the HMM: the HMM guesses
    # words the dictionaries lack, and on these texts its guesses are fragments of names
    # (学文 of 宋学文) and of phrases (和展), never terms worth a tag. It is also slower.
    counts = Counter(
        word
        for word, flag in extractor.postokenizer.cut(text, HMM=False)
        if flag in _TAG_POS and len(word.strip()) > 1 and word.lower() not in extractor.stop_words
    )
    total = sum(counts.values()) or 1
    weight = {
        word: count / total * extractor.idf_freq.get(word, extractor.median_idf)
        for word, count in counts.items()
    }
    ranked = sorted(weight, key=weight.__getitem__, reverse=True)
    candidates = [word for word in ranked if _TAG_SHAPE.fullmatch(word)]
    domain_terms = getattr(tokenizer, "domain_terms", frozenset())
    # sorted() is stable, so within each group the TF-IDF order stands.
    candidates.sort(key=lambda word: word not in domain_terms)
    return tuple(candidates[:top_k])
