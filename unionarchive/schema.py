"""The project's OpenAPI generation: drf-spectacular's AutoSchema with what it cannot guess."""

from drf_spectacular import openapi
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly

# DRF refuses NUL characters in text (PostgreSQL cannot store them); the schema says so.
WITHOUT_NUL = "^[^\\x00]*$"


class AutoSchema(openapi.AutoSchema):
    def get_auth(self):
        """Reads that anyone may make say so (``{}``), as they do for ``AllowAny`` views.

        drf-spectacular knows only ``AllowAny`` and ``IsAuthenticatedOrReadOnly``; the event
        endpoints use ``DjangoModelPermissionsOrAnonReadOnly``, whose reads are just as open.
        """
        auths = super().get_auth()
        anonymous_reads = any(
            isinstance(permission, DjangoModelPermissionsOrAnonReadOnly)
            for permission in self.view.get_permissions()
        )
        if anonymous_reads and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def _get_filter_parameters(self):
        # A filter left empty (``?q=&year=``, as the public pages' forms send it) is a filter
        # not given: django-filter skips it, and the schema says so.
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"format", "enum", "pattern"} & schema.keys()
        ):
            schema["pattern"] = WITHOUT_NUL
        return schema
