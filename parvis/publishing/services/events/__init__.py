"""Live events (SEEDS §2, live-tweet): prepare the programme, announce ahead, post live, follow the wall, recap.

One module per step: `programme` (the event, sessions, speakers and their handles, prepared
posts), `texts` (what goes out on each network), `live` (live posts, announcements, the recap
post, all through `post_create`; `EventPost` links them to the event), `wall` (everyone's
posts with the hashtag), `reads` (selectors for the pages) and `recap` (numbers and exports).

Texts are written per network: the hashtag once (never twice), the current speakers as each
network mentions them (a speaker has one handle per network; where the network has no
mention syntax, or the speaker no handle there, the name is written instead).
"""

from parvis.publishing.services.events.common import EventError
from parvis.publishing.services.events.live import (
    Announcement,
    AnnouncementReport,
    announcement_defaults,
    event_announcements_schedule,
    event_current_session,
    event_focus_session,
    event_recap_publish,
    live_post,
)
from parvis.publishing.services.events.programme import (
    event_create,
    event_delete,
    event_update,
    prepared_post_create,
    prepared_post_delete,
    session_create,
    session_delete,
    session_update,
    speaker_create,
    speaker_delete,
    speaker_update,
)
from parvis.publishing.services.events.reads import (
    SessionQuestions,
    event_get,
    event_list,
    event_posts,
    event_questions,
    prepared_post_list,
    wall_item_get,
    wall_item_list,
)
from parvis.publishing.services.events.recap import (
    EventRecap,
    event_recap,
    recap_csv,
    recap_markdown,
    recap_suggestion,
)
from parvis.publishing.services.events.texts import (
    LiveVariant,
    has_hashtag,
    live_preview,
    looks_like_question,
    render_announcement,
    render_for_network,
    speaker_mention,
)
from parvis.publishing.services.events.wall import (
    WALL_REFRESH_SECONDS,
    WallRefreshReport,
    event_wall_refresh,
    wall_item_update,
)

__all__ = [
    "WALL_REFRESH_SECONDS",
    "Announcement",
    "AnnouncementReport",
    "EventError",
    "EventRecap",
    "LiveVariant",
    "SessionQuestions",
    "WallRefreshReport",
    "announcement_defaults",
    "event_announcements_schedule",
    "event_create",
    "event_current_session",
    "event_delete",
    "event_focus_session",
    "event_get",
    "event_list",
    "event_posts",
    "event_questions",
    "event_recap",
    "event_recap_publish",
    "event_update",
    "event_wall_refresh",
    "has_hashtag",
    "live_post",
    "live_preview",
    "looks_like_question",
    "prepared_post_create",
    "prepared_post_delete",
    "prepared_post_list",
    "recap_csv",
    "recap_markdown",
    "recap_suggestion",
    "render_announcement",
    "render_for_network",
    "session_create",
    "session_delete",
    "session_update",
    "speaker_create",
    "speaker_delete",
    "speaker_mention",
    "speaker_update",
    "wall_item_get",
    "wall_item_list",
    "wall_item_update",
]
