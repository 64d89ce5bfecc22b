"""A draft translation from a machine, when the operator names a backend (off by default).

``MACHINE_TRANSLATION_URL`` is the address of a LibreTranslate server's ``/translate`` or of
DeepL's ``/v2/translate`` (``MACHINE_TRANSLATION_API``: ``libretranslate`` or ``deepl``), with
``MACHINE_TRANSLATION_KEY`` if it needs one. Citations never pass through the machine: the text
between them is translated and the ``[@key]`` markers are put back where they stood, so a
machine draft cites exactly what its original cites. What it writes is marked as unreviewed
machine text until a translator edits it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from crisis_tracker.citations import GROUP

TIMEOUT = 30  # seconds for one request
# Language codes as each API names them.
CODES = {
    "libretranslate": {"zh-hans": "zh", "en": "en"},
    "deepl": {"zh-hans": "ZH", "en": "EN-GB"},
}


class MachineTranslationError(Exception):
    """The backend is not configured, unreachable, or answered with something unusable."""


def enabled() -> bool:
    return bool(settings.MACHINE_TRANSLATION_URL)


def translate(texts: list[str], source: str, target: str) -> list[str]:
    """``texts`` in ``target``, citations kept as they were."""
    if not enabled():
        raise MachineTranslationError("No machine translation backend is configured.")
    pieces = [split(text) for text in texts]
    prose = [piece for parts in pieces for piece, is_citation in parts if not is_citation]
    translated = iter(ask(prose, source, target) if prose else [])
    return [
        "".join(piece if is_citation else next(translated) for piece, is_citation in parts)
        for parts in pieces
    ]


def split(text: str) -> list[tuple[str, bool]]:
    """The text as runs of prose and of citation markers, in order, empty runs left out
    (whitespace around a marker stays with the prose the machine sees)."""
    parts, position = [], 0
    for match in GROUP.finditer(text):
        if match.start() > position:
            parts.append((text[position : match.start()], False))
        parts.append((match[0], True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def ask(texts: list[str], source: str, target: str) -> list[str]:
    api = settings.MACHINE_TRANSLATION_API
    if api not in CODES:
        raise MachineTranslationError(f"Unknown MACHINE_TRANSLATION_API {api!r}.")
    codes = CODES[api]
    if api == "deepl":
        body = {"text": texts, "source_lang": codes[source], "target_lang": codes[target]}
        answer = post(body, {"Authorization": f"DeepL-Auth-Key {settings.MACHINE_TRANSLATION_KEY}"})
        found = [item.get("text") for item in answer.get("translations", [])]
    else:
        body = {"q": texts, "source": codes[source], "target": codes[target], "format": "text"}
        if settings.MACHINE_TRANSLATION_KEY:
            body["api_key"] = settings.MACHINE_TRANSLATION_KEY
        found = post(body, {}).get("translatedText")
    if not isinstance(found, list) or len(found) != len(texts):
        raise MachineTranslationError("The backend's answer does not match the texts sent.")
    if not all(isinstance(text, str) for text in found):
        raise MachineTranslationError("The backend answered with something other than text.")
    return found


def post(body: dict, headers: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310  (the operator's configured http(s) address)
        settings.MACHINE_TRANSLATION_URL,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            answer = json.loads(response.read(5 * 1024 * 1024))
    except urllib.error.HTTPError as error:
        raise MachineTranslationError(f"The backend answered {error.code}.") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise MachineTranslationError(f"The backend could not be used: {error}.") from error
    if not isinstance(answer, dict):
        raise MachineTranslationError("The backend's answer is not a JSON object.")
    return answer
