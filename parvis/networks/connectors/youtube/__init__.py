"""YouTube: comment threads on the channel's videos, moderation, answers (YouTube Data API v3)."""
