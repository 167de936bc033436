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

Not done yet: reading comments on the page's posts (`fetch` returns nothing), link cards.
"""

from __future__ import annotations

import re
from datetime import datetime
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
    Capabilities,
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
        event_kinds=frozenset(),
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
        """Nothing is read from LinkedIn yet (comments on the page's posts come with the inbox work)."""
        events: list[NetworkEvent] = []
        return FetchResult(events=events, cursor=dict(cursor))

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
        response = api.send(
            "POST",
            f"/rest/socialActions/{urn_path(target)}/comments",
            json={"actor": author, "object": target, "message": {"text": request.text}},
        )
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
            urn = f"urn:li:comment:({target},{comment_id})"
        if not urn:
            raise TransientError(
                "LinkedIn did not say which comment it created; Parvis will check before trying again."
            )
        return ActionResult(external_id=urn, url=post_url(target))

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


def _comparable(text: str) -> str:
    return _SPACES_RE.sub(" ", text).strip()


def _target(request: ActionRequest) -> str:
    if not request.target_id:
        raise PermanentError("This action does not say which post it is about.")
    return request.target_id


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
