"""Seed-like data for benchmarks: an empty, migrated database filled with many events.

``generate(events=100_000)`` writes the taxonomy, a few hundred organisations (the gazetteer
plus generated 市总工会 and 集团 names with aliases), about one source per 25 events, and the
events with categories, organisations, tags, provenance and metrics. Source texts are the
normalised seeds' paragraphs, shuffled and with their years shifted, so titles, summaries
and excerpts read like the real archive and a text search finds realistic hits (工匠,
集体协商). Every excerpt and metric text quotes its source exactly, as the database's
triggers demand. Rows go in with ``bulk_create`` in batches: no signals, no history rows.

Needs Django set up (``DJANGO_SETTINGS_MODULE``) and an empty, migrated database.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import random
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_DIR / "fixtures" / "seeds"

FIRST_YEAR, LAST_YEAR = 2000, 2025
EVENTS_PER_SOURCE = 25
SOURCES_PER_BATCH = 100
PARAGRAPHS_PER_SOURCE = (40, 70)

YEAR = re.compile(r"(?<!\d)(20[12]\d)(?=\s*年)")
SENTENCE_END = re.compile(r"(?<=[。！？；])")
NUMBER = re.compile(
    r"(超过|近|约|累计|共)?(\d+(?:\.\d+)?)(万|亿)?(元|人次|人|家|个|项|名|场|次|%|％|户|条|件|年)"
)
MULTIPLIER = {"": 1, "万": 10**4, "亿": 10**8}


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CITIES = words(
    "天津 石家庄 唐山 保定 太原 大同 呼和浩特 包头 沈阳 大连 鞍山 长春 吉林 "
    "哈尔滨 齐齐哈尔 上海 南京 无锡 徐州 常州 苏州 南通 杭州 宁波 温州 嘉兴 "
    "绍兴 合肥 芜湖 福州 厦门 泉州 南昌 赣州 济南 青岛 淄博 烟台 潍坊 济宁 "
    "临沂 郑州 洛阳 开封 武汉 宜昌 襄阳 长沙 株洲 湘潭 广州 深圳 珠海 汕头 "
    "佛山 东莞 中山 南宁 柳州 桂林 海口 三亚 重庆 成都 绵阳 宜宾 贵阳 遵义 "
    "昆明 曲靖 拉萨 西安 宝鸡 兰州 西宁 银川 乌鲁木齐 克拉玛依 滨州 德州 "
    "聊城 泰安 威海 日照 枣庄 东营 菏泽 邯郸 邢台 沧州 廊坊 衡水 承德 "
    "张家口 秦皇岛"
)
GROUPS = words(
    "中国石化 国家电网 中国石油 中国中铁 中国铁建 中国建筑 中国一汽 东风汽车 "
    "中国中车 宝武钢铁 鞍钢 首钢 中国电信 中国移动 中国联通 中国邮政 "
    "中国航天科技 中国航空工业 中国船舶 中国商飞 国家能源 中国华能 中国大唐 "
    "中国华电 国家电投 三峡 中国核工业 中国化学 中国五矿 中国铝业 中国中化 "
    "招商局 华润 中粮 中国远洋海运 中国交建 中国电建 中国能建 中国节能 中国建材 "
    "京东 美团 顺丰 中通快递 圆通速递 申通快递 韵达 滴滴出行 满帮 饿了么 海尔 "
    "格力 美的 华为 比亚迪 吉利 潍柴 徐工 三一 中联重科"
)
PLACES = ("北京", "上海", "天津", "重庆", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京")
EXTRA_TAGS = words(
    "二十大 劳动模范 大国工匠 工匠学院 职工书屋 职工之家 农民工 技能人才 "
    "货车司机 快递员 外卖配送员 网约车司机 户外劳动者 爱心驿站 送温暖 金秋助学 "
    "集体合同 工资集体协商 厂务公开 职工代表大会 法律援助 劳动争议 帮扶中心 "
    "困难职工 疫情防控 纾困 工会法 产改 建会入会 基层工会 县级工会 工会论坛 "
    "金砖国家 国际劳工组织 劳动和技能竞赛 五一劳动奖章 最美职工 职工创新 五小 "
    "女职工 职工医疗互助 心理健康 安康杯"
)

# Weights of precisions ("" is an undated event), statuses, kinds and source kinds.
PRECISIONS = (("day", 50), ("month", 22), ("xun", 6), ("season", 6), ("year", 6), ("", 10))
STATUSES = (("published", 85), ("draft", 12), ("rejected", 3))
KINDS = (("happened", 90), ("planned", 6), ("historical", 4))
SOURCE_KINDS = (("chronicle", 55), ("top-news", 20), ("report", 15), ("other", 10))
XUN = {1: "上旬", 11: "中旬", 21: "下旬"}
QUARTER = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}


def weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def seed_paragraphs() -> list[str]:
    """The seeds' paragraphs, normalised as the loader stores them."""
    from sources.normalise import normalise

    paragraphs = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = normalise(path.read_text(encoding="utf-8")).text
        paragraphs += [p.strip() for p in text.split("\n") if len(p.strip()) >= 12]
    return paragraphs


@dataclass
class SourceText:
    """A generated source's text with the spans the events can quote."""

    text: str
    year: int
    paragraphs: list[tuple[int, int]]
    numbers: list[re.Match]
    used_metric_spans: set[tuple[int, int]] = field(default_factory=set)


def source_text(
    rng: random.Random, paragraphs: list[str], number: int, year: int, head: str
) -> SourceText:
    shift = year - 2022
    chosen = rng.sample(paragraphs, rng.randint(*PARAGRAPHS_PER_SOURCE))
    parts = [f"{head}（第{number}号）"]
    spans = []
    offset = len(parts[0]) + 1
    for paragraph in chosen:
        shifted = YEAR.sub(lambda m: str(int(m.group(1)) + shift), paragraph)
        parts.append(shifted)
        spans.append((offset, offset + len(shifted)))
        offset += len(shifted) + 1
    text = "\n".join(parts)
    numbers = list(NUMBER.finditer(text))
    rng.shuffle(numbers)
    return SourceText(text=text, year=year, paragraphs=spans, numbers=numbers)


def title_from(paragraph: str) -> str:
    """The paragraph's first sentence, or its lead before "——", cut to a headline."""
    lead = paragraph.split("——", 1)[0] if "——" in paragraph[:40] else paragraph
    sentence = SENTENCE_END.split(lead, maxsplit=1)[0].rstrip("。；！？")
    return sentence[:80] if len(sentence) >= 6 else paragraph[:40]


def event_dates(rng: random.Random, year: int) -> tuple[dict, datetime.date | None]:
    precision = weighted(rng, PRECISIONS)
    month = rng.randint(1, 12)
    fields = {"date_precision": precision, "date_start": None, "date_end": None}
    if precision == "day":
        day = rng.randint(1, calendar.monthrange(year, month)[1])
        fields["date_start"] = datetime.date(year, month, day)
        fields["date_text"] = f"{year}年{month}月{day}日"
        if rng.random() < 0.1:
            fields["date_end"] = fields["date_start"] + datetime.timedelta(rng.randint(1, 5))
            fields["date_text"] += f"至{fields['date_end'].day}日"
    elif precision == "xun":
        first = rng.choice(tuple(XUN))
        fields["date_start"] = datetime.date(year, month, first)
        fields["date_text"] = f"{year}年{month}月{XUN[first]}"
    elif precision == "month":
        fields["date_start"] = datetime.date(year, month, 1)
        fields["date_text"] = f"{year}年{month}月"
    elif precision == "season":
        if rng.random() < 0.3:
            fields["date_start"] = datetime.date(year, 1, 1)
            fields["date_end"] = datetime.date(year, 6, 30)
            fields["date_text"] = f"{year}年上半年"
        else:
            quarter = rng.randint(1, 4)
            fields["date_start"] = datetime.date(year, 3 * quarter - 2, 1)
            fields["date_text"] = f"{year}年{QUARTER[quarter]}"
    elif precision == "year":
        fields["date_start"] = datetime.date(year, 1, 1)
        fields["date_text"] = f"{year}年"
    else:
        fields["date_text"] = ""
    return fields, fields["date_start"]


def metric_fields(rng: random.Random, source: SourceText, start: int, end: int) -> dict | None:
    """A metric quoting source.text: a number with its unit if one is left, else a short span
    with a made-up value. None when the span is taken."""
    while source.numbers:
        match = source.numbers.pop()
        span = match.start(2), match.end(4)
        if span in source.used_metric_spans:
            continue
        source.used_metric_spans.add(span)
        qualifier, digits, magnitude, unit = match.groups()
        before = source.text[max(0, span[0] - 20) : span[0]]
        return {
            "start": span[0],
            "end": span[1],
            "text": source.text[span[0] : span[1]],
            "value": Decimal(digits) * MULTIPLIER[magnitude or ""],
            "unit": "%" if unit in "%％" else unit,
            "qualifier": qualifier or "",
            "label": re.split(r"[，。；、：]", before)[-1][:200],
        }
    span_start = rng.randrange(start, max(start + 1, end - 6))
    span = span_start, min(end, span_start + rng.randint(2, 6))
    if span in source.used_metric_spans or span[1] <= span[0]:
        return None
    source.used_metric_spans.add(span)
    return {
        "start": span[0],
        "end": span[1],
        "text": source.text[span[0] : span[1]],
        "value": Decimal(rng.randint(1, 10**6)),
        "unit": "",
        "qualifier": "",
        "label": "",
    }


def organisations_create(rng: random.Random) -> list[int]:
    """Generated 市总工会 and 集团 organisations beside the gazetteer; all ids, most cited
    first (the national federation leads, as in the real texts)."""
    from events.models import Organisation, OrganisationAlias

    taken = set(Organisation.objects.values_list("name", flat=True))
    taken |= set(OrganisationAlias.objects.values_list("name", flat=True))
    acftu = Organisation.objects.get(slug="acftu")
    rows, aliases = [], []
    for index, city in enumerate(CITIES):
        name = f"{city}市总工会"
        if name in taken:
            continue
        rows.append(
            Organisation(
                name=name,
                slug=f"city-{index:03d}-ftu",
                level="municipal",
                parent=acftu,
                confirmed=rng.random() < 0.8,
            )
        )
        aliases.append([f"{city}市总"])
    for index, group in enumerate(GROUPS):
        for suffix, slug in (("集团有限公司", "group"), ("集团工会", "group-union")):
            name = f"{group}{suffix}"
            if name in taken:
                continue
            rows.append(
                Organisation(
                    name=name,
                    slug=f"{slug}-{index:03d}",
                    level="enterprise",
                    confirmed=rng.random() < 0.6,
                )
            )
            aliases.append([f"{group}集团"] if slug == "group" else [f"{group}工会"])
    created = Organisation.objects.bulk_create(rows)
    OrganisationAlias.objects.bulk_create(
        OrganisationAlias(organisation=org, name=alias)
        for org, names in zip(created, aliases, strict=True)
        for alias in names
        if alias not in taken
    )
    others = list(Organisation.objects.exclude(pk=acftu.pk).values_list("pk", flat=True))
    rng.shuffle(others)
    return [acftu.pk, *others]


def generate(*, events: int, seed: int = 2022) -> dict[str, float]:
    """Fill an empty, migrated database with ``events`` seed-like events and all they need.

    Returns the number of rows written per kind and the seconds taken.
    """
    from django.db import transaction
    from django.utils import timezone

    from events.models import Category, Event, Metric, Provenance, Tag
    from events.taxonomy import read_json_list, taxonomy_load
    from sources.models import Source

    started = time.perf_counter()
    rng = random.Random(seed)
    if Event.objects.exists():
        raise ValueError("generate() fills an empty database; this one has events already")
    taxonomy_load()
    organisations = organisations_create(rng)
    # Zipf-like: the first organisations are named by many events, the tail by few.
    organisation_weights = [1 / (rank + 1) for rank in range(len(organisations))]
    categories = {c.slug: c.pk for c in Category.objects.all()}
    keywords = [
        (keyword, categories[entry["slug"]])
        for entry in read_json_list(PROJECT_DIR / "fixtures" / "categories.json")
        for keyword in entry.get("keywords", [])
    ]
    tag_names = sorted({k for k, _ in keywords} | set(EXTRA_TAGS))
    tags = {t.name: t.pk for t in Tag.objects.bulk_create(Tag(name=n) for n in tag_names)}
    paragraphs = seed_paragraphs()
    reporters = ["郑莉", "郝赫", "朱欣", "赵琛", "王维砚", "李丰", "陈曦", "刘旭"]

    source_count = max(1, -(-events // EVENTS_PER_SOURCE))
    counts = {"sources": 0, "events": 0, "provenances": 0, "metrics": 0}
    counts |= {"organisation links": 0, "tag links": 0}
    texts: list[SourceText] = []
    source_ids: list[int] = []
    now = timezone.now()
    for batch_start in range(0, source_count, SOURCES_PER_BATCH):
        rows = []
        for number in range(batch_start, min(source_count, batch_start + SOURCES_PER_BATCH)):
            year = rng.randint(FIRST_YEAR, LAST_YEAR)
            kind = weighted(rng, SOURCE_KINDS)
            publisher = rng.choice(("工人日报", "中工网", f"{rng.choice(CITIES)}市总工会"))
            title = {
                "chronicle": f"{year}年工会工作大事记",
                "top-news": f"{year}年工会十大新闻盘点",
                "report": f"{publisher}{year}年工作报告（节选）",
                "other": f"{year}年工会工作综述",
            }[kind]
            generated = source_text(rng, paragraphs, number, year, title)
            texts.append(generated)
            published = datetime.date(min(year + 1, LAST_YEAR), rng.randint(1, 12), 1)
            if rng.random() < 0.3:
                published = None
            rows.append(
                Source(
                    title=title,
                    publisher=publisher,
                    reporters=rng.sample(reporters, rng.randint(0, 3)),
                    published=published,
                    published_precision="month" if published else "",
                    origin=publisher,
                    kind=kind,
                    file_name=f"bench_{number:06d}.txt",
                    encoding="utf-8",
                    raw_text=generated.text,
                    text=generated.text,
                    sha256=hashlib.sha256(generated.text.encode("utf-8")).hexdigest(),
                    report={"generated by": "bench/datagen.py"},
                )
            )
        source_ids += [s.pk for s in Source.objects.bulk_create(rows)]
    counts["sources"] = len(source_ids)

    OrganisationLink = Event.organisations.through
    TagLink = Event.tags.through
    per_source = [events // source_count] * source_count
    for index in range(events % source_count):
        per_source[index] += 1
    for batch_start in range(0, source_count, SOURCES_PER_BATCH):
        batch = range(batch_start, min(source_count, batch_start + SOURCES_PER_BATCH))
        plans = []  # (event, source index, paragraph span)
        for source_index in batch:
            generated = texts[source_index]
            for _ in range(per_source[source_index]):
                start, end = rng.choice(generated.paragraphs)
                paragraph = generated.text[start:end]
                year = generated.year if rng.random() < 0.8 else max(FIRST_YEAR, generated.year - 1)
                dates, _ = event_dates(rng, year)
                status = weighted(rng, STATUSES)
                category = next((c for k, c in keywords if k in paragraph), None)
                if category is None and rng.random() < 0.7:
                    category = rng.choice(list(categories.values()))
                decided = now - datetime.timedelta(days=rng.randint(0, 900))
                event = Event(
                    title=title_from(paragraph),
                    summary=paragraph[:400],
                    body=paragraph,
                    kind=weighted(rng, KINDS),
                    place=rng.choice(PLACES) if rng.random() < 0.3 else "",
                    category_id=category,
                    status=status,
                    published_at=decided if status == "published" else None,
                    reviewed_at=decided if status != "draft" else None,
                    confidence=round(rng.uniform(0.3, 1.0), 2),
                    **dates,
                )
                plans.append((event, source_index, start, end, paragraph))
        with transaction.atomic():
            Event.objects.bulk_create([plan[0] for plan in plans], batch_size=2000)
            provenances, metrics, organisation_links, tag_links = [], [], [], []
            for event, source_index, start, end, paragraph in plans:
                generated = texts[source_index]
                provenances.append(
                    Provenance(
                        event_id=event.pk,
                        source_id=source_ids[source_index],
                        excerpt=paragraph,
                        start=start,
                        end=end,
                        extraction_key=f"bench:{event.pk}",
                    )
                )
                if source_count > 1 and rng.random() < 0.3:
                    other = rng.randrange(source_count - 1)
                    other += other >= source_index
                    o_start, o_end = rng.choice(texts[other].paragraphs)
                    provenances.append(
                        Provenance(
                            event_id=event.pk,
                            source_id=source_ids[other],
                            excerpt=texts[other].text[o_start:o_end],
                            start=o_start,
                            end=o_end,
                            merge_reason="same day, overlapping text (generated)",
                        )
                    )
                for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                    found = metric_fields(rng, generated, start, end)
                    if found is not None:
                        metrics.append(
                            Metric(event_id=event.pk, source_id=source_ids[source_index], **found)
                        )
                chosen = set(rng.choices(organisations, organisation_weights, k=rng.randint(1, 3)))
                organisation_links += [
                    OrganisationLink(event_id=event.pk, organisation_id=pk) for pk in chosen
                ]
                named = [tags[k] for k in tag_names if k in paragraph][:3]
                chosen_tags = rng.sample(named, min(len(named), rng.randint(0, 3)))
                tag_links += [TagLink(event_id=event.pk, tag_id=pk) for pk in chosen_tags]
            Provenance.objects.bulk_create(provenances, batch_size=2000)
            Metric.objects.bulk_create(metrics, batch_size=2000)
            OrganisationLink.objects.bulk_create(organisation_links, batch_size=5000)
            TagLink.objects.bulk_create(tag_links, batch_size=5000)
        counts["events"] += len(plans)
        counts["provenances"] += len(provenances)
        counts["metrics"] += len(metrics)
        counts["organisation links"] += len(organisation_links)
        counts["tag links"] += len(tag_links)
    counts["seconds"] = time.perf_counter() - started
    return counts
