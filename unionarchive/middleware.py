"""Requests the archive refuses before any view sees them."""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class NulCharacterRefusalMiddleware:
    """A NUL character in the path or a query parameter is a 400 naming where it was.

    PostgreSQL cannot hold NUL in text, so a lookup with one (a slug, a category, a search
    word) would fail inside the database and answer 500; no real URL contains one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return HttpResponseBadRequest(_("The path contains a NUL character."))
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return HttpResponseBadRequest(
                    _("The parameter “%(name)s” contains a NUL character.")
                    % {"name": name.replace("\x00", "")}
                )
        return self.get_response(request)
