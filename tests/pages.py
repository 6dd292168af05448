"""Opening saved pages in Chromium with the network cut off, recording what they ask for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Opened:
    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def network(self) -> list[str]:
        """Requests that would have left the machine (file: and data: are local)."""
        return [r for r in self.requests if not r.startswith(("file:", "data:"))]


def open_offline(browser, path: Path, *, ready: str | None = None, routes=None) -> Opened:
    """Open ``path`` (file://) with every http(s) request refused unless ``routes`` (URL
    prefix -> local file) serves it; wait for the JS expression ``ready`` if given."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    opened = Opened(page)
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))

    def handle(route) -> None:
        for prefix, local in (routes or {}).items():
            if route.request.url.startswith(prefix):
                route.fulfill(path=str(local))
                return
        route.abort()

    page.route(re.compile(r"^https?://"), handle)
    page.goto(path.as_uri())
    if ready:
        page.wait_for_function(ready, timeout=20000)
    return opened
