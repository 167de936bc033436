"""Play the community's script against a mastodon-mock server.

The simulator stands in for the outside world: it talks to the server directly,
with Mastodon.py as the people it plays would, and with requests for the mock's
control plane (`/api/v1/_mock/dev_user` to create a persona, `/_mock/login` to
get a token for one that already exists). It is not part of Parvis's in-pipe
and never goes through `parvis.core.http`. Tokens live in memory only.

No Django here: the runner can be used from a benchmark or a plain script.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from mastodon import Mastodon, MastodonError

from parvis.simulator.corpus import Persona
from parvis.simulator.records import Kind, Record
from parvis.simulator.script import DEFAULT_PERSONAS, CommunityScript

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0
# After this many failed actions in a row the server is considered gone.
MAX_CONSECUTIVE_FAILURES = 20
# Status ids of this many recent records are kept, for replies to find their parent.
POSTED_MEMORY = 500


class SimulatorError(Exception):
    """The simulator cannot go on: no server, not a mock, no organisation account."""


@dataclass(frozen=True)
class Outcome:
    """What playing one record did on the server."""

    record: Record
    status_id: str = ""  # the status posted, or the one favourited
    target_id: str = ""  # the status answered (replies and comments)
    error: str = ""
    note: str = ""  # e.g. "no post of the organisation to answer: posted as a mention"

    @property
    def ok(self) -> bool:
        return not self.error


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CommunityRunner:
    """Creates the personas on the server, then plays the script's records at the given pace.

    `pace` is the mean number of seconds between two actions (exponentially
    distributed, capped at four times the mean; 0 plays as fast as the server
    answers). The waits come from their own random stream, so the records stay
    the same whatever the pace.
    """

    def __init__(
        self,
        *,
        server_url: str,
        org_handle: str,
        seed: int = 42,
        pace: float = 5.0,
        personas: int = DEFAULT_PERSONAS,
        timeout: float = REQUEST_TIMEOUT,
        event_hashtag: str | None = None,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.org_username = org_handle.lstrip("@").split("@")[0]
        self.script = CommunityScript(
            seed=seed, org_handle=self.org_username, personas=personas, event_hashtag=event_hashtag
        )
        self.pace = max(0.0, pace)
        self.timeout = timeout
        # Simulation, not cryptography: a seeded generator is the point.
        self._pace_rng = random.Random(f"pace-{seed}")  # noqa: S311
        self._target_rng = random.Random(f"targets-{seed}")  # noqa: S311
        self._control = self._session()
        self._clients: dict[str, Mastodon] = {}
        self._org_id = ""
        self._posted: dict[int, str] = {}

    # --- setting up ----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = requests.Session()
        # A mock on loopback is never reached through a proxy from the environment.
        session.trust_env = not _is_loopback(self.server_url)
        return session

    def wait_for_server(self, *, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = self._control.get(f"{self.server_url}/api/v1/instance", timeout=2)
                if response.status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SimulatorError(f"No Mastodon server answers at {self.server_url}")
            time.sleep(0.3)

    def setup(self, *, wait: float = 30.0) -> None:
        """1. Wait for the server. 2. Create (or log in) every persona (and the event's speakers).
        3. Find the organisation's account."""
        self.wait_for_server(timeout=wait)
        for persona in [*self.script.personas, *self.script.speakers]:
            token, created = self._account_token(persona)
            client = self._client(token)
            if created:
                try:
                    client.account_update_credentials(note=persona.bio)
                except MastodonError as error:  # a profile without a bio is still a persona
                    logger.warning("could not set the bio of %s: %s", persona.handle, error)
            self._clients[persona.handle] = client
        any_client = next(iter(self._clients.values()))
        try:
            org = any_client.account_lookup(self.org_username)
        except MastodonError as error:
            raise SimulatorError(f"No account @{self.org_username} on {self.server_url}: {error}") from error
        self._org_id = str(org["id"])

    def _account_token(self, persona: Persona) -> tuple[str, bool]:
        """A token for the persona's account, creating the account unless it exists already."""
        url = f"{self.server_url}/api/v1/_mock/dev_user"
        body = {"username": persona.handle, "display_name": persona.display_name}
        response = self._control.post(url, json=body, timeout=self.timeout)
        if response.status_code == 404:
            raise SimulatorError(
                f"{self.server_url} has no /api/v1/_mock/ endpoints: the simulator needs mastodon-mock"
            )
        if response.status_code == 200:
            return str(response.json()["access_token"]), True
        if response.status_code != 422:  # 422: the username is taken, the persona exists already
            raise SimulatorError(f"Cannot create @{persona.handle}: HTTP {response.status_code} {response.text[:200]}")
        login = self._control.post(
            f"{self.server_url}/api/v1/_mock/login", json={"username": persona.handle}, timeout=self.timeout
        )
        if login.status_code != 200:
            raise SimulatorError(f"Cannot log in as @{persona.handle}: HTTP {login.status_code} {login.text[:200]}")
        return str(login.json()["access_token"]), False

    def _client(self, token: str) -> Mastodon:
        return Mastodon(
            access_token=token,
            api_base_url=self.server_url,
            session=self._session(),
            request_timeout=self.timeout,
            ratelimit_method="throw",
        )

    # --- playing -------------------------------------------------------------------------------

    def play(self, record: Record) -> Outcome:
        """Do one record on the server. Network and API errors become an Outcome with `error`."""
        if not self._org_id:
            raise SimulatorError("Call setup() before play()")
        client = self._clients[record.persona]
        try:
            outcome = self._do(client, record)
        except (MastodonError, requests.RequestException) as error:
            outcome = Outcome(record=record, error=f"{error.__class__.__name__}: {error}")
        if outcome.status_id and record.kind != Kind.FAVOURITE:
            self._posted[record.index] = outcome.status_id
            if len(self._posted) > POSTED_MEMORY:
                del self._posted[min(self._posted)]
        return outcome

    def _post(self, client: Mastodon, record: Record, *, in_reply_to_id: str = "") -> str:
        status = client.status_post(
            record.text,
            in_reply_to_id=in_reply_to_id or None,
            visibility=record.visibility or "public",
            language=record.language,
        )
        return str(status["id"])

    def _org_post(self, client: Mastodon) -> str:
        """One of the organisation's latest public posts (not its replies), or "" when it has none."""
        statuses = client.account_statuses(self._org_id, exclude_replies=True, limit=10)
        ids = [str(status["id"]) for status in statuses if status.get("visibility") in {"public", "unlisted"}]
        return self._target_rng.choice(ids) if ids else ""

    def _do(self, client: Mastodon, record: Record) -> Outcome:
        if record.kind == Kind.FOLLOW:
            client.account_follow(self._org_id)
            return Outcome(record=record)
        if record.kind == Kind.FAVOURITE:
            target = self._org_post(client)
            if not target:
                return Outcome(record=record, note="the organisation has no post to favourite")
            client.status_favourite(target)
            return Outcome(record=record, status_id=target)
        if record.kind == Kind.COMMENT:
            target = self._org_post(client)
            note = "" if target else "the organisation has no post to answer: posted as a mention"
            return Outcome(
                record=record, status_id=self._post(client, record, in_reply_to_id=target), target_id=target, note=note
            )
        if record.kind == Kind.REPLY:
            parent = self._posted.get(record.reply_to) if record.reply_to is not None else None
            note = "" if parent else "the post answered was not published: posted as a mention"
            return Outcome(
                record=record,
                status_id=self._post(client, record, in_reply_to_id=parent or ""),
                target_id=parent or "",
                note=note,
            )
        return Outcome(record=record, status_id=self._post(client, record))

    def delays(self) -> Iterator[float]:
        """Seconds to wait after each action."""
        while True:
            if self.pace == 0:
                yield 0.0
            else:
                yield min(4 * self.pace, self._pace_rng.expovariate(1 / self.pace))

    def iter_play(self, *, steps: int | None = None, stop: threading.Event | None = None) -> Iterator[Outcome]:
        """Play records one after the other, waiting between them; endless unless `steps` is given.

        Raises SimulatorError after MAX_CONSECUTIVE_FAILURES failed actions in a row.
        """
        failures = 0
        delays = self.delays()
        for count, record in enumerate(self.script):
            if (steps is not None and count >= steps) or (stop is not None and stop.is_set()):
                return
            outcome = self.play(record)
            failures = 0 if outcome.ok else failures + 1
            if failures >= MAX_CONSECUTIVE_FAILURES:
                raise SimulatorError(f"{failures} actions failed in a row; last: {outcome.error}")
            yield outcome
            last = steps is not None and count + 1 >= steps
            delay = next(delays)
            if delay and not last:
                if stop is not None:
                    stop.wait(delay)
                else:
                    time.sleep(delay)

    def run(
        self,
        *,
        steps: int | None = None,
        stop: threading.Event | None = None,
        on_outcome: Callable[[Outcome], Any] | None = None,
    ) -> int:
        """Play until `steps` records are done or `stop` is set; returns how many were played."""
        played = 0
        for outcome in self.iter_play(steps=steps, stop=stop):
            played += 1
            if on_outcome is not None:
                on_outcome(outcome)
        return played
