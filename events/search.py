"""Full-text search of events in Chinese, the same on PostgreSQL and SQLite.

The public pages, the admin and the API all search through ``events_search``; the index
is written by ``search_index_update`` and rebuilt by ``manage.py rebuild_search_index``.

What a query means, on both databases
    Words separated by spaces must all appear; ``"…"`` or ``“…”`` quotes a phrase that
    must appear as written (spaces inside it match any run of whitespace). A word
    "appears" in an event when its title, summary, body, place, a tag, or the name or an
    alias of one of its organisations contains it, letter case aside: exactly the events
    that substring matching (``icontains``) finds, no fewer (recall) and no more
    (precision), ranked.

The index (one ``EventSearch`` row per event)
    Four token columns, one per weight: title (A), summary (B), body (C), and place, tags,
    organisation names and aliases (D). Each holds, lowercased and without repeats:

    * jieba's search-mode words (the union user dictionary keeps 大国工匠, 新就业形态劳动者,
      全总 … whole, and search mode adds their dictionary parts). They give the ranking
      its words.
    * the character bigrams of every run of letters and digits. Segmentation alone does
      not give substring recall: search mode cuts 粤港澳大湾区工会 into 粤港/港澳/粤港澳/
      大湾/区工会, so 大湾区 is no token of it, and it never yields 全国总工会 inside
      中华全国总工会 (it adds only two- and three-character parts). Accurate mode misses
      more. Every substring of two or more letters, though, is the AND of its bigrams.
      bench/search.py measures the recall of each way on the seeds.

    and ``text``: the searchable fields, lowercased, whitespace collapsed, one per line.

    On PostgreSQL a generated ``tsvector`` column (``simple`` configuration, weights A–D)
    with a GIN index follows the token columns by itself, whoever writes them. On SQLite
    an FTS5 table with the same four columns, keyed by event id, is written beside each
    row by ``search_index_update`` (the migration makes both; see 0005_event_search.py).

How a query runs
    Candidates are the events whose index holds every bigram of every word (a GIN or FTS5
    lookup); each candidate is then checked against ``text`` with a plain substring test,
    which is what keeps precision exact. A word of exactly two letters (Chinese or ASCII
    letters and digits) is one bigram, a whole token, so the lookup alone is exact and
    it skips that check, which reads every candidate row. A word of a single character
    has no bigram and is checked against ``text`` alone (a scan, still correct).
    Ranking: ``ts_rank`` on PostgreSQL and ``bm25`` on SQLite over the bigrams and jieba
    words of the query, with the column weights above, after a count of where the whole
    terms are (title 4, summary 2, body 1): a title hit comes before a summary hit before
    a body hit.

Keeping it current
    Explicit calls, no signals (house style): the loader after each document, the admin's
    save, the API's writes, merges, splits and organisation merges call
    ``search_index_update``. Anything else that writes events in bulk (bench data, raw
    SQL) runs ``rebuild_search_index`` afterwards, which is safe at any time and changes
    nothing when the index is already current. An organisation renamed or given an alias
    in the admin reaches its events' index at their next save or at the next rebuild.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from events.extraction.nlp import UnionTokenizer, tokenizer
from events.models import Event, EventSearch

__all__ = [
    "SearchTerm",
    "event_document",
    "events_search",
    "highlight",
    "parse_query",
    "search_index_rebuild",
    "search_index_update",
    "snippet",
]

FTS_TABLE = "events_eventsearch_fts"
USER_DICT = Path(settings.BASE_DIR) / "fixtures" / "userdict.txt"

# Title, summary, body, the rest: bm25 column weights on SQLite, in the ratio of
# ts_rank's default weights for A, B, C, D on PostgreSQL (1, 0.4, 0.2, 0.1).
SQLITE_WEIGHTS = "10.0, 4.0, 2.0, 1.0"

# Runs of letters and digits: what bigrams are taken from. Underscore is a word character
# for ``\w`` but a separator for PostgreSQL's parser, so it is left out here as well.
_RUN = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"|“([^”]*)”|(\S+)')
_QUOTES = '"“”'
# Enough bigrams of one word to make the candidate lookup selective; the substring check
# of every candidate makes up for the ones left out, so this costs no precision.
_MAX_GRAMS_PER_TERM = 12
_BATCH = 500
# Dictionary parts are looked for in the first letters of a long word only (a URL or a
# run of digits would cost quadratic time for nothing).
_MAX_PART_SOURCE = 16
# Letters a two-letter word may be made of for the index alone to find it exactly: CJK
# ideographs (the unified block and extension A, compatibility ideographs), ASCII
# lowercase letters and digits. PostgreSQL's parser keeps a pair of these one token.
_EXACT_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffa-z0-9]")


def _tokenizer() -> UnionTokenizer:
    return tokenizer(cache_dir=settings.JIEBA_CACHE_DIR, user_dict=USER_DICT)


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _bigrams(text: str) -> list[str]:
    return [run[i : i + 2] for run in _RUN.findall(text) for i in range(len(run) - 1)]


def _words(text: str, tok: UnionTokenizer) -> list[str]:
    """jieba's words of ``text`` (already lowercased), two letters or more, each followed
    by every dictionary word inside it.

    That is search mode (``cut_for_search``) extended to parts of any length: search mode
    adds only two- and three-character parts, so 县级工会加强年 would not give 县级工会 nor
    中华全国总工会 give 全国总工会. Without the HMM: it guesses words the dictionaries lack,
    which the bigrams cover anyway, and it is slower.
    """
    words = []
    for word in tok.cut(text, HMM=False):
        for piece in _RUN.findall(word):
            if len(piece) < 2:
                continue
            words.append(piece)
            if len(piece) > 2:
                words += [
                    part
                    for size in range(len(piece) - 1, 1, -1)
                    for start in range(min(len(piece), _MAX_PART_SOURCE) - size + 1)
                    if tok.FREQ.get(part := piece[start : start + size])
                ]
    return words


def field_tokens(text: str, *, tok: UnionTokenizer | None = None) -> list[str]:
    """The index tokens of one field: jieba words, then bigrams, each once."""
    text = _normalised(text)
    if not text:
        return []
    return list(dict.fromkeys([*_words(text, tok or _tokenizer()), *_bigrams(text)]))


# --- the index ------------------------------------------------------------------------


def event_document(event: Event, *, tok: UnionTokenizer | None = None) -> EventSearch:
    """The index row of ``event`` (its tags and organisations with aliases prefetched)."""
    tok = tok or _tokenizer()
    extra = [event.place, *(tag.name for tag in event.tags.all())]
    for organisation in event.organisations.all():
        extra += [organisation.name, *(alias.name for alias in organisation.aliases.all())]
    extra = [value for value in extra if value]
    fields = [event.title, event.summary, event.body, *extra]
    return EventSearch(
        event_id=event.pk,
        title_tokens=" ".join(field_tokens(event.title, tok=tok)),
        summary_tokens=" ".join(field_tokens(event.summary, tok=tok)),
        body_tokens=" ".join(field_tokens(event.body, tok=tok)),
        extra_tokens=" ".join(dict.fromkeys(t for v in extra for t in field_tokens(v, tok=tok))),
        text="\n".join(_normalised(value) for value in fields if value),
    )


def _event_ids(events: Iterable[Event | int] | QuerySet) -> list[int]:
    if isinstance(events, QuerySet):
        return list(events.order_by().values_list("pk", flat=True).distinct())
    return sorted({event if isinstance(event, int) else event.pk for event in events})


def search_index_update(*, events: Iterable[Event | int] | QuerySet) -> int:
    """Write the index rows of ``events`` (events, ids or a queryset); returns how many.

    Ids of events that no longer exist lose their rows. The events are read afresh and
    locked (on PostgreSQL) while their rows are written, so a concurrent save cannot be
    overwritten by an older reading. A constant number of queries per 500 events.
    """
    ids = _event_ids(events)
    tok = _tokenizer()
    written = 0
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        with transaction.atomic():
            rows = list(
                Event.objects.select_for_update()
                .filter(pk__in=chunk)
                .only("pk", "title", "summary", "body", "place")
                .prefetch_related("tags", "organisations__aliases")
                .order_by("pk")
            )
            documents = [event_document(event, tok=tok) for event in rows]
            gone = set(chunk) - {event.pk for event in rows}
            if gone:
                EventSearch.objects.filter(event_id__in=gone).delete()
            EventSearch.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["event"],
                update_fields=[
                    "title_tokens",
                    "summary_tokens",
                    "body_tokens",
                    "extra_tokens",
                    "text",
                ],
            )
            if connection.vendor == "sqlite":
                _sqlite_fts_write(chunk, documents)
        written += len(documents)
    return written


def _sqlite_fts_write(ids: Sequence[int], documents: Sequence[EventSearch]) -> None:
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", list(ids))
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body, extra) "
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (d.event_id, d.title_tokens, d.summary_tokens, d.body_tokens, d.extra_tokens)
                for d in documents
            ],
        )


def search_index_rebuild(*, batch_size: int = 2000, progress=None) -> dict[str, int]:
    """Index every event afresh and drop rows of events that are gone.

    Safe at any time: batches are upserts in their own transactions, so searches keep
    answering while it runs and the loader or editors may write meanwhile (their own
    calls index what they write). Returns counts of indexed and removed rows.
    """
    ids = list(Event.objects.order_by("pk").values_list("pk", flat=True))
    indexed = 0
    for start in range(0, len(ids), batch_size):
        indexed += search_index_update(events=ids[start : start + batch_size])
        if progress is not None:
            progress(indexed, len(ids))
    removed, _ = EventSearch.objects.exclude(event__in=Event.objects.all()).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN "
                "(SELECT event_id FROM events_eventsearch)"
            )
            removed += cursor.rowcount
    return {"indexed": indexed, "removed": removed}


# --- queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTerm:
    """A word or a quoted phrase of a query, lowercased, whitespace collapsed."""

    text: str
    phrase: bool = False

    @property
    def grams(self) -> tuple[str, ...]:
        grams = list(dict.fromkeys(_bigrams(self.text)))
        if len(grams) > _MAX_GRAMS_PER_TERM:
            # Spread over the word, first and last always in.
            step = (len(grams) - 1) / (_MAX_GRAMS_PER_TERM - 1)
            grams = [grams[round(i * step)] for i in range(_MAX_GRAMS_PER_TERM)]
        return tuple(grams)

    @property
    def pattern(self) -> re.Pattern:
        """Where the term occurs in a text (for highlighting), case ignored."""
        return re.compile(r"\s+".join(map(re.escape, self.text.split(" "))), re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def parse_query(query: str) -> tuple[SearchTerm, ...]:
    """The terms of ``query``: words, and phrases in straight or curly double quotes."""
    terms = []
    for quoted, curly, word in _QUERY_PART.findall(query):
        if word:
            text, phrase = _normalised(word.strip(_QUOTES)), False
        else:
            text, phrase = _normalised(quoted or curly), True
        if text:
            terms.append(SearchTerm(text, phrase and " " in text))
    return tuple(dict.fromkeys(terms))


def _tsquery(lexemes: Iterable[str], operator: str) -> str:
    return f" {operator} ".join(f"'{lexeme}'" for lexeme in lexemes)


def _fts_query(lexemes: Iterable[str], operator: str) -> str:
    return f" {operator} ".join(f'"{lexeme}"' for lexeme in lexemes)


def _rank_lexemes(terms: Sequence[SearchTerm]) -> list[str]:
    tok = _tokenizer()
    grams = [gram for term in terms for gram in term.grams]
    return list(dict.fromkeys([*grams, *(w for term in terms for w in _words(term.text, tok))]))


def _index_is_exact(term: SearchTerm) -> bool:
    """Whether the index lookup alone finds exactly the events whose text holds ``term``.

    So for a word of two letters or digits (Chinese characters or ASCII letters and
    digits): its one bigram is a whole token of the index (PostgreSQL's parser and FTS5's
    ascii tokenizer keep such a pair whole), and a field has that token exactly when the
    field contains the pair. Longer words only imply that all their bigrams are there.
    """
    return len(term.text) == 2 and all(_EXACT_CHAR.match(char) for char in term.text)


def _matching(terms: Sequence[SearchTerm]) -> RawSQL:
    """Ids of the events whose index has every bigram and whose text has every term.

    Terms the index finds exactly (see ``_index_is_exact``) are not checked against
    ``text``: that check reads every candidate row, which is most of a query's time.
    """
    grams = list(dict.fromkeys(gram for term in terms for gram in term.grams))
    checked = [term.text for term in terms if not _index_is_exact(term)]
    if connection.vendor == "postgresql":
        checks = ["strpos(s.text, %s) > 0"] * len(checked)
        if grams:
            checks.insert(0, "s.document @@ to_tsquery('simple', %s)")
        sql = f"SELECT s.event_id FROM events_eventsearch s WHERE {' AND '.join(checks)}"
        params = [_tsquery(grams, "&")] if grams else []
    else:
        checks = ["instr(s.text, %s) > 0"] * len(checked)
        if grams:
            checks.insert(
                0, f"s.event_id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
            )
        sql = f"SELECT s.event_id FROM events_eventsearch s WHERE {' AND '.join(checks)}"
        params = [_fts_query(grams, "AND")] if grams else []
    return RawSQL(sql, [*params, *checked])


def _field_hits(terms: Sequence[SearchTerm]):
    """Where each whole term is: 4 in the title, 2 in the summary, 1 in the body; summed.

    Ranks first, so that 服务站点 in a title beats a title holding only 服务站 and a
    body holding 服务站点 (which the bigram ranking alone would put first).
    """
    hits = Value(0)
    for term in terms:
        hits += Case(
            When(title__icontains=term.text, then=Value(4)),
            When(summary__icontains=term.text, then=Value(2)),
            When(body__icontains=term.text, then=Value(1)),
            default=Value(0),
        )
    return hits


def _rank(terms: Sequence[SearchTerm]):
    """Higher is better: weighted by the field the query's bigrams and words are in."""
    grams = [gram for term in terms for gram in term.grams]
    if not grams:
        return Value(0.0, output_field=FloatField())
    lexemes = _rank_lexemes(terms)
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT ts_rank(s.document, to_tsquery('simple', %s)) FROM events_eventsearch s "
            "WHERE s.event_id = events_event.id",
            [_tsquery(lexemes, "|")],
            output_field=FloatField(),
        )
    # The OR group is implied by the AND group (it lists the same bigrams), so it takes
    # no match away; it is there so that bm25 counts the query's whole words too.
    match = f"({_fts_query(grams, 'AND')}) AND ({_fts_query(lexemes, 'OR')})"
    return RawSQL(
        f"SELECT -bm25({FTS_TABLE}, {SQLITE_WEIGHTS}) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid = events_event.id",
        [match],
        output_field=FloatField(),
    )


def events_search(*, events: QuerySet, query: str, ranked: bool = True) -> QuerySet:
    """``events`` narrowed to those matching ``query``, best first when ``ranked``.

    Ranked results carry ``search_hits`` (where the whole terms are, see ``_field_hits``)
    and ``search_rank`` (ts_rank or bm25) and are ordered by both, then chronologically;
    a later ``order_by`` (the ``ordering`` filter, the admin's columns) takes precedence.
    An empty query leaves ``events`` as they are.
    """
    terms = parse_query(query)
    if not terms:
        return events
    events = events.filter(pk__in=_matching(terms))
    if not ranked:
        return events
    return events.annotate(search_hits=_field_hits(terms), search_rank=_rank(terms)).order_by(
        F("search_hits").desc(),
        F("search_rank").desc(),
        F("date_start").asc(nulls_last=True),
        "date_end",
        "id",
    )


# --- showing results ---------------------------------------------------------------------


def _spans(text: str, terms: Sequence[SearchTerm]) -> list[tuple[int, int]]:
    found = sorted(
        (match.start(), match.end()) for term in terms for match in term.pattern.finditer(text)
    )
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, query: str | Sequence[SearchTerm]) -> SafeString:
    """``text`` as escaped HTML with every occurrence of the query's terms in ``<mark>``."""
    terms = parse_query(query) if isinstance(query, str) else query
    parts, position = [], 0
    for start, end in _spans(text, terms):
        parts += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    parts.append(escape(text[position:]))
    # Every piece was escaped above.
    return mark_safe("".join(parts))


def snippet(event: Event, query: str, *, width: int = 80) -> SafeString:
    """A highlighted passage of the summary, body or title around the first match.

    An event found by its place, a tag or an organisation shows the start of its summary
    (or title) unmarked.
    """
    terms = parse_query(query)
    fields = [" ".join(value.split()) for value in (event.summary, event.body, event.title)]
    for text in fields:
        spans = _spans(text, terms)
        if spans:
            first = spans[0][0]
            start = max(0, min(first - width // 4, len(text) - width))
            end = start + width
            passage = highlight(text[start:end], terms)
            return mark_safe(
                ("…" if start > 0 else "") + passage + ("…" if end < len(text) else "")
            )
    text = next((value for value in fields if value), "")
    return mark_safe(escape(text[:width]) + ("…" if len(text) > width else ""))
