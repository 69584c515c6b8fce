import logging
from pathlib import Path

import pytest

from events.extraction.nlp import STOP_WORDS, extract_tags, segment_words, tokenizer
from tests.sources.conftest import seed_normalised

USER_DICT = Path(__file__).resolve().parents[2] / "fixtures" / "userdict.txt"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("jieba")


@pytest.fixture(scope="session")
def tok(cache_dir):
    return tokenizer(cache_dir=cache_dir, user_dict=USER_DICT)


def test_dictionary_cache_is_written_to_the_given_directory(tok, cache_dir):
    assert tok.tmp_dir == str(cache_dir)
    assert (cache_dir / "jieba.cache").is_file()


def test_tokenizer_is_built_once_per_arguments(tok, cache_dir):
    assert tokenizer(cache_dir=cache_dir, user_dict=USER_DICT) is tok


def test_jieba_logging_is_silenced(tok):
    assert logging.getLogger("jieba").getEffectiveLevel() >= logging.WARNING


def test_user_dictionary_has_the_domain_vocabulary(tok):
    assert len(tok.domain_terms) >= 60
    assert {
        "大国工匠",
        "全总",
        "县级工会加强年",
        "首都工匠学院",
        "互联网百强企业",
    } <= tok.domain_terms


# The sentence in (copied from the seeds), domain terms that must come out whole.
@pytest.mark.parametrize(
    ("sentence", "terms"),
    [
        ("全国总工会启动了“转作风、解难题、促发展、保稳定”专项行动和“县级工会加强年”专项工作",
         ["全国总工会", "县级工会加强年", "专项行动"]),
        ("新就业形态劳动者建会入会和维权服务工作收获满满", ["新就业形态劳动者", "建会入会"]),
        ("持续推进工会户外劳动者服务站点建设", ["户外劳动者", "服务站点"]),
        ("“最美工会户外劳动者服务站”推树活动举办", ["户外劳动者服务站"]),
        ("2022年，市总工会积极探索“首都工匠学院”建设", ["首都工匠学院"]),
        ("推进互联网百强企业建会是2022年全总和各级工会的一项重点工作", ["互联网百强企业", "全总"]),
        ("在改进工作作风中努力成为职工群众信赖的“娘家人”、贴心人", ["娘家人"]),
        ("2022年9月22日，全市工会系统“区级工会加强年”专项工作部署会召开", ["区级工会加强年"]),
        ("广泛深入持久开展劳动和技能竞赛", ["劳动和技能竞赛"]),
    ],
)  # fmt: skip
def test_domain_terms_stay_whole_words(tok, sentence, terms):
    words = segment_words(sentence, tokenizer=tok)
    assert set(terms) <= set(words)


def test_segment_words_drops_whitespace_and_keeps_every_character(tok):
    words = segment_words("喜迎二十大 建功新时代", tokenizer=tok)
    assert "二十大" in words
    assert "".join(words) == "喜迎二十大建功新时代"


# A paragraph from the seeds, tags that must be among the five it gets.
@pytest.mark.parametrize(
    ("paragraph", "tags"),
    [
        (
            "2022年7月盛夏，中华全国总工会迎来一项重要的外事活动——第十一届金砖国家工会论坛在北京举行。"
            "论坛首次以“金砖+”合作模式举办，来自中国、南非、巴西、俄罗斯、印度等金砖国家工会的领导人",
            {"金砖国家"},
        ),
        (
            "这一年，劳模工匠成为闪亮的“明星”，从举办首届大国工匠创新交流大会、首届大国工匠论坛，"
            "到发布2021年“大国工匠年度人物”、2022年“最美职工”，再到组织劳模工匠进校园",
            {"大国工匠", "劳模工匠"},
        ),
        (
            "持续推进集体协商工作提质增效，开展集体协商“春季集中要约行动”，推动职工技能和创新要素"
            "参与企业分配。加强民主管理制度理论研究，推动民主管理立法进程，制定职工代表大会操作指引。",
            {"集体协商", "民主管理", "职工代表大会"},
        ),
        (
            "2022年，全总深入推进“兜底建”工作，最大限度把新就业形态劳动者组织到工会中来。"
            "同时，启动了“新就业形态劳动者温暖服务季”活动",
            {"新就业形态劳动者"},
        ),
        (
            "2022年，市总工会积极探索“首都工匠学院”建设，在企业、区域、高职院校分三步走开展不同类型试点。"
            "2022年9月15日，全市首家“首都工匠学院”落户北京市总工会职工大学",
            {"首都工匠学院"},
        ),
        (
            "改革创新依然是工会工作的关键词——全国总工会启动了“转作风、解难题、促发展、保稳定”"
            "专项行动和“县级工会加强年”专项工作",
            {"县级工会加强年"},
        ),
    ],
)
def test_tags_are_domain_terms_of_the_paragraph(tok, paragraph, tags):
    assert tags <= set(extract_tags(paragraph, tokenizer=tok))


def test_tags_respect_top_k(tok):
    text = seed_normalised("report")
    assert len(extract_tags(text, tokenizer=tok, top_k=3)) == 3


def test_organisations_are_not_tags(tok):
    text = "全总和河北省总工会主办。全国总工会、北京市总工会先后开展推树活动。"
    assert not {"全总", "全国总工会", "北京市总工会"} & set(extract_tags(text, tokenizer=tok))


@pytest.mark.parametrize("seed", ["pdf_chronicle", "web_chronicle", "report", "top_ten"])
def test_generic_words_never_become_tags(tok, seed):
    for paragraph in seed_normalised(seed).split("\n\n"):
        tags = extract_tags(paragraph, tokenizer=tok)
        assert not STOP_WORDS & set(tags), paragraph[:30]
        assert all(len(tag) >= 2 and not tag.isascii() for tag in tags)


def test_whole_seed_tags_name_its_themes(tok):
    tags = set(extract_tags(seed_normalised("top_ten"), tokenizer=tok, top_k=10))
    assert {"首都工匠学院", "新就业形态劳动者", "产业工人队伍建设改革"} <= tags
