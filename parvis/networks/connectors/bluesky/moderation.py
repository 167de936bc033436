"""Bluesky moderation and relationships: hide a reply (threadgate), follow, block, mute, report.

- HIDE / UNHIDE (`target_id`: the reply's at:// URI). Bluesky hides replies with the thread's
  threadgate: an `app.bsky.feed.threadgate` record in the root author's repository, under the
  root post's record key, whose `hiddenReplies` lists the hidden replies (at most 300). Only
  the author of the thread's first post can write it, so Parvis hides replies in threads the
  account started. The record is created when the thread has none (without `allow`: anyone may
  still reply) and otherwise rewritten with the same reply rules (`allow` and every other field
  kept), with a compare-and-swap on its CID. The reply stays on Bluesky: the apps put it behind
  "hidden replies", and the AppView stops notifying the account about it.
- FOLLOW / BLOCK: `app.bsky.graph.follow` / `app.bsky.graph.block` records whose key comes from
  the idempotency key (a retry names the same record). UNBLOCK deletes the block record the
  AppView reports in the profile's `viewer.blocking` (nothing to do when there is none).
- MUTE / UNMUTE: `app.bsky.graph.muteActor` / `unmuteActor` (private, kept by the AppView).
- REPORT (`target_id`: a post's URI, `text`: the reason): `com.atproto.moderation.createReport`,
  which the PDS sends to its moderation service (Bluesky's, or Ozone on the dev-env).

People are named by their DID (`Author.external_id` on Bluesky); a handle is resolved.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from parvis.networks.connectors.bluesky.client import BlueskyClient
from parvis.networks.connectors.bluesky.richtext import record_key
from parvis.networks.connectors.bluesky.schemas import AtUri, PayloadError, PostRecord, RecordView, post_web_url
from parvis.networks.errors import PermanentError
from parvis.networks.protocol import ActionKind, ActionRequest, ActionResult

POST = "app.bsky.feed.post"
THREADGATE = "app.bsky.feed.threadgate"
FOLLOW = "app.bsky.graph.follow"
BLOCK = "app.bsky.graph.block"
HIDDEN_REPLIES_MAX = 300
REPORT_REASON_OTHER = "com.atproto.moderation.defs#reasonOther"

MODERATION_KINDS = frozenset(
    {
        ActionKind.HIDE,
        ActionKind.UNHIDE,
        ActionKind.FOLLOW,
        ActionKind.BLOCK,
        ActionKind.UNBLOCK,
        ActionKind.MUTE,
        ActionKind.UNMUTE,
        ActionKind.REPORT,
    }
)


def execute_moderation(client: BlueskyClient, request: ActionRequest) -> ActionResult:
    if request.kind in {ActionKind.HIDE, ActionKind.UNHIDE}:
        return set_hidden(client, request.target_id, hidden=request.kind == ActionKind.HIDE)
    if request.kind == ActionKind.REPORT:
        return report(client, request)
    did = person_did(client, request)
    if request.kind in {ActionKind.FOLLOW, ActionKind.BLOCK}:
        collection = FOLLOW if request.kind == ActionKind.FOLLOW else BLOCK
        record = {"$type": collection, "subject": did, "createdAt": _now()}
        created = _put_new(client, collection, record_key(request.idempotency_key), record)
        return ActionResult(external_id=created, data={"subject": did})
    if request.kind == ActionKind.UNBLOCK:
        viewer = _viewer(client, did)
        blocking = viewer.get("blocking")
        if isinstance(blocking, str) and blocking:
            uri = AtUri.parse(blocking)
            client.procedure(
                "com.atproto.repo.deleteRecord", {"repo": uri.repo, "collection": uri.collection, "rkey": uri.rkey}
            )
        return ActionResult(external_id=did, data={"subject": did, "was_blocked": bool(blocking)})
    if request.kind in {ActionKind.MUTE, ActionKind.UNMUTE}:
        nsid = "app.bsky.graph.muteActor" if request.kind == ActionKind.MUTE else "app.bsky.graph.unmuteActor"
        client.procedure(nsid, {"actor": did})
        return ActionResult(external_id=did, data={"subject": did})
    raise PermanentError(f"Bluesky cannot do “{request.kind}” from Parvis.")


# --- hiding replies -----------------------------------------------------------------------------


def set_hidden(client: BlueskyClient, reply_uri: str, *, hidden: bool) -> ActionResult:
    """Add the reply to (or take it out of) the hidden replies of its thread's threadgate."""
    if not reply_uri:
        raise PermanentError("This does not say which reply to hide.")
    try:
        reply = AtUri.parse(reply_uri)
    except PayloadError as error:
        raise PermanentError(f"“{reply_uri}” is not a Bluesky post.") from error
    found = client.get_record(reply.repo, reply.collection, reply.rkey)
    if found is None:
        if hidden:
            raise PermanentError("This reply no longer exists on Bluesky, or this account cannot see it.")
        root = None  # a deleted reply: nothing left to show again
    else:
        try:
            post = PostRecord.from_api(RecordView.from_api(found).value)
        except PayloadError as error:
            raise PermanentError("This is not a Bluesky post Parvis can hide.") from error
        if post.reply_root is None:
            raise PermanentError("This post is not a reply: only replies can be hidden.")
        root = AtUri.parse(post.reply_root.uri)
        if root.repo != client.did:
            raise PermanentError(
                "Bluesky lets only the author of a thread's first post hide its replies, "
                "and this thread was started by someone else."
            )
    if root is None:
        return ActionResult(external_id=reply_uri, data={"hidden": False})
    gate = client.get_record(client.did, THREADGATE, root.rkey)
    record: dict[str, Any]
    if gate is None:
        record = {"$type": THREADGATE, "post": str(root), "createdAt": _now(), "hiddenReplies": []}
        swap: str | None = None
    else:
        view = RecordView.from_api(gate)
        record, swap = dict(view.value), view.cid
    replies = [uri for uri in record.get("hiddenReplies") or [] if isinstance(uri, str)]
    if hidden and reply_uri not in replies:
        if len(replies) >= HIDDEN_REPLIES_MAX:
            raise PermanentError(f"Bluesky hides at most {HIDDEN_REPLIES_MAX} replies in one thread.")
        replies.append(reply_uri)
    elif not hidden:
        replies = [uri for uri in replies if uri != reply_uri]
    record["hiddenReplies"] = replies
    body: dict[str, Any] = {"repo": client.did, "collection": THREADGATE, "rkey": root.rkey, "record": record}
    if swap is not None:
        body["swapRecord"] = swap
    else:
        body["swapRecord"] = None  # create only: fail if someone wrote a threadgate meanwhile
    answer = client.procedure("com.atproto.repo.putRecord", body)
    return ActionResult(
        external_id=reply_uri,
        url=post_web_url(reply_uri),
        data={"threadgate": str(answer.get("uri") or ""), "hidden": hidden, "hidden_count": len(replies)},
    )


def hidden_replies(client: BlueskyClient, root_uri: str) -> list[str]:
    """The replies hidden in the thread of `root_uri` (one of the account's posts)."""
    root = AtUri.parse(root_uri)
    gate = client.get_record(root.repo, THREADGATE, root.rkey)
    if gate is None:
        return []
    return [uri for uri in RecordView.from_api(gate).value.get("hiddenReplies") or [] if isinstance(uri, str)]


# --- people -----------------------------------------------------------------------------------


def person_did(client: BlueskyClient, request: ActionRequest) -> str:
    """The DID of the person an action is about: `target_id` (a DID), else the handle resolved."""
    target = (request.target_id or request.target_handle).strip().lstrip("@")
    if not target:
        raise PermanentError(f"This {request.kind} does not say whom it is about.")
    if target.startswith("did:"):
        return target
    answer = client.query("com.atproto.identity.resolveHandle", {"handle": target})
    did = answer.get("did")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise PermanentError(f"Bluesky does not know the account @{target}.")
    return did


def _viewer(client: BlueskyClient, did: str) -> dict[str, Any]:
    profile = client.query("app.bsky.actor.getProfile", {"actor": did})
    viewer = profile.get("viewer")
    return viewer if isinstance(viewer, dict) else {}


def _put_new(client: BlueskyClient, collection: str, rkey: str, record: dict[str, Any]) -> str:
    """Create the record under its key, or leave the one an earlier attempt created: its URI."""
    existing = client.get_record(client.did, collection, rkey)
    if existing is not None:
        return RecordView.from_api(existing).uri
    answer = client.procedure(
        "com.atproto.repo.createRecord", {"repo": client.did, "collection": collection, "rkey": rkey, "record": record}
    )
    return str(answer.get("uri") or AtUri(client.did, collection, rkey))


# --- reports ----------------------------------------------------------------------------------


def report(client: BlueskyClient, request: ActionRequest) -> ActionResult:
    """Report a post to the PDS's moderation service, with `text` as the reason."""
    if not request.target_id:
        raise PermanentError("This report does not say which post it is about.")
    try:
        uri = AtUri.parse(request.target_id)
    except PayloadError as error:
        raise PermanentError(f"“{request.target_id}” is not a Bluesky post.") from error
    found = client.get_record(uri.repo, uri.collection, uri.rkey)
    if found is None:
        raise PermanentError("This post no longer exists on Bluesky, or this account cannot see it.")
    subject = RecordView.from_api(found).ref
    answer = client.procedure(
        "com.atproto.moderation.createReport",
        {
            "reasonType": REPORT_REASON_OTHER,
            "reason": request.text[:2000],
            "subject": {"$type": "com.atproto.repo.strongRef", **subject.as_json()},
        },
    )
    return ActionResult(
        external_id=str(answer.get("id") or ""),
        url=post_web_url(subject.uri),
        data={"subject": subject.uri, "reported_by": str(answer.get("reportedBy") or "")},
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
