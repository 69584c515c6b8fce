from django import forms
from django.utils.translation import gettext_lazy as _

from sources.models import PublishedPrecision, SourceKind
from sources.reading import MAX_DOCUMENT_BYTES

# The largest document the upload takes: the loader's own limit.
MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES


class SourceUploadForm(forms.Form):
    """A new document and what the editor knows of it; blank fields are read from the text."""

    file = forms.FileField(
        label=_("document"),
        help_text=_("Text (.txt, .md) or a saved web page (.html); UTF-8, GB18030 or GBK."),
    )
    title = forms.CharField(label=_("title"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[("", _("read from the text")), *SourceKind.choices],
        required=False,
    )
    publisher = forms.CharField(label=_("publisher"), max_length=200, required=False)
    published = forms.DateField(label=_("publication date"), required=False)
    published_precision = forms.ChoiceField(
        label=_("publication date precision"),
        choices=[("", "—"), *PublishedPrecision.choices],
        required=False,
    )
    origin = forms.CharField(label=_("origin (来源)"), max_length=200, required=False)
    url = forms.URLField(label=_("URL"), required=False, assume_scheme="https")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."),
                code="too_large",
                params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload

    def overrides(self) -> dict:
        """The metadata the editor gave, for the loader's manifest override."""
        fields = ("title", "kind", "publisher", "origin", "url")
        values = {name: self.cleaned_data[name] for name in fields if self.cleaned_data[name]}
        if self.cleaned_data["published"]:
            values["published"] = self.cleaned_data["published"]
            values["published_precision"] = self.cleaned_data["published_precision"] or "day"
        return values
