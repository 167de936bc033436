"""Pure text helpers of moderation: the charter's Markdown, its clauses, rule conditions, templates.

No Django models here: what rules match and how a charter is read can be tested on strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex
from markdown_it import MarkdownIt

# --- the charter ---------------------------------------------------------------------------------

# "js-default": raw HTML in the text is escaped, never passed through, and markdown-it refuses
# javascript:, vbscript:, file: and data: links. What it outputs is safe to show as HTML.
_MARKDOWN = MarkdownIt("js-default")

# A clause is a heading that starts with its number: "## 3.2 No insults" or "### 3.2. No insults".
_CLAUSE_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.+)$")


@dataclass(frozen=True)
class ParsedClause:
    code: str
    title: str
    text: str


def clause_anchor(code: str) -> str:
    return "clause-" + "-".join(part for part in code.split(".") if part)


def charter_render(body: str) -> str:
    """The charter's Markdown as safe HTML; numbered headings get the clause anchor ("#clause-3-2")."""
    tokens = _MARKDOWN.parse(body)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            match = _CLAUSE_HEADING.match(tokens[index + 1].content.strip())
            if match:
                token.attrSet("id", clause_anchor(match.group(1)))
    html: str = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return html


def charter_clauses(body: str) -> list[ParsedClause]:
    """The numbered clauses of a charter text, each with the text up to the next heading."""
    clauses: list[ParsedClause] = []
    current: tuple[str, str] | None = None
    lines: list[str] = []
    for line in body.splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            if current is not None:
                clauses.append(ParsedClause(current[0], current[1], "\n".join(lines).strip()))
            match = _CLAUSE_HEADING.match(heading.group(1))
            current = (match.group(1), match.group(2).strip()[:200]) if match else None
            lines = []
        elif current is not None:
            lines.append(line)
    if current is not None:
        clauses.append(ParsedClause(current[0], current[1], "\n".join(lines).strip()))
    seen: set[str] = set()
    unique = []
    for clause in clauses:  # a repeated number keeps its first heading
        if clause.code not in seen:
            seen.add(clause.code)
            unique.append(clause)
    return unique


# --- rule conditions -----------------------------------------------------------------------------

MAX_PATTERN_LENGTH = 200
MAX_PATTERNS = 20
PATTERN_TIMEOUT_SECONDS = 0.05  # per message and pattern: a slow pattern counts as no match
# Nested quantifiers such as (a+)+ or (\w*)* are what makes a pattern catastrophic.
_NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")


class PatternError(ValueError):
    """A pattern a rule cannot use; the message says why, for the rule's author."""


def pattern_check(pattern: str) -> regex.Pattern[str]:
    """Compile a rule's pattern, or say why it is refused (too long, invalid, nested quantifiers)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"longer than {MAX_PATTERN_LENGTH} characters")
    if _NESTED_QUANTIFIER.search(pattern):
        raise PatternError("nested repetition such as (a+)+ can take forever on some texts")
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.V0)
    except regex.error as error:
        raise PatternError(str(error)) from error


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> regex.Pattern[str] | None:
    try:
        return pattern_check(pattern)
    except PatternError:
        return None


def pattern_search(pattern: str, text: str) -> bool:
    """Whether `pattern` occurs in `text`; a search that runs past the timeout is no match."""
    compiled = _compiled(pattern)
    if compiled is None:
        return False
    try:
        return compiled.search(text, timeout=PATTERN_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        return False


_COMBINING = regex.compile(r"\p{Mn}+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents: "Énervé" → "enerve". Cached: the rules of a batch fold each text once."""
    folded: str = _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return folded


@lru_cache(maxsize=1024)
def _keyword_regex(keyword: str) -> re.Pattern[str] | None:
    word = fold(keyword.strip())
    if not word.rstrip("*"):
        return None
    core = re.escape(word.rstrip("*"))
    return re.compile(rf"(?<!\w){core}\w*" if word.endswith("*") else rf"(?<!\w){core}(?!\w)")


def keyword_found(keyword: str, text: str, *, folded: bool = False) -> bool:
    """Whole-word match ignoring case and accents; a final * matches any ending ("idiot*").

    With `folded`, `text` is already `fold()`ed (a rule with many keywords folds the text once)."""
    expression = _keyword_regex(keyword)
    if expression is None:
        return False
    return expression.search(text if folded else fold(text)) is not None


_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")


def has_link(text: str) -> bool:
    return _LINK.search(text) is not None


def mentions_only(text: str) -> bool:
    """A message that is only @mentions (and punctuation): mention spam."""
    if not _MENTION.search(text):
        return False
    rest = _MENTION.sub("", text)
    return not any(char.isalnum() for char in rest)


def same_text_key(text: str) -> str:
    """What makes two messages "the same text": case, accents, mentions and spacing ignored."""
    return " ".join(fold(_MENTION.sub("", text)).split())


# --- templates -----------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\{(\w+)\}")


def template_fill(template: str, values: dict[str, str]) -> str:
    """Replace {name} by its value; unknown names stay as written (no format-string attribute access)."""
    return _VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), template)
