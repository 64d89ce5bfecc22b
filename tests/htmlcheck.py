"""Parse HTML the way a browser would see its elements, and list what could run script."""

from html.parser import HTMLParser

SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/", "?")
# The pictures the app draws itself (maps, charts, legend swatches); any other <svg> is content.
APP_SVG_CLASSES = {"static-map", "chart", "visual-timeline", "swatch"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.elements


def executable_bits(html: str) -> list[str]:
    found = []
    for tag, attrs in elements(html):
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "base"}:
            own_script = tag == "script" and attrs.get("src", "").startswith("/static/")
            own_svg = tag == "svg" and attrs.get("class") in APP_SVG_CLASSES
            if not (own_script or own_svg):
                found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value is not None:
                if not value.strip().lower().startswith(SAFE_SCHEMES):
                    found.append(f"<{tag} {name}={value!r}>")
    return found


def ids(html: str) -> list[str]:
    return [attrs["id"] for _tag, attrs in elements(html) if attrs.get("id")]


def hrefs(html: str) -> list[str]:
    return [attrs["href"] for tag, attrs in elements(html) if tag == "a" and "href" in attrs]
