"""Pagination of every API list (page_size up to 500, bad values named in a 400), and the
paginator that counts search results with their page instead of in a query of its own."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from events.search import is_search_result, ranked_page, without_search

MAX_PAGE_SIZE = 500
# The window annotation that carries the number of rows; no field or other annotation
# is called so.
TOTAL = "pagination_total"


class WindowCountPaginator(Paginator):
    """Django's Paginator; for search results, the count comes with the page.

    Ranking orders every match, so the database computes all of them for the first page
    anyway: ``COUNT(*) OVER ()`` counts them on the way instead of a second query that
    finds them all again. That query reads only ids, ranks and dates (narrow rows, no
    spill to disk); the page's rows are then loaded by id with the queryset's other
    filters and loading options (``events.search.without_search``). Other querysets,
    and those a window would count wrongly (DISTINCT, already sliced) or that need the
    count first (orphans, the "last" page), are paginated as Django does. Where the
    search index's rows carry all that the ids, count and order need, they are read
    from those rows alone (``events.search.ranked_page``).
    """

    def _counts_with_page(self) -> bool:
        rows = self.object_list
        return (
            "count" not in self.__dict__
            and not self.orphans
            and isinstance(rows, QuerySet)
            and is_search_result(rows)
            and not rows.query.distinct
            and not rows.query.is_sliced
        )

    def page(self, number):
        if not self._counts_with_page():
            return super().page(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        found = ranked_page(self.object_list, offset=bottom, limit=self.per_page)
        if found is None:
            found = list(
                self.object_list.annotate(**{TOTAL: Window(Count("pk"))}).values_list("pk", TOTAL)[
                    bottom : bottom + self.per_page
                ]
            )
        if not found:
            # Nothing from here on: an empty first page when allowed, else past the end.
            if number == 1 and self.allow_empty_first_page:
                self.__dict__["count"] = 0
                return self._get_page([], number, self)
            raise EmptyPage(self.error_messages["no_results"])
        self.__dict__["count"] = found[0][1]
        ids = [pk for pk, _ in found]
        rows = without_search(self.object_list)
        if rows is None:
            rows = self.object_list
        by_id = {row.pk: row for row in rows.filter(pk__in=ids)}
        # An event changed between the two reads (unpublished, deleted) is left out.
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


class Pagination(PageNumberPagination):
    django_paginator_class = WindowCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise exceptions.ValidationError(
                {"page_size": [_("A whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        # The bounds the checks above enforce, so clients (and the fuzzer) know them.
        bounds = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": MAX_PAGE_SIZE}}
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        page = request.query_params.get(self.page_query_param)
        if page is not None and page != "last" and not page.isdigit():
            raise exceptions.ValidationError({"page": [_("A page number, 1 or more.")]})
        return super().paginate_queryset(queryset, request, view)
