"""Priority: the pure formula, the conversation's priority, and the periodic refresh near the SLA deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parvis.inbox.models import ConversationStatus, Direction, Message, ModerationState
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.inbox.triage import (
    SLA_POINTS,
    Standing,
    conversation_priority,
    conversations_refresh_due,
    conversations_refresh_priority,
    message_priority,
    sla_points,
)
from parvis.networks.periodic import registered

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def _priority(category: str, score: float = 0.9, **kwargs) -> int:
    return message_priority(category=category, category_score=score, now=NOW, **kwargs)


def test_classes_are_ordered_from_insult_down_to_spam():
    order = ["insult-or-hate", "aggressive", "criticism", "question", "other", "praise", "spam-or-advertising"]

    priorities = [_priority(category) for category in order]

    assert priorities == sorted(priorities, reverse=True)
    assert len(set(priorities)) == len(order)


def test_an_unsure_model_pulls_the_class_weight_towards_other():
    assert _priority("question", 0.9) > _priority("question", 0.2) > _priority("other", 0.9)
    assert _priority("spam-or-advertising", 0.9) < _priority("spam-or-advertising", 0.2) < _priority("other", 0.9)


def test_a_person_s_class_counts_fully():
    assert message_priority(category="question", category_score=0.1, by_person=True, now=NOW) == _priority("question")


def test_negativity_raises_the_priority_but_not_of_spam():
    calm = _priority("criticism", sentiment="neutral", sentiment_score=0.0)
    angry = _priority("criticism", sentiment="negative", sentiment_score=-0.9)

    assert angry - calm == 14  # 15 points times 0.9
    assert _priority("spam-or-advertising", sentiment="negative", sentiment_score=-0.9) == _priority(
        "spam-or-advertising"
    )
    # A person saying "negative" on a positive score counts half.
    assert _priority("criticism", sentiment="negative", sentiment_score=0.4) - calm == 8


def test_the_author_s_standing_moves_the_priority():
    newcomer = _priority("question")
    regular = _priority("question", standing=Standing(message_count=25, follows_since=NOW - timedelta(days=400)))
    recent_follower = _priority("question", standing=Standing(follows_since=NOW - timedelta(days=2)))
    bot = _priority("question", standing=Standing(message_count=50, is_bot=True))

    assert regular == newcomer + 10
    assert recent_follower == newcomer + 2
    assert bot == newcomer - 20


def test_no_class_means_no_priority():
    assert message_priority(category="", category_score=None, now=NOW) == 0


def test_the_sla_bonus_grows_over_the_last_four_hours_and_is_full_when_overdue():
    assert sla_points(None, NOW) == 0
    assert sla_points(NOW + timedelta(hours=5), NOW) == 0
    assert sla_points(NOW + timedelta(hours=2), NOW) == SLA_POINTS // 2
    assert sla_points(NOW + timedelta(minutes=1), NOW) == SLA_POINTS
    assert sla_points(NOW - timedelta(hours=3), NOW) == SLA_POINTS


def test_a_conversation_adds_the_sla_bonus_except_to_spam_level_items_and_stays_under_100():
    overdue = NOW - timedelta(minutes=5)

    assert conversation_priority(50, overdue, NOW) == 70
    assert conversation_priority(5, overdue, NOW) == 5
    assert conversation_priority(95, overdue, NOW) == 100
    assert conversation_priority(0, overdue, NOW) == 0


def _received(conversation, priority: int, at: datetime, **fields) -> Message:
    return MessageFactory(conversation=conversation, priority=priority, occurred_at=at, category="question", **fields)


def test_an_answered_message_no_longer_counts_for_its_conversation(account):
    conversation = ConversationFactory(account=account)
    _received(conversation, 80, NOW - timedelta(hours=3))
    MessageFactory(
        conversation=conversation, direction=Direction.OUT, occurred_at=NOW - timedelta(hours=2), author=None
    )
    _received(conversation, 30, NOW - timedelta(hours=1))
    _received(conversation, 90, NOW - timedelta(minutes=30), moderation_state=ModerationState.HIDDEN)

    result = conversations_refresh_priority(conversation_ids=[conversation.pk], now=NOW)

    conversation.refresh_from_db()
    assert result == {conversation.pk: 30}
    assert conversation.priority == 30


def test_the_periodic_job_moves_up_conversations_near_their_deadline_in_a_few_queries(
    account, django_assert_max_num_queries
):
    near = []
    for minutes in range(30):
        conversation = ConversationFactory(account=account, first_response_due_at=NOW + timedelta(minutes=minutes))
        _received(conversation, 40, NOW - timedelta(minutes=10))
        near.append(conversation)
    far = ConversationFactory(account=account, priority=40, first_response_due_at=NOW + timedelta(days=1))
    _received(far, 40, NOW - timedelta(minutes=10))
    answered = ConversationFactory(
        account=account, priority=40, first_response_due_at=NOW, first_response_at=NOW - timedelta(minutes=1)
    )
    done = ConversationFactory(account=account, priority=40, first_response_due_at=NOW, status=ConversationStatus.DONE)

    with django_assert_max_num_queries(5):
        refreshed = conversations_refresh_due(NOW)

    assert refreshed == 30
    for conversation in near:
        conversation.refresh_from_db()
        assert conversation.priority > 40
    near[0].refresh_from_db()
    assert near[0].priority == 40 + SLA_POINTS
    for untouched in (far, answered, done):
        untouched.refresh_from_db()
        assert untouched.priority == 40


def test_the_refresh_is_registered_every_five_minutes():
    assert "inbox.triage_priority" in registered()
