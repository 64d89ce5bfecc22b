"""A picture of a captured page, drawn by Chromium from the HTML that was captured, put before
anything in it a Content-Security-Policy that allows nothing but inline styles and data:
images (so no script runs and nothing is requested) and a proxy on a closed loopback port for
anything that still tries: drawing it fetches nothing and runs nothing. Without Chromium
(``CAPTURE_CHROMIUM`` empty) there is none."""

from __future__ import annotations

import logging
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

LOCKED = (
    b'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    b"style-src 'unsafe-inline'; img-src data:\">"
)
WIDTH, HEIGHT = 1280, 2000
TIMEOUT = 60


def screenshot(html: bytes) -> bytes | None:
    """A PNG of the page, or None (no Chromium, or it failed: the capture goes on without)."""
    chromium = settings.CAPTURE_CHROMIUM
    if not chromium or not Path(chromium).exists():
        return None
    with tempfile.TemporaryDirectory(prefix="capture-") as folder:
        page, picture = Path(folder) / "page.html", Path(folder) / "page.png"
        page.write_bytes(LOCKED + html)
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-quic",
            "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-default-browser-check", "--mute-audio",
            f"--user-data-dir={folder}/profile", f"--window-size={WIDTH},{HEIGHT}",
            f"--screenshot={picture}", page.as_uri(),
        ]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            log.warning("No screenshot: %s", error)
            return None
        return picture.read_bytes() if picture.exists() else None
