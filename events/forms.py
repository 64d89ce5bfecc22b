from django import forms
from django.utils.translation import gettext_lazy as _

MAX_FIXTURE_BYTES = 20 * 1024 * 1024


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

    def clean_files(self) -> list[tuple[str, str]]:
        texts = []
        for upload in self.cleaned_data["files"]:
            if upload.size > MAX_FIXTURE_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than 20 MB.") % {"name": upload.name}, code="too_large"
                )
            try:
                texts.append((upload.name, upload.read().decode("utf-8")))
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("%(name)s is not UTF-8 text.") % {"name": upload.name}, code="encoding"
                ) from None
        return texts


class FixtureConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
