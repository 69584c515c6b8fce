"""Pagination of every API list: page_size up to 500, bad values named in a 400."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 500


class Pagination(PageNumberPagination):
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
