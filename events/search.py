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

The index: a row per event and its tokens, each under the first field holding it
    The fields are the title, the summary, the body, and the rest (place, tags,
    organisation names and aliases), in that order. A field's tokens, lowercased:

    * every run of one to four letters or digits that it contains (its 1- to 4-grams).
      A word of up to four letters — nearly every Chinese word, 工匠, 大湾区, 集体协商 —
      is then one token, and an event holds that token exactly when a field contains
      the word: the index alone answers, with no look at the text. Segmentation alone
      never gives substring recall: jieba's search mode cuts 粤港澳大湾区工会 into 粤港/
      港澳/粤港澳/大湾/区工会 (no 大湾区) and never yields 全国总工会 inside 中华全国总工会.
      bench/search.py measures the recall of each way on its data.
    * jieba's words longer than that (accurate mode, plus every dictionary word inside
      each word, so 中华全国总工会 gives 全国总工会 and 新就业形态劳动者 gives 新就业形态;
      the union user dictionary fixtures/userdict.txt keeps domain terms whole). An
      event that holds such a word contains it: no look at its text either.

    Each token is kept once per event, under the first field that holds it: the title's
    tokens, then the summary's that the title lacks, and so on. The field a token is
    under is then where the word ranks (see below), and the index holds each event once
    per token, not up to four times: smaller, and every lookup reads less.

    ``text`` keeps the searchable fields, lowercased, whitespace collapsed, one per line,
    for the few checks the tokens cannot answer. An event whose tokens would pass
    ``TOKEN_BUDGET`` (a pasted book as a body) keeps the fields that fit and is marked
    partial; partial events are always checked against their text.

    PostgreSQL: a ``tsvector`` of the tokens, each prefixed by its field (``a_`` title,
    ``b_`` summary, ``c_`` body, ``d_`` the rest) and once more by ``z_`` (any field, so
    that a word anywhere is one lookup, not four), with a GIN index; the row's wide
    values live out of line (TOAST), so the rows a query visits are narrow. SQLite: an
    FTS5 table keyed by event id with one column per field. See 0006_search_ngrams.py.

How a query runs
    A word of one to four letters is one token: the index lookup is the answer. A longer
    word takes the events holding all its 4-grams and keeps those that hold it as a
    jieba word or whose text contains it (one lookup finds the few holding the 4-grams
    but not the word, whose text decides); a phrase, or a word with punctuation inside,
    is checked against the text. Partial events are checked against the text for every
    word. Ranking: where each whole word is (title 4, summary 2, body 1, summed over the
    words), then chronologically. Each of those is a lookup in the same index: a word
    of one token ranks by the field it is under; a longer word by the first field that,
    with those above it, holds all its 4-grams (nearly always the first field holding
    the word), so each field's lookup leaves out the events the fields above it rank.
    A one-token word in a result is under exactly one field, so its summary rank is
    what its title, body and rest lookups leave: the summary's events, often as many as
    the title's, are never looked up.

    A page of ranked results (``ranked_page``, used by the paginator) whose other filters
    only compare the event's id, status, merge or dates reads those from the index rows,
    which carry copies of them (kept equal by a trigger, events/triggers.py): the events
    table is read only for the page's own events. The page reads each match once, with
    where its first word ranks, from the disjoint lookups of that word in the title, the
    summary, the body and the rest, each narrowed to events holding the other words;
    the other words' ranks are added. Other filters and orders join the events table as
    any query does.

Keeping it current
    Explicit calls, no signals (house style): the loader after each document, the admin's
    save, the API's writes, merges, splits and organisation merges call
    ``search_index_update``. Anything else that writes events in bulk (bench data, raw
    SQL, an upgrade that changes the index) runs ``rebuild_search_index`` afterwards
    (``setup_demo`` indexes any event without a row), which is safe at any time and
    changes nothing when the index is already current. An organisation renamed or given
    an alias in the admin reaches its events' index at their next save or at the next
    rebuild. The copies of an event's status, merge and dates need no call: the trigger
    writes them with the event.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, transaction
from django.db.models import Expression, F, IntegerField, Lookup, QuerySet, Value
from django.db.models.expressions import Col, RawSQL
from django.db.models.sql.where import AND, WhereNode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from events.extraction.nlp import UnionTokenizer, tokenizer
from events.models import Event, EventSearch

__all__ = [
    "SearchDocument",
    "SearchTerm",
    "event_document",
    "events_search",
    "highlight",
    "is_search_result",
    "parse_query",
    "ranked_page",
    "search_index_rebuild",
    "search_index_update",
    "snippet",
    "without_search",
]

FTS_TABLE = "events_eventsearch_fts"
USER_DICT = Path(settings.BASE_DIR) / "fixtures" / "userdict.txt"

# The fields of an event's index row, with their tsvector prefix and ranking weight.
FIELDS = ("title", "summary", "body", "extra")
PREFIX = {"title": "a", "summary": "b", "body": "c", "extra": "d"}
# The tsvector prefix that every token has once more, whatever its field: a lookup in any
# field is then one entry of the GIN index, not the union of four.
ANY_FIELD = "z"
WEIGHT = {"title": 4, "summary": 2, "body": 1}
# The annotation that carries a result's rank.
RANK = "search_hits"

# Every run of up to this many letters is a token: words that short are found exactly by
# the index alone.
MAX_GRAM = 4
# Longer jieba words are tokens up to this length (longer ones are URLs, digit runs).
MAX_WORD = 32
# What a field may hold before it is left to the text check: a tsvector is at most 1 MB,
# and each token is two lexemes (its field's, any field's), each costing its UTF-8 bytes,
# the two-letter prefix and 4 bytes of entry.
TOKEN_BUDGET = 600_000
MAX_FIELD_CHARS = 20_000
# jieba reads fields up to this length; the n-grams cover any length.
MAX_SEGMENTED_CHARS = 5_000
# Marks an event whose tokens did not all fit. Not a token of any text: ``_RUN`` never
# yields the sign.
PARTIAL = "⊘partial"

# Runs of letters and digits: what tokens are taken from. Underscore is a word character
# for ``\w`` but a separator in the prefixed tokens, so it is left out here.
_RUN = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"|“([^”]*)”|(\S+)')
_QUOTES = '"“”'
# Enough 4-grams of one long word to make the candidate lookup selective; the check of
# every candidate makes up for the ones left out, so this costs no precision.
_MAX_GRAMS_PER_TERM = 12
_BATCH = 500


def _tokenizer() -> UnionTokenizer:
    return tokenizer(cache_dir=settings.JIEBA_CACHE_DIR, user_dict=USER_DICT)


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _ngrams(run: str) -> Iterator[str]:
    for size in range(1, min(MAX_GRAM, len(run)) + 1):
        for start in range(len(run) - size + 1):
            yield run[start : start + size]


def _words(text: str, tok: UnionTokenizer) -> Iterator[str]:
    """jieba's words of ``text`` (already lowercased) longer than ``MAX_GRAM``, each
    followed by every longer dictionary word inside it.

    Accurate mode extended to parts of any length: search mode adds only two- and
    three-character parts, so 中华全国总工会 would not give 全国总工会. Without the HMM:
    it guesses words the dictionaries lack, which the n-grams cover anyway, and is slower.
    """
    for word in tok.cut(text, HMM=False):
        for piece in _RUN.findall(word):
            if not MAX_GRAM < len(piece) <= MAX_WORD:
                continue
            yield piece
            for size in range(len(piece) - 1, MAX_GRAM, -1):
                for start in range(len(piece) - size + 1):
                    if tok.FREQ.get(part := piece[start : start + size]):
                        yield part


def field_tokens(text: str, *, tok: UnionTokenizer | None = None) -> list[str]:
    """The index tokens of one field: its 1- to 4-grams, then its longer jieba words."""
    text = _normalised(text)
    if not text:
        return []
    tokens = [gram for run in _RUN.findall(text) for gram in _ngrams(run)]
    if len(text) <= MAX_SEGMENTED_CHARS:
        tokens += _words(text, tok or _tokenizer())
    return list(dict.fromkeys(tokens))


def _cost(tokens: Iterable[str]) -> int:
    return sum(2 * (len(token.encode()) + 6) for token in tokens)


# --- the index ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchDocument:
    """An event's index row: its text for checks, its tokens by the first field holding
    each, and copies of the event's ``EventSearch.CARRIED`` columns."""

    event_id: int
    text: str
    tokens: dict[str, tuple[str, ...]] = field(default_factory=dict)
    partial: bool = False
    carried: dict[str, object] = field(default_factory=dict)

    def lexemes(self) -> list[str]:
        """The PostgreSQL index's lexemes: tokens prefixed by their field, and again by
        ``ANY_FIELD``."""
        lexemes = [
            lexeme
            for name in FIELDS
            for token in self.tokens[name]
            for lexeme in (f"{PREFIX[name]}_{token}", f"{ANY_FIELD}_{token}")
        ]
        return [*lexemes, PARTIAL] if self.partial else lexemes

    def columns(self) -> tuple[str, ...]:
        """The SQLite FTS5 columns: each field's tokens, space-separated."""
        columns = [" ".join(self.tokens[name]) for name in FIELDS]
        if self.partial:
            columns[-1] = f"{columns[-1]} {PARTIAL}".strip()
        return tuple(columns)


def event_document(event: Event, *, tok: UnionTokenizer | None = None) -> SearchDocument:
    """The index row of ``event`` (its tags and organisations with aliases prefetched).

    Fields are tokenised title first, each keeping the tokens no field before it holds;
    one that is too long, or whose tokens would pass ``TOKEN_BUDGET`` with those before
    it, keeps no tokens and makes the event partial.
    """
    tok = tok or _tokenizer()
    extra = [event.place, *(tag.name for tag in event.tags.all())]
    for organisation in event.organisations.all():
        extra += [organisation.name, *(alias.name for alias in organisation.aliases.all())]
    values = {
        "title": [event.title],
        "summary": [event.summary],
        "body": [event.body],
        "extra": [value for value in extra if value],
    }
    tokens, budget, partial = {}, TOKEN_BUDGET, False
    held: set[str] = set()
    for name in FIELDS:
        field_values = values[name]
        if sum(len(value) for value in field_values) > MAX_FIELD_CHARS:
            found: tuple[str, ...] = ()
            partial = True
        else:
            found = tuple(
                dict.fromkeys(
                    t
                    for value in field_values
                    for t in field_tokens(value, tok=tok)
                    if t not in held
                )
            )
            cost = _cost(found)
            if cost > budget:
                found, partial = (), True
            else:
                budget -= cost
                held.update(found)
        tokens[name] = found
    text = "\n".join(
        _normalised(value) for name in FIELDS for value in values[name] if value.strip()
    )
    carried = {column: getattr(event, column) for column in EventSearch.CARRIED}
    return SearchDocument(
        event_id=event.pk, text=text, tokens=tokens, partial=partial, carried=carried
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
                .only("pk", "title", "summary", "body", "place", *EventSearch.CARRIED)
                .prefetch_related("tags", "organisations__aliases")
                .order_by("pk")
            )
            documents = [event_document(event, tok=tok) for event in rows]
            gone = set(chunk) - {event.pk for event in rows}
            if gone:
                EventSearch.objects.filter(event_id__in=gone).delete()
            if connection.vendor == "postgresql":
                _postgresql_write(documents)
            else:
                _sqlite_write(chunk, documents)
        written += len(documents)
    return written


def _postgresql_write(documents: Sequence[SearchDocument]) -> None:
    columns = ("text", "partial", "tokens", *EventSearch.CARRIED)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO events_eventsearch (event_id, {', '.join(columns)}) "
            f"VALUES (%s, {', '.join(['%s'] * len(columns))}) ON CONFLICT (event_id) DO UPDATE "
            f"SET {', '.join(f'{c} = EXCLUDED.{c}' for c in columns)}",
            [
                (d.event_id, d.text, d.partial, " ".join(d.lexemes()), *d.carried.values())
                for d in documents
            ],
        )


def _sqlite_write(ids: Sequence[int], documents: Sequence[SearchDocument]) -> None:
    EventSearch.objects.bulk_create(
        [
            EventSearch(event_id=d.event_id, text=d.text, partial=d.partial, **d.carried)
            for d in documents
        ],
        update_conflicts=True,
        unique_fields=["event"],
        update_fields=["text", "partial", *EventSearch.CARRIED],
    )
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", list(ids))
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body, extra) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(d.event_id, *d.columns()) for d in documents],
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
    def exact(self) -> bool:
        """Whether the index alone finds exactly the events holding the term: a single
        run of up to ``MAX_GRAM`` letters or digits is one token of every field holding it.
        """
        return 0 < len(self.text) <= MAX_GRAM and _RUN.fullmatch(self.text) is not None

    @property
    def word(self) -> str | None:
        """The term as the jieba word a field may hold, for a longer single run."""
        if MAX_GRAM < len(self.text) <= MAX_WORD and _RUN.fullmatch(self.text):
            return self.text
        return None

    @property
    def grams(self) -> tuple[str, ...]:
        """Tokens that every field holding the term holds: the term itself when exact,
        else the 4-grams of its runs (shorter runs whole), at most twelve, spread."""
        grams: list[str] = []
        for run in _RUN.findall(self.text):
            if len(run) <= MAX_GRAM:
                grams.append(run)
            else:
                grams += [run[i : i + MAX_GRAM] for i in range(len(run) - MAX_GRAM + 1)]
        grams = list(dict.fromkeys(grams))
        if len(grams) > _MAX_GRAMS_PER_TERM:
            # Spread over the word, first and last always in.
            step = (len(grams) - 1) / (_MAX_GRAMS_PER_TERM - 1)
            grams = [grams[round(i * step)] for i in range(_MAX_GRAMS_PER_TERM)]
        return tuple(grams)

    @property
    def groups(self) -> list[tuple[str]]:
        """``grams`` as ``_Index.lookup``'s token groups: every one must be held."""
        return [(gram,) for gram in self.grams]

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


class _Index:
    """The vendor's SQL: which events' fields hold which tokens, and the text check."""

    def __init__(self) -> None:
        self.postgresql = connection.vendor == "postgresql"

    def lookup(
        self,
        groups: Sequence[Sequence[str]],
        fields: Sequence[str] = FIELDS,
        *,
        or_partial: bool = False,
        within: Sequence[Sequence[str]] = (),
        excluding: Sequence[str] = (),
        without: Sequence[str] = (),
        columns: str = "event_id",
        inline: bool = False,
    ) -> tuple[str, list]:
        """SQL and params selecting ``columns`` of the index rows whose ``fields`` hold,
        for every group, one of the group's tokens (an AND of ORs); with ``or_partial``,
        the rows marked partial too; with ``within``, only rows that also hold a token of
        every group of ``within`` in any field, or are marked partial; with
        ``excluding``, none of the rows whose ``excluding`` fields together would be
        selected; with ``without``, none of the rows holding one of those tokens. With
        ``inline``, ``columns`` may name any column of the rows.

        On PostgreSQL through ``events_search_ids`` (migration 0006), which leaves the
        planner no way but the GIN index; with ``inline``, the rows' own SQL, for a
        statement run by ``_bitmap_scans_only`` (which does the same for a whole
        statement, without a function storing every row a lookup returns).
        """
        if self.postgresql:

            def held(fields: Sequence[str], groups: Sequence[Sequence[str]] = groups) -> str:
                prefixes = [ANY_FIELD] if tuple(fields) == FIELDS else [PREFIX[f] for f in fields]
                return " & ".join(
                    "(" + " | ".join(f"'{p}_{t}'" for t in group for p in prefixes) + ")"
                    for group in groups
                )

            query = held(fields)
            if within:
                query = f"({query}) & (({held(FIELDS, within)}) | '{PARTIAL}')"
            if or_partial:
                query = f"({query}) | '{PARTIAL}'"
            if excluding:
                query = f"({query}) & !({held(excluding)})"
            if without:
                query = f"({query}) & !({held(FIELDS, [without])})"
            if inline:
                return (
                    f"SELECT {columns} FROM events_eventsearch "
                    "WHERE events_search_document(tokens) @@ %s::tsquery",
                    [query],
                )
            return f"SELECT {columns} FROM events_search_ids(%s::tsquery)", [query]

        def held(fields: Sequence[str], groups: Sequence[Sequence[str]] = groups) -> str:
            scope = "" if tuple(fields) == FIELDS else "{" + " ".join(fields) + "} : "
            return " AND ".join(
                "(" + " OR ".join(f'{scope}"{t}"' for t in group) + ")" for group in groups
            )

        query = held(fields)
        if within:
            query = f'({query}) AND (({held(FIELDS, within)}) OR "{PARTIAL}")'
        if or_partial:
            query = f'({query}) OR "{PARTIAL}"'
        if excluding:
            query = f"({query}) NOT ({held(excluding)})"
        if without:
            query = f"({query}) NOT ({held(FIELDS, [without])})"
        return (
            f"SELECT {columns} FROM events_eventsearch WHERE event_id IN "
            f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
            [query],
        )

    def contains(self, column: str = "text") -> str:
        return f"strpos({column}, %s) > 0" if self.postgresql else f"instr({column}, %s) > 0"


def _others(terms: Sequence[SearchTerm], term: SearchTerm) -> list[tuple[str]]:
    """The token groups of every term but ``term``: what a lookup for ``term`` may be
    narrowed by, since only events holding every term are results."""
    return [group for other in terms if other != term for group in other.groups]


class _Match(RawSQL):
    """The ids of the events matching a query: ``events_search``'s condition, marked so
    that ``without_search`` can take it off again, with the query's terms."""

    def __init__(self, sql: str, params: Sequence, terms: Sequence[SearchTerm]) -> None:
        super().__init__(sql, params)
        self.terms = tuple(terms)


def _matching(terms: Sequence[SearchTerm]) -> RawSQL:
    """Ids of the events that hold every term (see "How a query runs" above).

    One lookup finds the events whose index holds every term's tokens, and those marked
    partial; the text then decides the terms the tokens cannot (a longer word not held
    as a word, a phrase), and every term of a partial row.
    """
    index = _Index()
    groups = [group for term in terms for group in term.groups]
    if not groups:
        # No token to look up (punctuation only): the text of every row decides.
        checks = " AND ".join([index.contains()] * len(terms))
        return _Match(
            f"SELECT event_id FROM events_eventsearch WHERE {checks}",
            [t.text for t in terms],
            terms,
        )
    found, params = index.lookup(groups, or_partial=True, columns="partial, event_id")
    conditions, condition_params = _checks(terms)
    return _Match(
        f"SELECT found.event_id FROM ({found}) found WHERE {conditions}",
        [*params, *condition_params],
        terms,
    )


def _lacking(terms: Sequence[SearchTerm], term: SearchTerm) -> tuple[str, list]:
    """SQL of the ids of the events holding the 4-grams of the long word ``term`` but
    not the word as a token (and the other terms' tokens): the few whose text decides."""
    return _Index().lookup(term.groups, within=_others(terms, term), without=[term.word])


def _checks(
    terms: Sequence[SearchTerm], *, with_text: bool = False, lacking: dict | None = None
) -> tuple[str, list]:
    """The condition on a candidate index row ``found`` (with ``event_id`` and
    ``partial``, and ``text`` when ``with_text``) that it holds every term: its tokens,
    a jieba word, or its text. ``lacking`` names, by long word, a query's table of
    ``_lacking``, when several conditions share it."""
    index = _Index()
    lacking = lacking or {}
    conditions, params = [], []
    for term in terms:
        # A look at the candidate's own text, read only where the branches before it
        # did not decide (the OR stops at the first true branch).
        check = (
            index.contains("found.text")
            if with_text
            else f"(SELECT {index.contains()} FROM events_eventsearch s "
            "WHERE s.event_id = found.event_id)"
        )
        if term.exact:
            conditions.append(f"(NOT found.partial OR {check})")
            params.append(term.text)
        elif term.word:
            # A candidate holds the word's 4-grams: it holds the word unless it is among
            # the few lacking the word as a token, whose text decides.
            if term in lacking:
                sql, lacking_params = f"SELECT event_id FROM {lacking[term]}", []
            else:
                sql, lacking_params = _lacking(terms, term)
            conditions.append(f"((NOT found.partial AND found.event_id NOT IN ({sql})) OR {check})")
            params += [*lacking_params, term.text]
        else:
            conditions.append(check)
            params.append(term.text)
    return " AND ".join(conditions), params


def _tiered(terms: Sequence[SearchTerm]) -> tuple[str, list, SearchTerm] | None:
    """The rows of the events ``_matching(terms)`` finds, with the copies of the event's
    columns (``id`` and ``EventSearch.CARRIED``), each with where the first term with
    tokens ranks (``_rank_sql``'s value for it) as a ``search_hits`` column, in one pass
    over the index; and that term. None when no term has tokens.

    The lookups of where the term ranks (``_ranked_in``: title, summary, body), and of
    the other matches and partial rows without those, each narrowed to events holding
    the other terms' tokens, give each match once. The term's rank then costs no
    lookup of its own: for one term, nothing else does; for several, the others' ranks
    are added (``_rank_sql``).
    """
    tiered = next((term for term in terms if term.grams), None)
    if tiered is None:
        return None
    index = _Index()
    groups = tiered.groups
    within = _others(terms, tiered)
    columns = ", ".join(["event_id", "partial", "text", *EventSearch.CARRIED])
    # The event id as ``id``, so that the rows read like the event's.
    selected = ", ".join(["found.event_id AS id", *(f"found.{c}" for c in EventSearch.CARRIED)])
    # Each tier checks its long words against the same few events: looked up once.
    lacking = {term: f"lacking_{n}" for n, term in enumerate(t for t in terms if t.word)}
    shared, params = [], []
    for term, name in lacking.items():
        sql, lacking_params = _lacking(terms, term)
        shared.append(f"{name} AS MATERIALIZED ({sql})")
        params += lacking_params
    conditions, condition_params = _checks(terms, with_text=True, lacking=lacking)
    branches = []
    tiers = [_ranked_in(groups, level) for level in range(len(WEIGHT))]
    # The rest: the matches no tier above holds, and partial rows. A one-token term not
    # under the title, summary or body of an event that is not partial is under the rest.
    rest = ("extra",) if len(groups) == 1 else FIELDS
    tiers.append({"fields": rest, "excluding": list(WEIGHT), "or_partial": True})
    for tier, weight in zip(tiers, [*WEIGHT.values(), 0], strict=True):
        found, found_params = index.lookup(
            groups, **tier, within=within, columns=columns, inline=True
        )
        branches.append(
            f"SELECT {selected}, {weight} AS {RANK} FROM ({found}) found WHERE {conditions}"
        )
        params += [*found_params, *condition_params]
    with_shared = f"WITH {', '.join(shared)} " if shared else ""
    return with_shared + " UNION ALL ".join(branches), params, tiered


def _ranked_in(groups: Sequence[Sequence[str]], level: int) -> dict:
    """``_Index.lookup``'s arguments for the events where a term of these token groups
    ranks in the ``level``-th ranked field (title, summary, body), each in one field only.

    A one-token term: the events holding the token under that field (each token is
    under the first field holding it). A longer one: those whose fields down to that one
    hold all its tokens, less those whose fields above it already do.
    """
    ranked = list(WEIGHT)
    if len(groups) == 1:
        return {"fields": (ranked[level],)}
    return {"fields": ranked[: level + 1], "excluding": ranked[:level]}


def _rank_lookups(groups: Sequence[Sequence[str]]) -> tuple[list[tuple[dict, int]], int]:
    """``_Index.lookup``'s arguments and weights for where a term of these token groups
    ranks in a result, and the weight of a result none of them finds.

    A longer term: the title, the summary, the body (``_ranked_in``), else 0. A one-token
    term in a result that is not partial is under exactly one field: the title, the
    body, the rest (0), or else the summary. Looking up the summary's events, often as
    many as the title's, is then not needed; the body's and the rest's are usually few
    and cost next to nothing. A partial result may hold the token nowhere (its field did
    not fit): it ranks 0 unless its summary holds it.
    """
    if len(groups) > 1:
        return [(_ranked_in(groups, i), weight) for i, weight in enumerate(WEIGHT.values())], 0
    rest = {"fields": ("extra",), "or_partial": True, "excluding": ("summary",)}
    return [
        (_ranked_in(groups, 0), WEIGHT["title"]),
        (_ranked_in(groups, 2), WEIGHT["body"]),
        (rest, 0),
    ], WEIGHT["summary"]


def _rank_sql(
    terms: Sequence[SearchTerm],
    column: str,
    column_params: Sequence,
    *,
    skip: SearchTerm | None = None,
    inline: bool = False,
) -> tuple[str, list]:
    """SQL of where each whole term but ``skip`` is in the result whose id is ``column``,
    summed: 4 in the title, 2 in the summary, 1 in the body.

    A long word counts in the first field that, with those above it, holds all its
    4-grams (``_ranked_in``), which is where it is nearly always; this only orders
    results, it never decides what is found, and only results have a meaningful rank:
    each lookup is narrowed to events that also hold the other terms' tokens (with
    several terms, a small share of those holding one: 工会 alone is in most events),
    and a one-token term takes the summary as what its other lookups leave. ``inline``
    as for ``_Index.lookup``.
    """
    index = _Index()
    cases, params = [], []
    for term in terms:
        groups = term.groups
        if term == skip or not groups:
            continue
        ranks, default = _rank_lookups(groups)
        whens = []
        for where, weight in ranks:
            sql, lookup_params = index.lookup(
                groups, within=_others(terms, term), inline=inline, **where
            )
            whens.append(f"WHEN {column} IN ({sql}) THEN {weight}")
            params += [*column_params, *lookup_params]
        cases.append(f"CASE {' '.join(whens)} ELSE {default} END")
    return f"({' + '.join(cases) or '0'})", params


class _Rank(Expression):
    """``search_hits``: ``_rank_sql`` of the query's terms over the event's id. One
    expression rather than a tree of ``Case`` and ``When``, which Django would resolve
    and compile node by node on every search."""

    output_field = IntegerField()

    def __init__(self, terms: Sequence[SearchTerm], pk=None) -> None:
        super().__init__()
        self.terms = tuple(terms)
        self.pk = F("pk") if pk is None else pk

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs) -> None:
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.pk)
        return _rank_sql(self.terms, column, params)


def _match_in(condition) -> _Match | None:
    """The search condition's ``_Match`` when ``condition`` (a child of a query's WHERE)
    is ``events_search``'s ``pk__in=`` condition."""
    rhs = getattr(condition, "rhs", None)
    return rhs if isinstance(rhs, _Match) else None


def is_search_result(events: QuerySet) -> bool:
    """Whether ``events`` are ranked search results (``events_search(ranked=True)``)."""
    return RANK in events.query.annotations


def without_search(events: QuerySet) -> QuerySet | None:
    """``events`` with ``events_search``'s condition and ranking taken off, every other
    filter, join and loading option (``select_related``, ``prefetch_related``, ``only``)
    kept, unordered; None when the condition cannot be told apart from the others.

    For loading the rows of a page whose ids a search already found, without finding
    every match again (``WindowCountPaginator``). Only a condition ANDed at the top of the
    query is taken off: taking one out of an OR would narrow it.
    """
    events = events.all()
    where = events.query.where
    if where.connector != AND or where.negated:
        return None
    kept = [child for child in where.children if _match_in(child) is None]
    if len(kept) == len(where.children):
        return None
    where.children = kept
    query = events.query
    if RANK in query.annotations:
        # Masked: left out of the SELECT (and of the ORDER BY, cleared below).
        selected = query.annotation_select_mask or query.annotations
        query.set_annotation_mask([name for name in selected if name != RANK])
    return events.order_by()


def events_search(*, events: QuerySet, query: str, ranked: bool = True) -> QuerySet:
    """``events`` narrowed to those matching ``query``, best first when ``ranked``.

    Ranked results carry ``search_hits`` (where the whole terms are, see ``_rank_sql``)
    and are ordered by it, then chronologically; a later ``order_by`` (the ``ordering``
    filter, the admin's columns) takes precedence. An empty query leaves ``events`` as
    they are.
    """
    terms = parse_query(query)
    if not terms:
        return events
    events = events.filter(pk__in=_matching(terms))
    if not ranked:
        return events
    if not any(term.grams for term in terms):
        # Punctuation alone has no place to rank by: every result is 0, and a constant in
        # ORDER BY would read as a column position.
        return events.annotate(**{RANK: Value(0)}).order_by(*_CHRONOLOGY)
    return events.annotate(**{RANK: _Rank(terms)}).order_by(F(RANK).desc(), *_CHRONOLOGY)


# Ranked results' order after the rank.
_CHRONOLOGY = (F("date_start").asc(nulls_last=True), "date_end", "id")


def ranked_page(events: QuerySet, *, offset: int, limit: int) -> list[tuple[int, int]] | None:
    """The ids of ``events[offset:offset + limit]``, ranked search results, each with the
    number of all the results; None when the index rows alone cannot answer.

    They can on PostgreSQL when the results are in ranked order and every other filter
    compares the event's id or columns that the index rows carry copies of
    (``EventSearch.CARRIED``): readers' published and unmerged events, a search of all
    events, a span of dates. The lookup reads those copies from the index rows it visits
    anyway, and filters, counts and orders by them without reading the events table:
    the same SQL as ``events_search``'s, with the index rows standing in for the events.
    """
    try:
        page = _page_sql(events, offset=offset, limit=limit)
    except EmptyResultSet:
        return []
    if page is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(*_bitmap_scans_only(*page, columns="id bigint, total bigint"))
        return [tuple(row) for row in cursor.fetchall()]


def _page_sql(events: QuerySet, *, offset: int, limit: int) -> tuple[str, list] | None:
    """``ranked_page``'s SQL and params, for ``_bitmap_scans_only`` to run; None when the
    index rows alone cannot answer. Raises EmptyResultSet when nothing can match."""
    if connection.vendor != "postgresql" or tuple(events.query.order_by) != (
        F(RANK).desc(),
        *_CHRONOLOGY,
    ):
        return None
    match = next(filter(None, map(_match_in, events.query.where.children)), None)
    others = without_search(events)
    if match is None or others is None or not _reads_carried_only(others.query):
        return None
    compiler = others.query.get_compiler(using=events.db)
    try:
        where, where_params = compiler.compile(others.query.where)
        where = f" WHERE {where}"
    except FullResultSet:
        where, where_params = "", []
    table = connection.ops.quote_name(others.query.base_table)
    tiered = _tiered(match.terms)
    if tiered is None:
        return None
    rows, rows_params, term = tiered
    date_start, date_end, pk = (f"{table}.{connection.ops.quote_name(c)}" for c in _SORTED)
    # The tiered term's rank is a column of the rows; the other terms' are looked up.
    others_rank, rank_params = _rank_sql(match.terms, pk, [], skip=term, inline=True)
    rank = f"{table}.{RANK} + {others_rank}"
    return (
        f"SELECT {pk}, COUNT(*) OVER () FROM ({rows}) {table}{where} "
        f"ORDER BY {rank} DESC, {date_start} ASC NULLS LAST, {date_end} ASC, {pk} ASC "
        "LIMIT %s OFFSET %s",
        [*rows_params, *where_params, *rank_params, limit, offset],
    )


_SORTED = ("date_start", "date_end", "id")


def _bitmap_scans_only(sql: str, params: Sequence, columns: str) -> tuple[str, list]:
    """A statement selecting ``columns`` (names and types) that runs ``sql`` with
    PostgreSQL's planner allowed bitmap scans only: the GIN index for the index rows'
    lookups, never a scan of every row computing each row's tokens, whatever the costs
    say. What ``events_search_ids``'s settings do for one lookup, for a statement whose
    lookups are inline (``events_search_statement``, migration 0010)."""
    statement = connection.ops.compose_sql(sql, list(params))
    return f"SELECT * FROM events_search_statement(%s) AS rows ({columns})", [statement]


def _reads_carried_only(query) -> bool:
    """Whether ``query`` joins nothing and its filters only compare the event's id and
    carried columns with plain values (no expressions, subqueries or transforms)."""
    base = query.base_table
    if query.distinct or query.combinator or query.extra or query.is_sliced:
        return False
    if any(query.alias_refcount[alias] for alias in query.alias_map if alias != base):
        return False
    allowed = {"id", *EventSearch.CARRIED}

    def plain(value) -> bool:
        if isinstance(value, list | tuple | set):
            return all(plain(item) for item in value)
        return not hasattr(value, "resolve_expression") and not hasattr(value, "as_sql")

    def reads(node) -> bool:
        if isinstance(node, WhereNode):
            return all(reads(child) for child in node.children)
        return (
            isinstance(node, Lookup)
            and isinstance(node.lhs, Col)
            and node.lhs.alias == base
            and node.lhs.target.column in allowed
            and plain(node.rhs)
        )

    return reads(query.where)


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
