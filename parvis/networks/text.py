"""Text helpers shared by connectors: HTML to plain text."""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    lowered = text.lstrip().lower()
    return lowered.startswith(("<p", "<div", "<span", "<br", "<a ")) and lowered.rstrip().endswith(">")


def html_to_text(value: str) -> str:
    """Plain text from network HTML (Mastodon sends <p> and <a>; mocks may send plain text)."""
    if not value:
        return ""
    if not looks_like_html(value):
        return value.strip()
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts)
    # convert_charrefs already decoded the entities: decoding again would turn a typed "&lt;" into "<".
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip()
