"""Form widgets of the editorial admin."""

from django import forms


class CitationTextarea(forms.Textarea):
    """A narrative field with a search box that inserts [@key] for a chosen source."""

    template_name = "admin/editorial/citation_textarea.html"

    class Media:
        js = ["editorial/citation-helper.js"]
        css = {"all": ["editorial/editorial.css"]}

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, "class": "vLargeTextField", **(attrs or {})})
