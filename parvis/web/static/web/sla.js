// Inbox behaviour of the sla area (loaded by web/inbox.html).
