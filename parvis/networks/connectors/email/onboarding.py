"""Connecting a mailbox: IMAP to read it, SMTP to answer, the address mail is sent from.

`mailbox_connect` hands the settings to `networks.services.account_connect`, which checks them
with the connector's `verify` (an IMAP login that opens the folders, an SMTP connection and
login) before storing anything. The passwords are stored encrypted with the account's other
credentials: IMAP and SMTP have no revocable tokens. An application password is the safer choice
where the provider offers one.
"""

from __future__ import annotations

from typing import Any

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks.models import ConnectedAccount
from parvis.networks.services import account_connect

NETWORK = "email"

FIELDS = (
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_password",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "from_address",
    "from_name",
    "folder",
    "sent_folder",
)


def instance_url(imap_host: str, imap_port: int) -> str:
    host = f"[{imap_host}]" if ":" in imap_host else imap_host
    return f"imap://{host.lower()}:{int(imap_port)}"


def mailbox_connect(*, membership: Membership, **settings: Any) -> ConnectedAccount:
    """Check the mailbox settings with the servers and connect the account.

    Raises PermissionDenied or a ConnectorError.
    """
    require(membership, Perm.MANAGE_ACCOUNTS)
    credentials: dict[str, Any] = {name: settings.get(name, "") for name in FIELDS}
    credentials["imap_port"] = int(credentials["imap_port"] or 993)
    credentials["smtp_port"] = int(credentials["smtp_port"] or 465)
    credentials["from_address"] = str(credentials["from_address"]).strip().lower()
    credentials["folder"] = str(credentials["folder"] or "INBOX")
    return account_connect(
        membership=membership,
        network=NETWORK,
        instance_url=instance_url(str(credentials["imap_host"]), credentials["imap_port"]),
        credentials=credentials,
    )
