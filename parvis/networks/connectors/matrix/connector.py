"""Matrix: a user's rooms in, messages out, through the client-server API (plain HTTP + JSON).

An account is a Matrix user on a homeserver: its address (`instance_url`) and an access token
(pasted, or obtained by logging in with the user's password in the onboarding form; the
password is not kept). Credentials: `access_token`, `user_id`, `device_id`, and the account's
settings: `default_room` (where PUBLISH posts: a room id or alias) and `auto_join` (accept
room invitations when polling).

Reading (`fetch`): `/sync` with `timeout=0`; its `next_batch` token is the cursor.
- First poll (no cursor): a bounded backfill of the newest BACKFILL_PER_ROOM events of each
  joined room.
- Later polls: everything since the token. When a room's timeline is `limited` (more events
  than a sync returns), the gap is read back with `/rooms/{id}/messages` down to the previous
  token (at most MAX_GAP_PAGES pages), so nothing is skipped.
- `m.room.message` events from other people become:
  DIRECT_MESSAGE in a direct room (listed in the user's `m.direct` account data, or a room of
  exactly two joined members); REPLY when they answer (`m.relates_to.m.in_reply_to`) one of the
  account's own messages; MENTION when they name the account (`m.mentions.user_ids`, its user id
  or its display name in the body). Other room chatter is not ingested.
- `m.room.member` joins of other people in group rooms become FOLLOW (a new member).
- Text is the `body` only (plain text, the reply fallback `> <@user> ...` removed); the HTML
  `formatted_body` is never read. Encrypted rooms cannot be read (events stay `m.room.encrypted`).
- Invitations are accepted when `auto_join` is set; an invitation flagged `is_direct` adds the
  room to `m.direct`, as Matrix clients do.
- External ids are `<room id>/<event id>` (the API needs both); the thread key is the room id,
  or `<room id>/<thread root>` for messages in a thread (`m.thread`).

Writing (`execute`), each event sent with `PUT /rooms/{id}/send/m.room.message/{txnId}` where
the transaction id is the action's idempotency key: the homeserver answers a second PUT with
the same id and token with the first event (`idempotent_publish`):
- REPLY: `m.in_reply_to` plus a plain-text fallback quote, inside the thread when the answered
  message is in one; the author is listed in `m.mentions`.
- PUBLISH: in the account's `default_room`.
- SEND_DIRECT: to a user id (`target_handle` or `target_id`): the existing direct room with that
  person when the account is in one, otherwise a new private room (`is_direct`, invitation),
  recorded in `m.direct`.
- DELETE: a redaction, `PUT /rooms/{id}/redact/{event}/{txnId}`. A redaction removes the content
  for everyone and cannot be undone, so Matrix has no HIDE here. Redacting other people's
  messages (`delete_others`) needs the room's `redact` power level (a moderator, 50 by
  default): Parvis checks it first and refuses with a clear message when the account lacks it.

Limits: 65,536 bytes an event (Parvis counts characters and refuses more than MAX_CHARACTERS),
no media yet, no end-to-end encryption.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from parvis.networks.connectors.matrix.client import MatrixClient, MatrixError, q
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError
from parvis.networks.protocol import (
    AccountRef,
    ActionKind,
    ActionRequest,
    ActionResult,
    Author,
    Capabilities,
    EventKind,
    FetchResult,
    NetworkEvent,
    Profile,
)

logger = logging.getLogger(__name__)

NETWORK = "matrix"
# The event limit is 65,536 bytes of JSON: a text well under it, counted in characters.
MAX_CHARACTERS = 30_000
# First poll: the newest events of each joined room.
BACKFILL_PER_ROOM = 20
# Later polls: events a sync returns per room before it says `limited`.
TIMELINE_LIMIT = 100
# Gap filling: pages of /messages read back per room and poll.
MAX_GAP_PAGES = 10
GAP_PAGE_SIZE = 100
DEFAULT_REDACT_LEVEL = 50

MESSAGE = "m.room.message"
MEMBER = "m.room.member"
TEXT_TYPES = frozenset({"m.text", "m.notice", "m.emote"})
FILE_TYPES = frozenset({"m.image", "m.file", "m.audio", "m.video"})

# State that tells a private conversation from a group room: a room with a name, an alias or
# open to anyone is never taken for a direct room because it has two members.
ROOM_TRAITS = ("m.room.join_rules", "m.room.name", "m.room.canonical_alias")

_FALLBACK_RE = re.compile(r"\A(?:>[^\n]*\n)+\n?")


def sync_filter(timeline_limit: int) -> dict[str, Any]:
    """What Parvis asks /sync for: messages and memberships, member names loaded lazily, no presence."""
    return {
        "presence": {"not_types": ["*"]},
        "account_data": {"types": ["m.direct"]},
        "room": {
            "timeline": {"limit": timeline_limit, "types": [MESSAGE, MEMBER, *ROOM_TRAITS]},
            "state": {"lazy_load_members": True, "types": [MEMBER, *ROOM_TRAITS]},
            "ephemeral": {"not_types": ["*"]},
            "account_data": {"not_types": ["*"]},
        },
    }


def external_id(room_id: str, event_id: str) -> str:
    return f"{room_id}/{event_id}"


def split_id(value: str, what: str = "message") -> tuple[str, str]:
    """`(room id, event id)` from an external id written by `external_id`."""
    room_id, _, event_id = value.rpartition("/")
    if not room_id.startswith("!") or not event_id.startswith("$"):
        raise PermanentError(f"“{value}” is not a Matrix {what} known to Parvis.")
    return room_id, event_id


def permalink(room_id: str, event_id: str = "") -> str:
    return f"https://matrix.to/#/{q(room_id)}" + (f"/{q(event_id)}" if event_id else "")


def strip_reply_fallback(body: str) -> str:
    """The body without the quoted `> <@user> ...` lines a reply starts with (older clients add them)."""
    return _FALLBACK_RE.sub("", body, count=1) if body.startswith(">") else body


def _client(account: AccountRef) -> MatrixClient:
    token = str(account.credentials.get("access_token", ""))
    if not token:
        raise AuthExpired("This Matrix account has no access token: connect it again.")
    return MatrixClient(account.instance_url, token)


def _when(event: dict[str, Any]) -> datetime:
    stamp = event.get("origin_server_ts")
    if isinstance(stamp, int | float):
        return datetime.fromtimestamp(stamp / 1000, tz=UTC)
    return datetime.now(tz=UTC)


class MatrixConnector:
    network: ClassVar[str] = NETWORK
    display_name: ClassVar[str] = "Matrix"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=MAX_CHARACTERS,
        link_length=None,
        max_media=0,
        threads=True,
        actions=frozenset({ActionKind.PUBLISH, ActionKind.REPLY, ActionKind.DELETE, ActionKind.SEND_DIRECT}),
        event_kinds=frozenset({EventKind.MENTION, EventKind.REPLY, EventKind.DIRECT_MESSAGE, EventKind.FOLLOW}),
        direct_messages=True,
        poll_interval_seconds=30,
        oauth=False,
        token_paste=True,
        reply_mentions_author=False,  # m.in_reply_to and m.mentions notify the author
        counting="characters",
        hashtags=False,
        mention_prefix="",  # people are named by their user id, @name:server
        idempotent_publish=True,  # the transaction id is the idempotency key
        read_back=True,
        search=False,
        # Redacting someone else's message: only with the room's redact power level (checked per call).
        delete_others=True,
    )

    # --- the contract -------------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        with _client(account) as client:
            user_id = str(client.get("/account/whoami").get("user_id", ""))
            if not user_id:
                raise PermanentError("The Matrix homeserver did not say whose token this is.")
            name = _display_name(client, user_id)
        return Profile(external_id=user_id, handle=user_id, display_name=name or user_id, url=permalink(user_id))

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        with _client(account) as client:
            reader = _Reader(client, account, cursor)
            events = reader.read()
        return FetchResult(events=events, cursor=reader.next_cursor)

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        with _client(account) as client:
            if request.kind == ActionKind.REPLY:
                return self._reply(client, request)
            if request.kind == ActionKind.PUBLISH:
                return self._publish(client, account, request)
            if request.kind == ActionKind.SEND_DIRECT:
                return self._send_direct(client, account, request)
            if request.kind == ActionKind.DELETE:
                return self._redact(client, account, request)
        raise PermanentError(f"Matrix cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        return len(text)

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """By `external_id`, or the event sent with the action's transaction id in the room it targets.

        The homeserver tells the sender's own device which transaction id each of its events had
        (`unsigned.transaction_id`), so no text comparison is needed.
        """
        with _client(account) as client:
            if external_id:
                room_id, event_id = split_id(external_id)
                try:
                    event = client.get(f"/rooms/{q(room_id)}/event/{q(event_id)}")
                except MatrixError as error:
                    if error.status == 404:
                        return None
                    raise
                if "redacted_because" in event.get("unsigned", {}) or not event.get("content"):
                    return None
                return ActionResult(external_id=external_id, url=permalink(room_id, event_id))
            room_id = self._room_of(client, account, request)
            if not room_id:
                return None
            answer = client.get(f"/rooms/{q(room_id)}/messages", {"dir": "b", "limit": GAP_PAGE_SIZE})
            for event in answer.get("chunk", []):
                if event.get("unsigned", {}).get("transaction_id") == request.idempotency_key:
                    event_id = str(event.get("event_id", ""))
                    return ActionResult(external_id=external_id_of(room_id, event_id), url=permalink(room_id, event_id))
        return None

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        raise PermanentError("Parvis does not search Matrix rooms.")

    # --- writing ------------------------------------------------------------------------------------

    def _reply(self, client: MatrixClient, request: ActionRequest) -> ActionResult:
        if not request.in_reply_to_id:
            raise PermanentError("This reply does not say which message it answers.")
        room_id, event_id = split_id(request.in_reply_to_id)
        _check_text(request.text)
        answered = client.get(f"/rooms/{q(room_id)}/event/{q(event_id)}")
        sender = str(answered.get("sender", ""))
        quoted = strip_reply_fallback(str(answered.get("content", {}).get("body", ""))).splitlines() or [""]
        fallback = f"> <{sender}> {quoted[0]}\n" + "".join(f"> {line}\n" for line in quoted[1:4]) + "\n"
        relation: dict[str, Any] = {"m.in_reply_to": {"event_id": event_id}}
        answered_relation = answered.get("content", {}).get("m.relates_to", {})
        if isinstance(answered_relation, dict) and answered_relation.get("rel_type") == "m.thread":
            relation.update(
                {
                    "rel_type": "m.thread",
                    "event_id": str(answered_relation.get("event_id", "")),
                    "is_falling_back": False,
                }
            )
        content: dict[str, Any] = {
            "msgtype": "m.text",
            "body": fallback + request.text,
            "m.relates_to": relation,
            "m.mentions": {"user_ids": [sender]} if sender else {},
        }
        return _send(client, room_id, request.idempotency_key, content)

    def _publish(self, client: MatrixClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        room_id = self._room_of(client, account, request)
        if not room_id:
            raise PermanentError("This Matrix account has no default room to publish in: set one in its settings.")
        _check_text(request.text)
        return _send(client, room_id, request.idempotency_key, {"msgtype": "m.text", "body": request.text})

    def _send_direct(self, client: MatrixClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        user_id = (request.target_handle or request.target_id).strip()
        if not re.fullmatch(r"@[^:\s]+:\S+", user_id):
            raise PermanentError(f"“{user_id}” is not a Matrix user id (@name:server).")
        _check_text(request.text)
        room_id = _direct_room(client, account, user_id) or _create_direct_room(client, account, user_id)
        return _send(client, room_id, request.idempotency_key, {"msgtype": "m.text", "body": request.text})

    def _redact(self, client: MatrixClient, account: AccountRef, request: ActionRequest) -> ActionResult:
        if not request.target_id:
            raise PermanentError("This deletion does not say which message to delete.")
        room_id, event_id = split_id(request.target_id)
        target = client.get(f"/rooms/{q(room_id)}/event/{q(event_id)}")
        if target.get("sender") != _user_id(client, account):
            _require_redact_power(client, account, room_id)
        body: dict[str, Any] = {"reason": request.text} if request.text else {}
        answer = client.put(f"/rooms/{q(room_id)}/redact/{q(event_id)}/{q(request.idempotency_key)}", body)
        return ActionResult(
            external_id=request.target_id,
            url=permalink(room_id, event_id),
            data={"redaction_id": str(answer.get("event_id", ""))},
        )

    def _room_of(self, client: MatrixClient, account: AccountRef, request: ActionRequest) -> str:
        """The room an action writes to (for PUBLISH: the account's default room, an alias resolved)."""
        if request.kind == ActionKind.REPLY and request.in_reply_to_id:
            return split_id(request.in_reply_to_id)[0]
        if request.kind == ActionKind.SEND_DIRECT:
            user_id = (request.target_handle or request.target_id).strip()
            return _direct_room(client, account, user_id) if user_id else ""
        if request.kind == ActionKind.PUBLISH:
            return _resolve_room(client, str(account.credentials.get("default_room", "")).strip())
        return ""


def external_id_of(room_id: str, event_id: str) -> str:
    return external_id(room_id, event_id)


def _check_text(text: str) -> None:
    if not text.strip():
        raise PermanentError("There is nothing to send: the text is empty.")
    if len(text) > MAX_CHARACTERS:
        raise PermanentError(f"Matrix messages sent by Parvis are limited to {MAX_CHARACTERS} characters.")


def _send(client: MatrixClient, room_id: str, txn_id: str, content: dict[str, Any]) -> ActionResult:
    answer = client.put(f"/rooms/{q(room_id)}/send/{MESSAGE}/{q(txn_id)}", content)
    event_id = str(answer.get("event_id", ""))
    if not event_id:
        raise PermanentError("The Matrix homeserver did not say which event it created.")
    return ActionResult(external_id=external_id(room_id, event_id), url=permalink(room_id, event_id))


def _user_id(client: MatrixClient, account: AccountRef) -> str:
    return (
        account.external_id
        or str(account.credentials.get("user_id", ""))
        or str(client.get("/account/whoami").get("user_id", ""))
    )


def _display_name(client: MatrixClient, user_id: str) -> str:
    try:
        return str(client.get(f"/profile/{q(user_id)}").get("displayname") or "")
    except MatrixError:
        return ""  # a profile may be private or missing


def _resolve_room(client: MatrixClient, room: str) -> str:
    if room.startswith("#"):
        return str(client.get(f"/directory/room/{q(room)}").get("room_id", ""))
    return room


def _direct_map(client: MatrixClient, user_id: str) -> dict[str, list[str]]:
    try:
        data = client.get(f"/user/{q(user_id)}/account_data/m.direct")
    except MatrixError as error:
        if error.status == 404:
            return {}
        raise
    return {str(key): [str(room) for room in value] for key, value in data.items() if isinstance(value, list)}


def _direct_room(client: MatrixClient, account: AccountRef, user_id: str) -> str:
    """A room listed as direct with `user_id` that the account is still in, or ""."""
    candidates = _direct_map(client, _user_id(client, account)).get(user_id, [])
    if not candidates:
        return ""
    joined = set(client.get("/joined_rooms").get("joined_rooms", []))
    return next((room for room in candidates if room in joined), "")


def _create_direct_room(client: MatrixClient, account: AccountRef, user_id: str) -> str:
    room_id = str(
        client.post("/createRoom", {"is_direct": True, "invite": [user_id], "preset": "trusted_private_chat"}).get(
            "room_id", ""
        )
    )
    if not room_id:
        raise PermanentError("The Matrix homeserver did not create the direct room.")
    own = _user_id(client, account)
    direct = _direct_map(client, own)
    direct.setdefault(user_id, [])
    if room_id not in direct[user_id]:
        direct[user_id].append(room_id)
    client.put(f"/user/{q(own)}/account_data/m.direct", direct)
    return room_id


def _require_redact_power(client: MatrixClient, account: AccountRef, room_id: str) -> None:
    try:
        levels = client.get(f"/rooms/{q(room_id)}/state/m.room.power_levels/")
    except MatrixError:
        levels = {}
    own = _user_id(client, account)
    users = levels.get("users", {}) if isinstance(levels.get("users"), dict) else {}
    mine = int(users.get(own, levels.get("users_default", 0)) or 0)
    needed = int(levels.get("redact", DEFAULT_REDACT_LEVEL) or 0)
    if mine < needed:
        raise PermanentError(
            f"This Matrix account cannot delete other people's messages in this room: it needs power level "
            f"{needed} (moderator) and has {mine}."
        )


# --- reading ------------------------------------------------------------------------------------------


class _Reader:
    """One poll: a sync since the cursor, gaps read back, events mapped."""

    def __init__(self, client: MatrixClient, account: AccountRef, cursor: dict[str, Any]) -> None:
        self.client = client
        self.account = account
        self.since = str(cursor.get("since") or "")
        # Per room: joined members (from the sync summary) and "group" when the room is public,
        # named or has an alias. Kept in the cursor: a sync repeats them only when they change.
        self.rooms: dict[str, dict[str, Any]] = {
            str(key): dict(value) for key, value in dict(cursor.get("rooms") or {}).items() if isinstance(value, dict)
        }
        self.next_cursor: dict[str, Any] = dict(cursor)
        self.user_id = ""
        self.own_name = ""
        self.names: dict[tuple[str, str], str] = {}
        self.own_events: set[str] = set()
        self._checked: dict[str, bool] = {}

    def read(self) -> list[NetworkEvent]:
        self.user_id = _user_id(self.client, self.account)
        self.own_name = _display_name(self.client, self.user_id)
        limit = TIMELINE_LIMIT if self.since else BACKFILL_PER_ROOM
        params: dict[str, Any] = {"timeout": 0, "filter": _json(sync_filter(limit))}
        if self.since:
            params["since"] = self.since
        answer = self.client.get("/sync", params)
        next_batch = str(answer.get("next_batch", ""))
        if not next_batch:
            raise PermanentError("The Matrix homeserver answered /sync without a next_batch token.")
        direct_rooms = self._direct_rooms(answer)
        rooms = answer.get("rooms", {}) if isinstance(answer.get("rooms"), dict) else {}
        joined: dict[str, Any] = rooms.get("join", {}) or {}
        # (room, event, history): history is what happened before the account was there (the first
        # poll's backfill, or a room it has just joined): its messages count, its joins are no news.
        timelines: list[tuple[str, dict[str, Any], bool]] = []
        for room_id, room in joined.items():
            summary = room.get("summary", {}) or {}
            if isinstance(summary.get("m.joined_member_count"), int):
                self.rooms.setdefault(room_id, {})["members"] = int(summary["m.joined_member_count"])
            for event in room.get("state", {}).get("events", []) or []:
                self._learn(room_id, event)
            timeline = room.get("timeline", {}) or {}
            events = list(timeline.get("events", []) or [])
            own_join = self._own_join(events)
            if timeline.get("limited") and self.since and timeline.get("prev_batch") and own_join is None:
                events = self._gap(room_id, str(timeline["prev_batch"])) + events
                own_join = self._own_join(events)
            for index, event in enumerate(events):
                self._learn(room_id, event)
                history = not self.since or (own_join is not None and index <= own_join)
                timelines.append((room_id, event, history))
        for left_room in rooms.get("leave", {}) or {}:
            self.rooms.pop(left_room, None)
        if self.account.credentials.get("auto_join"):
            self._accept_invites(rooms.get("invite", {}) or {})
        mapped: dict[str, NetworkEvent] = {}
        for room_id, event, history in timelines:
            info = self.rooms.get(room_id, {})
            direct = room_id in direct_rooms or (info.get("members") == 2 and not info.get("group"))
            network_event = self._map(room_id, event, direct, history=history)
            if network_event is not None:
                mapped.setdefault(network_event.external_id, network_event)
        self.next_cursor = {"since": next_batch, "rooms": self.rooms}
        return sorted(mapped.values(), key=lambda event: (event.occurred_at, event.external_id))

    def _own_join(self, events: list[dict[str, Any]]) -> int | None:
        """Where the account joined in these events (the last time), or None."""
        found = None
        for index, event in enumerate(events):
            if (
                event.get("type") == MEMBER
                and event.get("state_key") == self.user_id
                and (event.get("content") or {}).get("membership") == "join"
                and ((event.get("unsigned") or {}).get("prev_content") or {}).get("membership") != "join"
            ):
                found = index
        return found

    def _gap(self, room_id: str, prev_batch: str) -> list[dict[str, Any]]:
        """The events a limited timeline left out, oldest first: /messages backwards to the last token."""
        found: list[dict[str, Any]] = []
        token = prev_batch
        for _page in range(MAX_GAP_PAGES):
            page = self.client.get(
                f"/rooms/{q(room_id)}/messages",
                {
                    "dir": "b",
                    "from": token,
                    "to": self.since,
                    "limit": GAP_PAGE_SIZE,
                    "filter": _json({"types": [MESSAGE, MEMBER, *ROOM_TRAITS], "lazy_load_members": True}),
                },
            )
            chunk = list(page.get("chunk", []) or [])
            for event in page.get("state", []) or []:
                self._learn(room_id, event)
            found.extend(chunk)
            end = page.get("end")
            if not chunk or not end:
                return list(reversed(found))
            token = str(end)
        logger.warning(
            "Matrix: more than %s pages missed in room %s; the oldest ones are skipped", MAX_GAP_PAGES, room_id
        )
        return list(reversed(found))

    def _direct_rooms(self, answer: dict[str, Any]) -> set[str]:
        for event in (answer.get("account_data", {}) or {}).get("events", []) or []:
            if event.get("type") == "m.direct" and isinstance(event.get("content"), dict):
                direct = event["content"]
                break
        else:
            direct = _direct_map(self.client, self.user_id)
        return {str(room) for rooms in direct.values() if isinstance(rooms, list) for room in rooms}

    def _learn(self, room_id: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind in ROOM_TRAITS and isinstance(event.get("content"), dict):
            content = event["content"]
            group = (
                (kind == "m.room.join_rules" and content.get("join_rule") == "public")
                or (kind == "m.room.name" and bool(content.get("name")))
                or (kind == "m.room.canonical_alias" and bool(content.get("alias")))
            )
            if group:
                self.rooms.setdefault(room_id, {})["group"] = True
        if event.get("type") == MEMBER and isinstance(event.get("content"), dict):
            name = event["content"].get("displayname")
            if isinstance(name, str) and name:
                self.names[(room_id, str(event.get("state_key", "")))] = name
        if event.get("sender") == self.user_id and event.get("event_id"):
            self.own_events.add(str(event["event_id"]))

    def _accept_invites(self, invites: dict[str, Any]) -> None:
        direct_added: dict[str, str] = {}
        for room_id, room in invites.items():
            inviter = ""
            is_direct = False
            for event in (room.get("invite_state", {}) or {}).get("events", []) or []:
                if event.get("type") == MEMBER and event.get("state_key") == self.user_id:
                    is_direct = bool(event.get("content", {}).get("is_direct"))
                    inviter = str(event.get("sender", ""))
            try:
                self.client.post(f"/join/{q(room_id)}", {})
            except ConnectorError as error:
                if not isinstance(error, MatrixError):
                    raise
                logger.warning("Matrix: invitation to %s could not be accepted: %s", room_id, error.message)
                continue
            if is_direct and inviter:
                direct_added[room_id] = inviter
        if direct_added:
            direct = _direct_map(self.client, self.user_id)
            for room_id, inviter in direct_added.items():
                rooms = direct.setdefault(inviter, [])
                if room_id not in rooms:
                    rooms.append(room_id)
            self.client.put(f"/user/{q(self.user_id)}/account_data/m.direct", direct)

    def _is_own(self, room_id: str, event_id: str) -> bool:
        if event_id in self.own_events:
            return True
        if event_id not in self._checked:
            try:
                event = self.client.get(f"/rooms/{q(room_id)}/event/{q(event_id)}")
            except MatrixError:
                event = {}
            self._checked[event_id] = event.get("sender") == self.user_id
        return self._checked[event_id]

    def _author(self, room_id: str, user_id: str) -> Author:
        return Author(
            external_id=user_id,
            handle=user_id,
            display_name=self.names.get((room_id, user_id), ""),
            url=permalink(user_id),
        )

    def _map(self, room_id: str, event: dict[str, Any], direct: bool, *, history: bool) -> NetworkEvent | None:
        sender = str(event.get("sender", ""))
        event_id = str(event.get("event_id", ""))
        content = event.get("content")
        if not sender or not event_id or sender == self.user_id or not isinstance(content, dict):
            return None
        if event.get("type") == MEMBER:
            return None if history else self._member_event(room_id, event, direct)
        if event.get("type") != MESSAGE or not content:  # an empty content is a redacted message
            return None
        raw_relation = content.get("m.relates_to")
        relation: dict[str, Any] = raw_relation if isinstance(raw_relation, dict) else {}
        if relation.get("rel_type") == "m.replace":
            return None  # an edit: the original message is what Parvis keeps
        text = _text_of(content)
        if not text:
            return None
        thread_root = str(relation.get("event_id", "")) if relation.get("rel_type") == "m.thread" else ""
        raw_replied = relation.get("m.in_reply_to")
        replied: dict[str, Any] = raw_replied if isinstance(raw_replied, dict) else {}
        replied_id = str(replied.get("event_id", ""))
        if relation.get("is_falling_back") and thread_root:
            replied_id = ""  # the thread's fallback reply points to the latest message, not an answer
        if direct:
            kind = EventKind.DIRECT_MESSAGE
        elif replied_id and self._is_own(room_id, replied_id):
            kind = EventKind.REPLY
        elif (thread_root and self._is_own(room_id, thread_root)) or self._mentions_us(room_id, content, text):
            kind = EventKind.REPLY if thread_root and self._is_own(room_id, thread_root) else EventKind.MENTION
        else:
            return None
        in_reply_to = replied_id or thread_root
        return NetworkEvent(
            kind=kind,
            external_id=external_id(room_id, event_id),
            occurred_at=_when(event),
            author=self._author(room_id, sender),
            text=text,
            url=permalink(room_id, event_id),
            in_reply_to_id=external_id(room_id, in_reply_to) if in_reply_to else "",
            thread_key=external_id(room_id, thread_root) if thread_root else room_id,
            visibility="direct" if direct else "public",
            raw={"room_id": room_id, "event_id": event_id, "msgtype": content.get("msgtype", "")},
        )

    def _member_event(self, room_id: str, event: dict[str, Any], direct: bool) -> NetworkEvent | None:
        content = event.get("content", {})
        previous = (event.get("unsigned", {}) or {}).get("prev_content", {}) or {}
        state_key = str(event.get("state_key", ""))
        if direct or content.get("membership") != "join" or previous.get("membership") == "join":
            return None  # a direct room's other person, a leave, or a new display name
        if state_key != event.get("sender") or state_key == self.user_id:
            return None
        return NetworkEvent(
            kind=EventKind.FOLLOW,
            external_id=external_id(room_id, str(event["event_id"])),
            occurred_at=_when(event),
            author=self._author(room_id, state_key),
            url=permalink(room_id),
            thread_key=room_id,
            raw={"room_id": room_id, "event_id": str(event["event_id"])},
        )

    def _mentions_us(self, room_id: str, content: dict[str, Any], text: str) -> bool:
        mentions = content.get("m.mentions")
        if isinstance(mentions, dict) and self.user_id in (mentions.get("user_ids") or []):
            return True
        lowered = text.lower()
        if self.user_id.lower() in lowered:
            return True
        name = self.names.get((room_id, self.user_id), "") or self.own_name
        return len(name) >= 3 and re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered) is not None


def _text_of(content: dict[str, Any]) -> str:
    """The plain-text body (never formatted_body), reply fallback removed; a file is named by its body."""
    body = content.get("body")
    if not isinstance(body, str):
        return ""
    msgtype = content.get("msgtype")
    if msgtype in FILE_TYPES:
        return f"[{msgtype.removeprefix('m.')}] {body}".strip()
    if msgtype not in TEXT_TYPES:
        return ""
    relation = content.get("m.relates_to")
    if isinstance(relation, dict) and "m.in_reply_to" in relation:
        body = strip_reply_fallback(body)
    return body.strip()


def _json(value: dict[str, Any]) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))
