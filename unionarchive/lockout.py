"""The page a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE).

The admin's own look and language, saying why the login was refused and for how long, with
429 Too Many Requests so that scripts see it too.
"""

import math

from axes.helpers import get_cool_off
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": admin.site.site_header,
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    response = TemplateResponse(request, "admin/locked_out.html", context, status=429)
    return response.render()
