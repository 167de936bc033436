// Inbox behaviour of the moderation area (loaded by web/inbox.html).
