"""The community's script: a deterministic, endless sequence of `Record`s. Pure Python, no server.

Everything comes from one `random.Random(seed)`: the same seed gives the same
personas, actions and texts, and the first N records do not depend on how many
are asked for (`generate_records(seed=1, steps=10)` is a prefix of `steps=500`).

What the community does, roughly per 100 actions: two dozen questions (most of
them from paraphrase families, a few "hot" families asked again and again in
other words), a dozen answers between members in threads, some praise, calm and
angry criticism, private messages, advertising and scams, a few comments and
favourites under the organisation's posts, follows, and now and then an insult.
About one text in ten is in English. One hostile message carrying a
`<script>` tag comes early (between the 3rd and the 6th action), and one
insult is guaranteed before the 61st action.

With `event_hashtag` (the demo's live event), about one action in three is a
public post with that hashtag instead: questions for the speakers, praise,
quotes, and now and then a speaker's own post. Those come from a random
stream of their own, so the rest of the script plays as without the event.
"""

from __future__ import annotations

import random
import string
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TypeVar

from parvis.simulator import corpus
from parvis.simulator.corpus import Line, Persona, QuestionFamily
from parvis.simulator.records import Kind, Label, Record

DEFAULT_PERSONAS = 30
ENGLISH_SHARE = 0.10

# Relative weights of what happens next; following weighs FOLLOW_WEIGHT while nobody follows yet
# and less as the members follow one after another.
ACTION_WEIGHTS: dict[str, float] = {
    "question": 24,
    "reply": 13,
    "praise": 10,
    "criticism": 8,
    "direct": 8,
    "spam": 6,
    "other": 6,
    "comment": 5,
    "aggressive": 4,
    "favourite": 3,
    "insult": 1.5,
}
FOLLOW_WEIGHT = 30.0
DIRECT_LABEL_WEIGHTS: dict[Label, float] = {
    Label.QUESTION: 55,
    Label.CRITICISM: 15,
    Label.PRAISE: 12,
    Label.SPAM: 14,
    Label.INSULT: 4,
}
HOT_FAMILIES = 3  # families of the moment, asked six times as often as the others
HOT_FAMILY_WEIGHT = 6.0
FREE_QUESTION_SHARE = 0.15  # questions asked once, outside any family
REPLY_WINDOW = 12  # a reply answers one of the last public posts
NO_REPEAT_WINDOW = 40  # a template used this recently is drawn again only if nothing else comes up
EVENT_SHARE = 0.3  # with a live event: share of the actions that are posts with its hashtag
EVENT_SPEAKER_SHARE = 0.1  # of those, posted by a speaker
EVENT_LABEL_WEIGHTS: dict[Label, float] = {Label.QUESTION: 40, Label.PRAISE: 25, Label.OTHER: 35}

T = TypeVar("T")


def generate_records(
    *, seed: int, steps: int, org_handle: str, personas: int = DEFAULT_PERSONAS, event_hashtag: str | None = None
) -> list[Record]:
    """The first `steps` records of the script for `seed`. Pure and deterministic."""
    script = CommunityScript(seed=seed, org_handle=org_handle, personas=personas, event_hashtag=event_hashtag)
    return list(islice(script, steps))


def pick_personas(rng: random.Random, count: int) -> list[Persona]:
    """A cast of `count` personas: mostly French-speaking members, some English speakers, spammers, trolls."""
    if not 8 <= count <= len(corpus.MEMBERS_FR) + len(corpus.MEMBERS_EN) + len(corpus.SPAMMERS) + len(corpus.TROLLS):
        raise ValueError(f"The community has between 8 and 44 personas, not {count}")
    spammers = rng.sample(corpus.SPAMMERS, min(len(corpus.SPAMMERS), max(2, count // 10)))
    trolls = rng.sample(corpus.TROLLS, min(len(corpus.TROLLS), max(1, count // 15)))
    english = rng.sample(corpus.MEMBERS_EN, min(len(corpus.MEMBERS_EN), max(2, count // 10)))
    french = rng.sample(corpus.MEMBERS_FR, count - len(spammers) - len(trolls) - len(english))
    return french + english + spammers + trolls


class CommunityScript:
    """An endless iterator of records for one seed (see the module docstring)."""

    def __init__(
        self, *, seed: int, org_handle: str, personas: int = DEFAULT_PERSONAS, event_hashtag: str | None = None
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - a simulation: a seeded generator is the point
        self.org = "@" + org_handle.lstrip("@").split("@")[0]
        self.personas = pick_personas(self.rng, personas)
        self._by_handle = {persona.handle: persona for persona in self.personas}
        # Some people talk a lot, most a little: the best contributors stand out.
        self._activity = {persona.handle: self.rng.choice((1, 1, 1, 2, 2, 3, 5)) for persona in self.personas}
        self._following: set[str] = set()
        self._recent: deque[Record] = deque(maxlen=REPLY_WINDOW)
        hot = {family.id for family in self.rng.sample(corpus.QUESTION_FAMILIES, HOT_FAMILIES)}
        self._family_weights = {
            family.id: HOT_FAMILY_WEIGHT if family.id in hot else 1.0 for family in corpus.QUESTION_FAMILIES
        }
        self._wordings: dict[str, list[int]] = {}
        self._used: deque[object] = deque(maxlen=NO_REPEAT_WINDOW)
        self._index = 0
        self._xss_at = self.rng.randint(2, 5)
        self._insult_at = self.rng.randint(20, 60)
        # The live event: its own random stream, so the rest of the script is the same with or without it.
        tag = (event_hashtag or "").strip().lstrip("#")
        self.event_tag = f"#{tag}" if tag else ""
        self.speakers: list[Persona] = list(corpus.EVENT_SPEAKERS) if tag else []
        self._event_rng = random.Random(f"event-{seed}")  # noqa: S311 - a simulation

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        index = self._index
        self._index += 1
        if index == self._xss_at:
            record = self._xss(index)
        elif index == self._insult_at:
            record = self._text(index, "insult")
        elif self.event_tag and self._event_rng.random() < EVENT_SHARE:
            record = self._event_post(index)
        else:
            record = self._next_action(index)
        if record.kind == Kind.FOLLOW:
            self._following.add(record.persona)
        if record.visibility == "public" and record.kind in {Kind.MENTION, Kind.REPLY, Kind.COMMENT}:
            self._recent.append(record)
        return record

    # --- choosing ----------------------------------------------------------------------------------

    def _next_action(self, index: int) -> Record:
        weights = dict(ACTION_WEIGHTS)
        not_following = [p for p in self.personas if p.handle not in self._following]
        weights["follow"] = FOLLOW_WEIGHT * len(not_following) / len(self.personas)
        action = self._weighted(weights)
        if action == "follow":
            persona = self._persona(not_following)
            return Record(index=index, kind=Kind.FOLLOW, persona=persona.handle, label=Label.OTHER, visibility="")
        if action == "favourite":
            persona = self._persona(self._members(self._language()))
            return Record(index=index, kind=Kind.FAVOURITE, persona=persona.handle, label=Label.OTHER, visibility="")
        if action == "reply" and self._recent:
            return self._reply(index)
        if action == "comment":
            return self._comment(index)
        if action == "direct":
            return self._direct(index)
        if action == "reply":  # nothing to answer yet: ask something instead
            action = "question"
        return self._text(index, action)

    def _weighted(self, weights: dict[T, float]) -> T:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[key] for key in keys])[0]

    def _choice(self, pool: Sequence[T]) -> T:
        """A random item of `pool`, avoiding the ones used lately (a few draws, then whatever comes)."""
        item = self.rng.choice(pool)
        for _ in range(5):
            if item not in self._used:
                break
            item = self.rng.choice(pool)
        self._used.append(item)
        return item

    def _language(self) -> str:
        return "en" if self.rng.random() < ENGLISH_SHARE else "fr"

    def _members(self, language: str) -> list[Persona]:
        return [p for p in self.personas if p.role == "member" and p.language == language]

    def _persona(self, candidates: list[Persona]) -> Persona:
        return self._weighted({persona: float(self._activity[persona.handle]) for persona in candidates})

    def _author(self, label: Label, language: str) -> Persona:
        """Who says it: spam comes from spammers; insults mostly from trolls; the rest from members."""
        spammers = [p for p in self.personas if p.role == "spammer"]
        trolls = [p for p in self.personas if p.role == "troll"]
        if label == Label.SPAM:
            return self._persona(spammers)
        if label == Label.INSULT and language == "fr" and trolls and self.rng.random() < 0.7:
            return self._persona(trolls)
        if label == Label.AGGRESSIVE and language == "fr" and trolls and self.rng.random() < 0.3:
            return self._persona(trolls)
        return self._persona(self._members(language))

    # --- writing -----------------------------------------------------------------------------------

    def _fill(self, template: str) -> str:
        values: dict[str, str] = {}
        for _, field, _, _ in string.Formatter().parse(template):
            if field and field not in values:
                values[field] = self._slot(field)
        return template.format_map(values)

    def _slot(self, name: str) -> str:
        if name == "ref":
            prefix = self.rng.choice(("ATA", "CO", "FAC"))
            return f"{prefix}-{self.rng.randint(2024, 2026)}-{self.rng.randint(0, 9999):04d}"
        return self.rng.choice(corpus.SLOTS[name])

    def _question(self, language: str) -> tuple[str, str | None, int | None]:
        """A question body, with its paraphrase family and wording when it has one."""
        families = [family for family in corpus.QUESTION_FAMILIES if family.language == language]
        if self.rng.random() < FREE_QUESTION_SHARE:
            return self._fill(self._choice(corpus.QUESTIONS_FREE[language])), None, None
        family = self._weighted({family: self._family_weights[family.id] for family in families})
        variant = self._next_wording(family)
        return self._fill(family.wordings[variant]), family.id, variant

    def _next_wording(self, family: QuestionFamily) -> int:
        """Wordings of a family come round in a shuffled cycle, so a family asked often shows all of them."""
        queue = self._wordings.setdefault(family.id, [])
        if not queue:
            queue.extend(self.rng.sample(range(len(family.wordings)), len(family.wordings)))
        return queue.pop()

    def _compose(self, body: str, language: str, *, polite: bool) -> str:
        """Put the organisation's mention, and for questions a greeting and a thank-you, around a body."""
        greeting = self.rng.choice(corpus.GREETINGS[language]) if polite and self.rng.random() < 0.6 else ""
        signoff = self.rng.choice(corpus.SIGNOFFS[language]) if polite and self.rng.random() < 0.5 else ""
        shape = self.rng.random()
        if greeting and shape < 0.5:
            text = f"{self.org} {greeting}, {_lower_first(body, language)}"
        elif greeting:
            text = f"{greeting} {self.org} ! {body}" if language == "fr" else f"{greeting} {self.org}! {body}"
        elif shape < 0.7:
            text = f"{self.org} {body}"
        else:
            text = f"{body} {self.org}"
        return f"{text} {signoff}".strip()

    def _text(self, index: int, action: str) -> Record:
        """A public post mentioning the organisation."""
        label = Label(action)
        language = self._language()
        author = self._author(label, language)
        family: str | None = None
        variant: int | None = None
        if label == Label.QUESTION:
            body, family, variant = self._question(language)
            text = self._compose(body, language, polite=True)
        else:
            pool = {
                Label.PRAISE: corpus.PRAISE,
                Label.CRITICISM: corpus.CRITICISM,
                Label.AGGRESSIVE: corpus.AGGRESSIVE,
                Label.INSULT: corpus.INSULTS,
                Label.SPAM: corpus.SPAM,
                Label.OTHER: corpus.OTHER,
            }[label]
            text = self._compose(self._fill(self._choice(pool[language])), language, polite=False)
            if label == Label.SPAM:
                text = f"{text} {self.rng.choice(corpus.SPAM_TAGS)}".strip()
        return Record(
            index=index,
            kind=Kind.MENTION,
            persona=author.handle,
            label=label,
            text=text,
            language=language,
            family=family,
            variant=variant,
        )

    def _reply(self, index: int) -> Record:
        """A member answers a recent public post of someone else, in its thread."""
        candidates = list(self._recent)
        weights = {record: float(position + 1) for position, record in enumerate(candidates)}  # recent ones first
        parent = self._weighted(weights)
        language = self._language()
        members = [p for p in self._members(language) if p.handle != parent.persona] or self._members("fr")
        author = self._persona(members)
        lines: tuple[Line, ...] = corpus.REPLIES[language][parent.label]
        body, label = self._choice(lines)
        # Mastodon clients keep the people of the thread in a reply; most keep the organisation too.
        mentions = f"@{parent.persona} {self.org}" if self.rng.random() < 0.85 else f"@{parent.persona}"
        return Record(
            index=index,
            kind=Kind.REPLY,
            persona=author.handle,
            label=label,
            text=f"{mentions} {body}",
            language=language,
            reply_to=parent.index,
        )

    def _comment(self, index: int) -> Record:
        language = self._language()
        author = self._persona(self._members(language))
        body, label = self._choice(corpus.COMMENTS[language])
        return Record(
            index=index,
            kind=Kind.COMMENT,
            persona=author.handle,
            label=label,
            text=f"{self.org} {body}",
            language=language,
        )

    def _direct(self, index: int) -> Record:
        language = self._language()
        label = self._weighted(DIRECT_LABEL_WEIGHTS)
        author = self._author(label, language)
        body = self._fill(self._choice(corpus.DIRECT_MESSAGES[language][label]))
        polite = label in {Label.QUESTION, Label.CRITICISM, Label.PRAISE}
        return Record(
            index=index,
            kind=Kind.DIRECT,
            persona=author.handle,
            label=label,
            text=self._compose(body, language, polite=polite),
            language=language,
            visibility="direct",
        )

    def _event_post(self, index: int) -> Record:
        """A public post with the event's hashtag, by someone in the audience or, sometimes, a speaker."""
        rng = self._event_rng
        values = {
            "speaker": "@" + rng.choice(self.speakers).handle,
            "org": self.org,
            "emoji": rng.choice(corpus.SLOTS["emoji"]),
        }
        if rng.random() < EVENT_SPEAKER_SHARE:
            speaker = rng.choice(self.speakers)
            text = rng.choice(corpus.EVENT_SPEAKER_LINES).format_map(values)
            return Record(
                index=index,
                kind=Kind.EVENT_POST,
                persona=speaker.handle,
                label=Label.OTHER,
                text=f"{text} {self.event_tag}",
            )
        language = "en" if rng.random() < ENGLISH_SHARE else "fr"
        labels = list(EVENT_LABEL_WEIGHTS)
        label = rng.choices(labels, weights=[EVENT_LABEL_WEIGHTS[item] for item in labels])[0]
        author = rng.choice(self._members(language))
        text = rng.choice(corpus.EVENT_LINES[language][label]).format_map(values)
        return Record(
            index=index,
            kind=Kind.EVENT_POST,
            persona=author.handle,
            label=label,
            text=f"{text} {self.event_tag}",
            language=language,
        )

    def _xss(self, index: int) -> Record:
        trolls = [p for p in self.personas if p.role == "troll"]
        author = self._persona(trolls or self._members("fr"))
        return Record(
            index=index,
            kind=Kind.MENTION,
            persona=author.handle,
            label=Label.AGGRESSIVE,
            text=f"{self.org} {corpus.XSS_TEXT}",
        )


def _lower_first(text: str, language: str) -> str:
    """Lower the first letter after "Bonjour, ..." unless it starts an acronym, a name or the English "I"."""
    keep = ("Salon", "Bitcoin", "I ", "I'")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and not text.startswith(keep):
        return text[0].lower() + text[1:]
    return text
