"""What the simulator does, one record per action: the ground truth tests and triage benchmarks read."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Label(StrEnum):
    """What a message is, as a community manager would triage it."""

    QUESTION = "question"
    PRAISE = "praise"
    CRITICISM = "criticism"  # calm, argued
    AGGRESSIVE = "aggressive"  # angry but understandable: answer courteously
    INSULT = "insult"  # mild insult: remove under the charter, explain why
    SPAM = "spam"  # advertising, scams, links: out
    OTHER = "other"  # chat, news, follows, favourites


class Kind(StrEnum):
    """What a persona does on the network."""

    FOLLOW = "follow"  # follows the organisation's account
    MENTION = "mention"  # a public post mentioning the organisation
    REPLY = "reply"  # answers another persona's post (`reply_to`), in a thread
    COMMENT = "comment"  # answers under one of the organisation's own posts (chosen when played)
    DIRECT = "direct"  # a private message (visibility "direct") to the organisation
    FAVOURITE = "favourite"  # favourites one of the organisation's posts (chosen when played)
    EVENT_POST = "event_post"  # a public post with the live event's hashtag (the audience live-tweets)


@dataclass(frozen=True)
class Record:
    """One action of the community, and what it means.

    `family` groups paraphrases: every record of one family asks the same question
    in other words (`variant` says which wording). `reply_to` is the `index` of the
    earlier record a REPLY answers.
    """

    index: int
    kind: Kind
    persona: str
    label: Label
    text: str = ""
    language: str = "fr"
    visibility: str = "public"
    family: str | None = None
    variant: int | None = None
    reply_to: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["label"] = self.label.value
        return data
