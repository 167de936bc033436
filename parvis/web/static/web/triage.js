// Inbox behaviour of the triage area (loaded by web/inbox.html).
