"""Reads for publishing: posts with their variants and every action of each (thread and comment),
the media library, campaigns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from parvis.core.models import Workspace
from parvis.networks.models import Action, ActionStatus
from parvis.publishing.models import Campaign, Delivery, MediaItem, Post, PostStage, PostStatus, post_status

# The deepest chain of actions read for one variant (a thread of 25 posts and its first comment).
MAX_CHAIN_DEPTH = 30
GONE_OUT = (ActionStatus.DONE, ActionStatus.PROCESSING)
SOURCE_COMMENT = "publishing.first_comment"  # as written by services.posts.post_release


def _posts(workspace: Workspace) -> QuerySet[Post]:
    return (
        Post.objects.filter(workspace=workspace)
        .select_related("campaign", "created_by")
        .prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related("account", "action").prefetch_related("media").order_by("pk"),
            ),
            "media",
        )
        .order_by("-scheduled_at", "-id")
    )


def post_list(workspace: Workspace, *, limit: int = 100, stage: str | None = None) -> QuerySet[Post]:
    posts = _posts(workspace)
    if stage:
        posts = posts.filter(stage=stage)
    return posts[:limit]


def post_get(workspace: Workspace, post_id: int) -> Post:
    return _posts(workspace).get(pk=post_id)


# --- variants and their actions -----------------------------------------------------------------


@dataclass(frozen=True)
class VariantView:
    """One account's variant with every action that carries it: the first post, the thread's next
    posts in order, then the first comment (if any)."""

    delivery: Delivery
    actions: tuple[Action, ...]

    @property
    def status(self) -> PostStatus | PostStage:
        if not self.actions:  # not released yet
            return PostStage(self.delivery.post.stage)
        return post_status([action.status for action in self.actions])

    @property
    def errors(self) -> list[str]:
        return [action.last_error for action in self.actions if action.last_error]

    @property
    def published_url(self) -> str:
        return self.actions[0].external_url if self.actions else ""


@dataclass(frozen=True)
class PostView:
    post: Post
    variants: tuple[VariantView, ...]

    @property
    def status(self) -> PostStatus | PostStage:
        """The post's stage until it is released; then what its actions (threads included) say."""
        if self.post.stage != PostStage.RELEASED:
            return PostStage(self.post.stage)
        return post_status([action.status for variant in self.variants for action in variant.actions])

    @property
    def editable(self) -> bool:
        return not any(action.status in GONE_OUT for variant in self.variants for action in variant.actions)


def _chains(roots: Sequence[Action]) -> dict[int, list[Action]]:
    """Every action hanging from each root, one level per query (all roots at once), in order:
    a thread's posts follow each other; the first comment comes last."""
    below: dict[int, list[Action]] = defaultdict(list)
    root_of: dict[int, int] = {root.pk: root.pk for root in roots}
    level = [root.pk for root in roots]
    for _depth in range(MAX_CHAIN_DEPTH):
        if not level:
            break
        children = list(Action.objects.filter(parent_id__in=level).order_by("pk"))
        for child in children:
            assert child.parent_id is not None  # noqa: S101 - filtered on it
            root_of[child.pk] = root_of[child.parent_id]
            below[root_of[child.pk]].append(child)
        level = [child.pk for child in children]
    for actions in below.values():
        actions.sort(key=lambda action: (action.source == SOURCE_COMMENT, action.pk))
    return below


def post_views(posts: Iterable[Post]) -> list[PostView]:
    """Posts from `post_list` / `post_get` with each variant's full chain of actions."""
    posts = list(posts)
    deliveries = [delivery for post in posts for delivery in post.deliveries.all()]
    roots = [delivery.action for delivery in deliveries if delivery.action is not None]
    chains = _chains(roots)
    views = []
    for post in posts:
        variants = []
        for delivery in post.deliveries.all():
            actions: tuple[Action, ...] = ()
            if delivery.action is not None:
                actions = (delivery.action, *chains.get(delivery.action.pk, []))
            variants.append(VariantView(delivery=delivery, actions=actions))
        views.append(PostView(post=post, variants=tuple(variants)))
    return views


def post_view_list(workspace: Workspace, *, limit: int = 100, stage: str | None = None) -> list[PostView]:
    return post_views(post_list(workspace, limit=limit, stage=stage))


def post_view_get(workspace: Workspace, post_id: int) -> PostView:
    return post_views([post_get(workspace, post_id)])[0]


def post_status_of(post: Post) -> PostStatus | PostStage:
    """The status a person reads: the stage until the post is released, then its actions' status
    (the rest of a thread and the first comment included)."""
    return post_views([post])[0].status


# --- media and campaigns ------------------------------------------------------------------------


def media_list(workspace: Workspace, *, archived: bool = False) -> QuerySet[MediaItem]:
    return MediaItem.objects.filter(workspace=workspace, archived=archived).order_by("-created_at", "-id")


def media_get(workspace: Workspace, media_id: int) -> MediaItem:
    return MediaItem.objects.get(workspace=workspace, pk=media_id)


def campaign_list(workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace).order_by("name")


def campaign_get(workspace: Workspace, campaign_id: int) -> Campaign:
    return Campaign.objects.get(workspace=workspace, pk=campaign_id)
