from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".json,application/json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class FixtureUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Fixture files"),
        help_text=_("Django JSON fixtures with natural keys, e.g. from export_fixture."),
    )
    reason = forms.CharField(
        label=_("Edit summary"),
        required=False,
        max_length=100,
        help_text=_("Recorded in the history; default “Imported from <file name>”."),
    )

    def clean_files(self) -> list:
        limit = settings.IMPORT_MAX_BYTES
        for upload in self.cleaned_data["files"]:
            if upload.size > limit:
                message = _("%(name)s is larger than %(size)s.") % {
                    "name": upload.name,
                    "size": filesizeformat(limit),
                }
                raise forms.ValidationError(message, code="too_large")
        return self.cleaned_data["files"]
