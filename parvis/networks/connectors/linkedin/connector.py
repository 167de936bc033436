"""LinkedIn organisation pages: posts out through the Posts API, first comments, read-back.

One connected account is one organisation page (`urn:li:organization:<id>`), chosen at
connection time among the pages the signing-in member administers. Every request is
made with that member's token (3-legged OAuth 2.0; refreshed when LinkedIn granted a
refresh token) and the `Linkedin-Version` / `X-Restli-Protocol-Version` headers.

Writing (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api):
    PUBLISH   POST /rest/posts {"author", "commentary", "visibility": "PUBLIC",
              "distribution": {"feedDistribution": "MAIN_FEED", ...}, "lifecycleState": "PUBLISHED"}
              → 201, the post URN in the x-restli-id header
    images    POST /rest/images?action=initializeUpload {"initializeUploadRequest": {"owner"}},
              PUT the bytes to the uploadUrl, then "content": {"media": {"id", "altText"}}
              (2 to 20 pictures: "content": {"multiImage": {"images": [...]}})
    REPLY     the first comment: POST /rest/socialActions/{post URN}/comments
              {"actor": page, "object": post URN, "message": {"text"}}
    QUOTE     POST /rest/posts with "reshareContext": {"parent": post URN} and a commentary
    REPOST    the same without commentary
    FAVOURITE POST /rest/reactions?actor={page} {"root": post URN, "reactionType": "LIKE"}
    DELETE    DELETE /rest/posts/{URN} (a comment: DELETE /rest/socialActions/{post}/comments/{id});
              already gone counts as done

Text: the commentary is in LinkedIn's "little" format, where \\ | { } @ [ ] ( ) < > # * _ ~
are reserved and must be escaped with a backslash, or LinkedIn cuts the post at the first
one (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format).
`escape_little` escapes them, leaving links and #hashtags as they are so they stay links
and hashtags. The 3,000-character limit is checked on the escaped text (`count_characters`).

Read-back: GET /rest/posts/{URN}; without an id, the page's latest posts
(GET /rest/posts?q=author&author={page}) searched for the same text since the attempt —
LinkedIn takes no idempotency key, so this is how a retry avoids a duplicate.

Reading (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api):
comments on the page's latest posts. GET /rest/posts?q=author&author={page}&sortBy=LAST_MODIFIED
(FETCH_POSTS posts), then for each GET /rest/socialActions/{post URN}/comments, paged with
start/count while `paging.total` says there are more (at most MAX_COMMENT_PAGES pages), and the
comments on a comment (GET /rest/socialActions/{comment URN}/comments) when its
`commentsSummary` counts any. Every comment by someone else newer than the cursor
(`created.time`, epoch milliseconds) is a REPLY event in the post's conversation, answering
its parent comment or the post. The cursor moves only once every page is read; a first poll
reads back FIRST_POLL_WINDOW. Authors are URNs (`urn:li:person:...`): the Comments API gives
no names, and the people lookup needs a permission LinkedIn grants to few applications.
Limits: comments on posts older than the FETCH_POSTS latest are not polled; LinkedIn offers
organisation pages no webhook for comments outside its partner programme.

Answering a comment (a nested comment): POST /rest/socialActions/{comment URN}/comments with
{"actor": page, "object": the post, "parentComment": comment URN, "message": {"text"}}.
Deleting someone else's comment is attempted as DELETE /rest/socialActions/{post}/comments/{id}
?actor={page}, but the reference documents deletion by the comment's actor only, so Parvis does
not declare `delete_others` for LinkedIn; LinkedIn's refusal becomes a PermanentError. LinkedIn
has no hide, block or mute for organisation pages in its API.

Not done yet: link cards.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from parvis.networks.connectors.linkedin.client import LinkedInApi, urn_path
from parvis.networks.errors import PermanentError, TransientError
from parvis.networks.protocol import (
    AccountRef,
    ActionKind,
    ActionRequest,
    ActionResult,
    Author,
    Capabilities,
    EventKind,
    FetchResult,
    MediaFile,
    NetworkEvent,
    Profile,
)

ORGANIZATION_PREFIX = "urn:li:organization:"
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024
ALT_TEXT_MAX = 4086
MAX_IMAGES = 20
LOCATE_COUNT = 20
# Reading: the page's latest posts whose comments are read each poll, and how far they are paged.
FETCH_POSTS = 20
COMMENTS_PER_PAGE = 50
MAX_COMMENT_PAGES = 4
FIRST_POLL_WINDOW = timedelta(days=2)
OVERLAP = timedelta(minutes=2)
CURSOR_COMMENTS = "comments_since"
CURSOR_SEEN = "seen"
MAX_SEEN = 500
WEB = "https://www.linkedin.com"

_URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_PLAIN_RE = re.compile(r"(#\w+)|([\\|{}@\[\]()<>#*_~])")
_ESCAPED_RE = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")
_HASHTAG_TEMPLATE_RE = re.compile(r"\{hashtag\|\\?#\|([^}]*)\}")
_MENTION_RE = re.compile(r"@\[([^\]]*)\]\([^)]*\)")
_SPACES_RE = re.compile(r"\s+")
_COMMENT_URN_RE = re.compile(r"^urn:li:comment:\((urn:li:[a-zA-Z]+:\d+),(\d+)\)$")


def escape_little(text: str) -> str:
    """`text` as plain text in LinkedIn's little format: reserved characters escaped, links and #hashtags kept."""
    parts: list[str] = []
    position = 0
    for match in _URL_RE.finditer(text):
        parts.append(_escape_plain(text[position : match.start()]))
        parts.append(match.group())
        position = match.end()
    parts.append(_escape_plain(text[position:]))
    return "".join(parts)


def _escape_plain(text: str) -> str:
    return _PLAIN_RE.sub(lambda m: m.group(1) or "\\" + m.group(2), text)


def unescape_little(text: str) -> str:
    """What a reader sees of little-format text: hashtag templates and mentions as plain words, escapes removed."""
    text = _HASHTAG_TEMPLATE_RE.sub(lambda m: "#" + m.group(1), text)
    text = _MENTION_RE.sub(lambda m: m.group(1), text)
    return _ESCAPED_RE.sub(lambda m: m.group(1), text)


def organization_urn(account: AccountRef) -> str:
    urn = str(account.credentials.get("organization_urn") or "")
    if not urn and account.external_id:
        urn = ORGANIZATION_PREFIX + account.external_id
    if not urn.startswith(ORGANIZATION_PREFIX):
        raise PermanentError("This LinkedIn connection does not say which page it is for: reconnect it.")
    return urn


def post_url(urn: str) -> str:
    return f"{WEB}/feed/update/{urn}/"


class LinkedInConnector:
    network: ClassVar[str] = "linkedin"
    display_name: ClassVar[str] = "LinkedIn"
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_characters=3000,
        link_length=None,
        counting="characters",
        max_media=MAX_IMAGES,
        media_types=IMAGE_TYPES,
        max_media_bytes=MAX_IMAGE_BYTES,
        alt_text_max=ALT_TEXT_MAX,
        threads=False,
        first_comment=True,
        actions=frozenset(
            {
                ActionKind.PUBLISH,
                ActionKind.REPLY,
                ActionKind.QUOTE,
                ActionKind.REPOST,
                ActionKind.FAVOURITE,
                ActionKind.DELETE,
            }
        ),
        event_kinds=frozenset({EventKind.REPLY}),
        poll_interval_seconds=900,
        oauth=True,
        hashtags=True,
        mention_prefix="@",
        idempotent_publish=False,
        read_back=True,
        search=False,
    )

    # --- the contract ---------------------------------------------------------------------------

    def verify(self, account: AccountRef) -> Profile:
        """The organisation page the connection is for (GET /rest/organizations/{id})."""
        urn = organization_urn(account)
        organization_id = urn.removeprefix(ORGANIZATION_PREFIX)
        with LinkedInApi(account) as api:
            body = api.call("GET", f"/rest/organizations/{organization_id}")
        return organization_profile(body, fallback_id=organization_id)

    def fetch(self, account: AccountRef, cursor: dict[str, Any]) -> FetchResult:
        """Comments by others on the page's latest posts since the cursor, oldest first (see the module docstring)."""
        author = organization_urn(account)
        since = _cursor_time(cursor) or datetime.now(UTC) - FIRST_POLL_WINDOW
        threshold_ms = int((since - OVERLAP).timestamp() * 1000)
        newest_ms = int(since.timestamp() * 1000)
        events: dict[str, NetworkEvent] = {}
        with LinkedInApi(account) as api:
            query = f"q=author&author={urn_path(author)}&count={FETCH_POSTS}&sortBy=LAST_MODIFIED"
            body = api.call("GET", "/rest/posts", params=query, restli_method="FINDER")
            for post in body.get("elements") or []:
                post_urn = str(_dict(post).get("id") or "")
                if not post_urn:
                    continue
                for comment in self._comments(api, post_urn):
                    created = int(_dict(comment.get("created")).get("time") or 0)
                    if created < threshold_ms:
                        continue
                    newest_ms = max(newest_ms, created)
                    if str(comment.get("actor") or "") == author:
                        continue  # the page's own comments (first comments, answers sent from Parvis)
                    event = _comment_event(comment, post_urn, created)
                    events[event.external_id] = event
        newest = datetime.fromtimestamp(newest_ms / 1000, tz=UTC)
        before = cursor.get(CURSOR_SEEN)
        seen_before = {str(item) for item in before} if isinstance(before, list) else set()
        ordered = sorted(events.values(), key=lambda event: event.occurred_at)
        window = newest - OVERLAP
        remember = sorted({event.external_id for event in ordered if event.occurred_at >= window})[:MAX_SEEN]
        return FetchResult(
            events=[event for event in ordered if event.external_id not in seen_before],
            cursor={**cursor, CURSOR_COMMENTS: newest.isoformat(), CURSOR_SEEN: remember},
        )

    def _comments(self, api: LinkedInApi, target: str, *, nested: bool = True) -> list[dict[str, Any]]:
        """The comments on a post (and, once, the comments on those comments), paged with start/count."""
        found: list[dict[str, Any]] = []
        start = 0
        for _page in range(MAX_COMMENT_PAGES):
            body = api.call(
                "GET",
                f"/rest/socialActions/{urn_path(target)}/comments",
                params={"start": start, "count": COMMENTS_PER_PAGE},
            )
            elements = [item for item in body.get("elements") or [] if isinstance(item, dict)]
            found.extend(elements)
            total = int(_dict(body.get("paging")).get("total") or 0)
            start += len(elements)
            if not elements or start >= total:
                break
        if nested:
            for comment in list(found):
                summary = _dict(comment.get("commentsSummary"))
                if int(summary.get("totalFirstLevelComments") or summary.get("aggregatedTotalComments") or 0) > 0:
                    urn = _comment_urn(comment, target)
                    found.extend(self._comments(api, urn, nested=False))
        return found

    def execute(self, account: AccountRef, request: ActionRequest) -> ActionResult:
        author = organization_urn(account)
        with LinkedInApi(account) as api:
            if request.kind == ActionKind.PUBLISH:
                return self._publish(api, author, request)
            if request.kind == ActionKind.REPLY:
                return self._comment(api, author, request)
            if request.kind in {ActionKind.QUOTE, ActionKind.REPOST}:
                return self._reshare(api, author, request)
            if request.kind == ActionKind.FAVOURITE:
                return self._like(api, author, request)
            if request.kind == ActionKind.DELETE:
                return self._delete(api, author, request)
        raise PermanentError(f"LinkedIn cannot do “{request.kind}” from Parvis.")

    def count_characters(self, text: str) -> int:
        """The length LinkedIn checks against 3,000: the text once its reserved characters are escaped."""
        return len(escape_little(text))

    def locate(
        self, account: AccountRef, request: ActionRequest, *, external_id: str = "", since: datetime | None = None
    ) -> ActionResult | None:
        """The post (or comment) as LinkedIn has it, or None; see the module docstring."""
        author = organization_urn(account)
        with LinkedInApi(account) as api:
            if external_id:
                comment = _COMMENT_URN_RE.match(external_id)
                if comment:
                    body = api.call(
                        "GET",
                        f"/rest/socialActions/{urn_path(comment.group(1))}/comments/{comment.group(2)}",
                        missing_ok=True,
                    )
                    return ActionResult(external_id=external_id) if body else None
                body = api.call("GET", f"/rest/posts/{urn_path(external_id)}", missing_ok=True)
                if not body or body.get("lifecycleState") == "DELETED":
                    return None
                return ActionResult(
                    external_id=external_id,
                    url=post_url(external_id),
                    data={"text": unescape_little(str(body.get("commentary") or ""))},
                )
            since_ms = int(since.timestamp() * 1000) if since is not None else 0
            if request.kind == ActionKind.REPLY:
                return self._locate_comment(api, author, request, since_ms)
            if request.kind not in {ActionKind.PUBLISH, ActionKind.QUOTE, ActionKind.REPOST}:
                return None
            query = f"q=author&author={urn_path(author)}&count={LOCATE_COUNT}&sortBy=LAST_MODIFIED"
            body = api.call("GET", "/rest/posts", params=query, restli_method="FINDER")
        wanted = _comparable(request.text)
        parent = request.target_id if request.kind in {ActionKind.QUOTE, ActionKind.REPOST} else ""
        for post in body.get("elements") or []:
            if not isinstance(post, dict) or not post.get("id"):
                continue
            created = int(post.get("publishedAt") or post.get("createdAt") or 0)
            if since_ms and created and created < since_ms:
                continue
            if _comparable(unescape_little(str(post.get("commentary") or ""))) != wanted:
                continue
            if parent and str(_dict(post.get("reshareContext")).get("parent") or "") != parent:
                continue
            urn = str(post["id"])
            return ActionResult(external_id=urn, url=post_url(urn), data={"text": request.text})
        return None

    def search(self, account: AccountRef, query: str, cursor: dict[str, Any]) -> FetchResult:
        raise PermanentError("LinkedIn does not let Parvis search public posts.")

    # --- actions --------------------------------------------------------------------------------

    def _publish(self, api: LinkedInApi, author: str, request: ActionRequest) -> ActionResult:
        if not request.text.strip() and not request.media:
            raise PermanentError("There is nothing to post: no text and no picture.")
        if len(request.media) > MAX_IMAGES:
            raise PermanentError(f"LinkedIn takes at most {MAX_IMAGES} pictures per post.")
        body = _post_body(author, request.text)
        images = [self._upload(api, author, media) for media in request.media]
        if len(images) == 1:
            body["content"] = {"media": images[0]}
        elif images:
            body["content"] = {"multiImage": {"images": images}}
        return self._create_post(api, body)

    def _reshare(self, api: LinkedInApi, author: str, request: ActionRequest) -> ActionResult:
        target = _target(request)
        text = request.text if request.kind == ActionKind.QUOTE else ""
        body = _post_body(author, text)
        body["reshareContext"] = {"parent": target}
        return self._create_post(api, body)

    def _create_post(self, api: LinkedInApi, body: dict[str, Any]) -> ActionResult:
        response = api.send("POST", "/rest/posts", json=body)
        if response is None:  # pragma: no cover - only with missing_ok
            raise TransientError("LinkedIn did not answer; Parvis will try again later.")
        with response:
            urn = response.headers.get("x-restli-id") or ""
            if not urn:
                try:
                    answer = response.json() if response.content else {}
                except ValueError:
                    answer = {}
                urn = str(_dict(answer).get("id") or "")
        if not urn:
            raise TransientError("LinkedIn did not say which post it created; Parvis will check before trying again.")
        return ActionResult(external_id=urn, url=post_url(urn))

    def _upload(self, api: LinkedInApi, author: str, media: MediaFile) -> dict[str, str]:
        if media.mime_type not in IMAGE_TYPES:
            raise PermanentError(f"LinkedIn does not take this kind of file from Parvis ({media.mime_type}).")
        path = Path(media.path)
        try:
            size = path.stat().st_size
            if size > MAX_IMAGE_BYTES:
                raise PermanentError(f"This picture is too large for LinkedIn ({size // 1024} KB; at most 5 MB).")
            content = path.read_bytes()
        except OSError as error:
            raise PermanentError(f"A file to upload could not be read: {error}") from error
        body = api.call(
            "POST",
            "/rest/images",
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": author}},
        )
        value = _dict(body.get("value"))
        upload_url, image = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not upload_url or not image:
            raise TransientError("LinkedIn did not say where to upload the picture; Parvis will try again later.")
        api.upload(upload_url, content, media.mime_type)
        entry = {"id": image}
        if media.alt_text:
            entry["altText"] = media.alt_text[:ALT_TEXT_MAX]
        return entry

    def _comment(self, api: LinkedInApi, author: str, request: ActionRequest) -> ActionResult:
        if not request.in_reply_to_id:
            raise PermanentError("This comment does not say which post it goes under.")
        if not request.text.strip():
            raise PermanentError("There is nothing to say in this comment.")
        target = request.in_reply_to_id
        body: dict[str, Any] = {"actor": author, "object": target, "message": {"text": request.text}}
        parent = _COMMENT_URN_RE.match(target)
        if parent:  # an answer to a comment: a nested comment on the same post
            body = {**body, "object": parent.group(1), "parentComment": target}
        response = api.send("POST", f"/rest/socialActions/{urn_path(target)}/comments", json=body)
        if response is None:  # pragma: no cover - only with missing_ok
            raise TransientError("LinkedIn did not answer; Parvis will try again later.")
        with response:
            try:
                answer = _dict(response.json()) if response.content else {}
            except ValueError:
                answer = {}
            urn = str(answer.get("$URN") or response.headers.get("x-restli-id") or "")
            comment_id = str(answer.get("id") or "")
        if not urn and comment_id:
            urn = f"urn:li:comment:({parent.group(1) if parent else target},{comment_id})"
        if not urn:
            raise TransientError(
                "LinkedIn did not say which comment it created; Parvis will check before trying again."
            )
        return ActionResult(external_id=urn, url=post_url(parent.group(1) if parent else target))

    def _like(self, api: LinkedInApi, author: str, request: ActionRequest) -> ActionResult:
        target = _target(request)
        api.call(
            "POST",
            "/rest/reactions",
            params=f"actor={urn_path(author)}",
            json={"root": target, "reactionType": "LIKE"},
        )
        return ActionResult(external_id=target, url=post_url(target))

    def _delete(self, api: LinkedInApi, author: str, request: ActionRequest) -> ActionResult:
        target = _target(request)
        comment = _COMMENT_URN_RE.match(target)
        if comment:
            api.send(
                "DELETE",
                f"/rest/socialActions/{urn_path(comment.group(1))}/comments/{comment.group(2)}",
                params=f"actor={urn_path(author)}",
                missing_ok=True,
            )
        else:
            api.send("DELETE", f"/rest/posts/{urn_path(target)}", restli_method="DELETE", missing_ok=True)
        return ActionResult(external_id=target, data={"deleted": True})

    def _locate_comment(
        self, api: LinkedInApi, author: str, request: ActionRequest, since_ms: int
    ) -> ActionResult | None:
        if not request.in_reply_to_id:
            return None
        body = api.call("GET", f"/rest/socialActions/{urn_path(request.in_reply_to_id)}/comments")
        wanted = _comparable(request.text)
        for comment in body.get("elements") or []:
            if not isinstance(comment, dict) or str(comment.get("actor") or "") != author:
                continue
            created = int(_dict(comment.get("created")).get("time") or 0)
            if since_ms and created and created < since_ms:
                continue
            if _comparable(str(_dict(comment.get("message")).get("text") or "")) != wanted:
                continue
            urn = str(comment.get("$URN") or f"urn:li:comment:({request.in_reply_to_id},{comment.get('id')})")
            return ActionResult(external_id=urn, url=post_url(request.in_reply_to_id))
        return None


def administered_pages(account: AccountRef) -> list[Profile]:
    """The organisation pages the token's member administers (role ADMINISTRATOR, approved), by name.

    GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED, then
    GET /rest/organizations/{id} for each page's name. Used by onboarding to let the person choose.
    """
    pages: list[Profile] = []
    with LinkedInApi(account) as api:
        body = api.call(
            "GET",
            "/rest/organizationAcls",
            params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED", "count": 100},
        )
        seen: set[str] = set()
        for acl in body.get("elements") or []:
            organization = str(_dict(acl).get("organization") or "")
            if not organization.startswith(ORGANIZATION_PREFIX) or organization in seen:
                continue
            seen.add(organization)
            organization_id = organization.removeprefix(ORGANIZATION_PREFIX)
            details = api.call("GET", f"/rest/organizations/{organization_id}", missing_ok=True)
            if details:
                pages.append(organization_profile(details, fallback_id=organization_id))
    return sorted(pages, key=lambda page: page.display_name.casefold())


def organization_profile(body: dict[str, Any], *, fallback_id: str = "") -> Profile:
    """A Profile from a GET /rest/organizations/{id} answer."""
    organization_id = str(body.get("id") or fallback_id)
    name = str(body.get("localizedName") or _localized(body.get("name")) or "")
    if not organization_id or not name:
        raise TransientError("LinkedIn sent an answer Parvis could not read; try again later.")
    vanity = str(body.get("vanityName") or "")
    return Profile(
        external_id=organization_id,
        handle=vanity or name,
        display_name=name,
        url=f"{WEB}/company/{quote(vanity or organization_id)}/",
    )


def _localized(value: object) -> str:
    """The first value of a LinkedIn MultiLocaleString ({"localized": {"fr_FR": "..."}})."""
    localized = _dict(_dict(value).get("localized"))
    return str(next(iter(localized.values()), "")) if localized else ""


def _post_body(author: str, text: str) -> dict[str, Any]:
    return {
        "author": author,
        "commentary": escape_little(text),
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def _comment_urn(comment: dict[str, Any], target: str) -> str:
    urn = str(comment.get("$URN") or "")
    if urn:
        return urn
    obj = str(comment.get("object") or target)
    return f"urn:li:comment:({obj},{comment.get('id')})"


def _comment_event(comment: dict[str, Any], post_urn: str, created_ms: int) -> NetworkEvent:
    actor = str(comment.get("actor") or "")
    parent = str(comment.get("parentComment") or "")
    return NetworkEvent(
        kind=EventKind.REPLY,
        external_id=_comment_urn(comment, post_urn),
        occurred_at=datetime.fromtimestamp(created_ms / 1000, tz=UTC),
        author=Author(external_id=actor, handle=actor) if actor else None,
        text=str(_dict(comment.get("message")).get("text") or ""),
        url=post_url(post_urn),
        in_reply_to_id=parent or post_urn,
        thread_key=post_urn,
        visibility="public",
        raw={"post": post_urn},
    )


def _cursor_time(cursor: dict[str, Any]) -> datetime | None:
    value = cursor.get(CURSOR_COMMENTS)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _comparable(text: str) -> str:
    return _SPACES_RE.sub(" ", text).strip()


def _target(request: ActionRequest) -> str:
    if not request.target_id:
        raise PermanentError("This action does not say which post it is about.")
    return request.target_id


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
