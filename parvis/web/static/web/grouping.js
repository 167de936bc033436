// Inbox behaviour of the grouping area (loaded by web/inbox.html).
