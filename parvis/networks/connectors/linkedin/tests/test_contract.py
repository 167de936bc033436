"""The LinkedIn connector against LinkedIn's documented requests and answers, over real HTTP on loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from parvis.networks.connectors.linkedin.client import DEFAULT_VERSION
from parvis.networks.connectors.linkedin.connector import (
    LinkedInConnector,
    administered_pages,
    escape_little,
    unescape_little,
)
from parvis.networks.connectors.linkedin.tests.conftest import ORG, ORG_ID, fixture, make_ref
from parvis.networks.errors import AuthExpired, PermanentError, RateLimited, TransientError
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, MediaFile
from parvis.testing.scripted_http import Recorded, ScriptedServer

pytestmark = pytest.mark.network

POST = "urn:li:share:6844785523593134080"
POST_PATH = "/rest/posts/urn%3Ali%3Ashare%3A6844785523593134080"
COMMENTS_PATH = "/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134080/comments"


def _request(kind: ActionKind, **kwargs: Any) -> ActionRequest:
    return ActionRequest(kind=kind, idempotency_key="key-1", **kwargs)


def _versioned(request: Recorded) -> None:
    assert request.header("Linkedin-Version") == DEFAULT_VERSION
    assert request.header("X-Restli-Protocol-Version") == "2.0.0"


def _created(server: ScriptedServer, urn: str = POST) -> None:
    server.add("POST", "/rest/posts", status=201, headers={"x-restli-id": urn})


# --- little text format ----------------------------------------------------------------------------


def test_reserved_characters_are_escaped_but_links_and_hashtags_are_kept() -> None:
    text = "Atelier (gratuit) à 14h_30 *avec* @CCI <3 ~ #Export https://ex.org/a_b(c)?x=[1]"

    escaped = escape_little(text)

    assert escaped == (r"Atelier \(gratuit\) à 14h\_30 \*avec\* \@CCI \<3 \~ #Export https://ex.org/a_b(c)?x=[1]")
    assert escape_little("a \\ b | c { d } # e") == r"a \\ b \| c \{ d \} \# e"


def test_little_text_read_back_is_plain_text_again() -> None:
    assert unescape_little(r"Atelier \(gratuit\) : {hashtag|\#|Export}") == "Atelier (gratuit) : #Export"
    assert unescape_little("Merci @[CCI Lyon](urn:li:organization:2414183) !") == "Merci CCI Lyon !"
    text = "Une (vraie) phrase_longue avec #tag et \\ barre"
    assert unescape_little(escape_little(text)) == text


def test_characters_are_counted_on_the_escaped_text(connector: LinkedInConnector) -> None:
    assert connector.count_characters("abc") == 3
    assert connector.count_characters("(a)") == 5
    assert connector.capabilities.max_characters == 3000
    assert connector.capabilities.first_comment and connector.capabilities.read_back


# --- verify and pages ------------------------------------------------------------------------------


def test_verify_names_the_organisation_page(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", f"/rest/organizations/{ORG_ID}", json=fixture("organization.json"))

    profile = connector.verify(page)

    assert profile.external_id == ORG_ID
    assert profile.display_name == "CCI Lyon Métropole"
    assert profile.handle == "cci-lyon"
    assert profile.url == "https://www.linkedin.com/company/cci-lyon/"
    sent = li_server.only("GET", f"/rest/organizations/{ORG_ID}")
    _versioned(sent)
    assert sent.header("Authorization") == "Bearer li-access-1"


def test_the_pages_the_member_administers_are_listed_by_name(li_server: ScriptedServer, page: AccountRef) -> None:
    li_server.add("GET", "/rest/organizationAcls", json=fixture("organization_acls.json"))
    li_server.add("GET", f"/rest/organizations/{ORG_ID}", json=fixture("organization.json"))
    li_server.add("GET", "/rest/organizations/5515715", json=fixture("organization_other.json"))

    pages = administered_pages(page)

    assert [(p.external_id, p.display_name) for p in pages] == [
        (ORG_ID, "CCI Lyon Métropole"),
        ("5515715", "Rencontres de l'export"),
    ]
    acls = li_server.only("GET", "/rest/organizationAcls")
    assert (acls.arg("q"), acls.arg("role"), acls.arg("state")) == ("roleAssignee", "ADMINISTRATOR", "APPROVED")
    _versioned(acls)


# --- publishing ------------------------------------------------------------------------------------


def test_publish_creates_a_post_as_the_page(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    _created(li_server)

    result = connector.execute(page, _request(ActionKind.PUBLISH, text="Atelier export (gratuit) #Export"))

    sent = li_server.only("POST", "/rest/posts")
    _versioned(sent)
    assert sent.json() == {
        "author": ORG,
        "commentary": r"Atelier export \(gratuit\) #Export",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert result.external_id == POST
    assert result.url == f"https://www.linkedin.com/feed/update/{POST}/"


def test_a_picture_is_initialised_uploaded_then_attached_with_its_alt_text(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef, square_png: Path
) -> None:
    init = fixture("images_initialize_upload.json")
    init["value"]["uploadUrl"] = f"{li_server.url}/dms-uploads/C4E10AQFoyyAjHPMQuQ/uploaded-image/0?ca=vector_ads"
    li_server.add("POST", "/rest/images", json=init)
    li_server.add("PUT", "/dms-uploads/.*", status=201)
    _created(li_server)
    media = MediaFile(path=str(square_png), mime_type="image/png", alt_text="Two by two pixels")

    connector.execute(page, _request(ActionKind.PUBLISH, text="Photo", media=(media,)))

    initialize = li_server.only("POST", "/rest/images")
    assert initialize.arg("action") == "initializeUpload"
    assert initialize.json() == {"initializeUploadRequest": {"owner": ORG}}
    _versioned(initialize)
    upload = li_server.only("PUT", "/dms-uploads/.*")
    assert upload.body == square_png.read_bytes()
    assert upload.header("Authorization") == "Bearer li-access-1"
    assert upload.header("Content-Type") == "image/png"
    assert li_server.only("POST", "/rest/posts").json()["content"] == {
        "media": {"id": "urn:li:image:C4E10AQFoyyAjHPMQuQ", "altText": "Two by two pixels"}
    }


def test_several_pictures_make_a_multi_image_post(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef, square_png: Path
) -> None:
    init = fixture("images_initialize_upload.json")
    init["value"]["uploadUrl"] = f"{li_server.url}/dms-uploads/x"
    li_server.add("POST", "/rest/images", json=init)
    li_server.add("PUT", "/dms-uploads/x", status=201)
    _created(li_server)
    media = (MediaFile(str(square_png), "image/png", "one"), MediaFile(str(square_png), "image/png", "two"))

    connector.execute(page, _request(ActionKind.PUBLISH, text="Album", media=media))

    content = li_server.only("POST", "/rest/posts").json()["content"]
    assert [image["altText"] for image in content["multiImage"]["images"]] == ["one", "two"]


def test_the_first_comment_goes_under_the_post_as_the_page(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("POST", COMMENTS_PATH, status=201, json=fixture("comment_created.json"))

    result = connector.execute(
        page, _request(ActionKind.REPLY, text="Programme complet sur notre site", in_reply_to_id=POST)
    )

    sent = li_server.only("POST", COMMENTS_PATH)
    _versioned(sent)
    assert sent.json() == {"actor": ORG, "object": POST, "message": {"text": "Programme complet sur notre site"}}
    assert result.external_id == f"urn:li:comment:({POST},6636062862760562688)"


def test_a_quote_reshares_with_commentary(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    _created(li_server, "urn:li:share:2")

    connector.execute(page, _request(ActionKind.QUOTE, text="À lire", target_id="urn:li:share:1"))

    body = li_server.only("POST", "/rest/posts").json()
    assert body["reshareContext"] == {"parent": "urn:li:share:1"}
    assert body["commentary"] == "À lire"


def test_a_like_reacts_as_the_page(connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef) -> None:
    li_server.add("POST", "/rest/reactions", status=201, json={"root": POST, "reactionType": "LIKE"})

    connector.execute(page, _request(ActionKind.FAVOURITE, target_id=POST))

    sent = li_server.only("POST", "/rest/reactions")
    assert sent.arg("actor") == ORG
    assert sent.json() == {"root": POST, "reactionType": "LIKE"}


def test_delete_removes_the_post(connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef) -> None:
    li_server.add("DELETE", POST_PATH, status=204)

    result = connector.execute(page, _request(ActionKind.DELETE, target_id=POST))

    assert li_server.only("DELETE", POST_PATH).header("X-RestLi-Method") == "DELETE"
    assert result.data == {"deleted": True}


def test_deleting_a_post_already_gone_is_done(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("DELETE", POST_PATH, status=404, json={"message": "Not Found", "status": 404})

    assert connector.execute(page, _request(ActionKind.DELETE, target_id=POST)).data == {"deleted": True}


def test_deleting_a_comment_uses_the_comments_endpoint(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("DELETE", f"{COMMENTS_PATH}/6636062862760562688", status=204)

    connector.execute(page, _request(ActionKind.DELETE, target_id=f"urn:li:comment:({POST},6636062862760562688)"))

    assert li_server.only("DELETE", f"{COMMENTS_PATH}/6636062862760562688").arg("actor") == ORG


# --- errors ----------------------------------------------------------------------------------------


def test_a_duplicate_is_a_permanent_error_with_linkedins_message(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("POST", "/rest/posts", status=422, json=fixture("error_unprocessable.json"))

    with pytest.raises(PermanentError, match="Content is a duplicate") as refused:
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))

    assert "Duplicate post is detected" in refused.value.message


def test_a_bad_request_is_a_permanent_error(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("POST", "/rest/posts", status=400, json=fixture("error_bad_request.json"))

    with pytest.raises(PermanentError, match="Unpermitted fields"):
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))


def test_a_refusal_for_lack_of_rights_says_so(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("POST", "/rest/posts", status=403, json=fixture("error_forbidden.json"))

    with pytest.raises(PermanentError, match="administrators"):
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))


def test_a_daily_throttle_waits_until_midnight_utc(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("POST", "/rest/posts", status=429, json=fixture("error_too_many_requests.json"))

    with pytest.raises(RateLimited) as limited:
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))

    now = datetime.now(UTC)
    seconds_left_today = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
    assert limited.value.retry_after is not None
    assert abs(limited.value.retry_after - seconds_left_today) < 5


def test_a_429_with_retry_after_waits_that_long(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add(
        "POST", "/rest/posts", status=429, json={"status": 429, "message": "Too many"}, headers={"Retry-After": "30"}
    )

    with pytest.raises(RateLimited) as limited:
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))

    assert limited.value.retry_after == 30


def test_a_server_error_is_transient(connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef) -> None:
    li_server.add("POST", "/rest/posts", status=500, json=fixture("error_server.json"))

    with pytest.raises(TransientError):
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))


def test_a_timeout_is_transient(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef, settings: Any
) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 0.3
    li_server.add("POST", "/rest/posts", status=201, headers={"x-restli-id": POST}, delay=1.5)

    with pytest.raises(TransientError, match="in time"):
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))


def test_a_created_post_without_its_urn_is_transient(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("POST", "/rest/posts", status=201)

    with pytest.raises(TransientError, match="did not say which post"):
        connector.execute(page, _request(ActionKind.PUBLISH, text="Hello"))


# --- token refresh ---------------------------------------------------------------------------------


def test_an_expired_token_is_refreshed_with_the_secret_in_the_body_and_the_call_retried(
    connector: LinkedInConnector, li_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    li_server.add("POST", "/rest/posts", status=401, json=fixture("error_unauthorized.json"), times=1)
    _created(li_server)
    li_server.add("POST", "/oauth/v2/accessToken", json=fixture("token.json"))

    result = connector.execute(make_ref(li_server, saved), _request(ActionKind.PUBLISH, text="Hello"))

    assert result.external_id == POST
    refresh = li_server.only("POST", "/oauth/v2/accessToken")
    assert refresh.form() == {
        "grant_type": "refresh_token",
        "refresh_token": "li-refresh-1",
        "client_id": "li-client",
        "client_secret": "li-secret",
    }
    tries = li_server.received("POST", "/rest/posts")
    assert [t.header("Authorization") for t in tries] == ["Bearer li-access-1", "Bearer AQUvlL_DYEzvT2wz1QJiEPeLioeA"]
    assert saved[-1]["access_token"] == "AQUvlL_DYEzvT2wz1QJiEPeLioeA"
    assert saved[-1]["refresh_token"] == "AQWAft_WjYZKwuWXLC5hQlghgTam"
    assert saved[-1]["organization_urn"] == ORG


def test_a_refused_refresh_is_auth_expired(
    connector: LinkedInConnector, li_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    li_server.add("POST", "/rest/posts", status=401, json=fixture("error_unauthorized.json"))
    li_server.add("POST", "/oauth/v2/accessToken", status=400, json=fixture("token_refresh_refused.json"))

    with pytest.raises(AuthExpired, match="reconnect"):
        connector.execute(make_ref(li_server, saved), _request(ActionKind.PUBLISH, text="Hello"))

    assert saved == []


def test_without_a_refresh_token_a_401_is_auth_expired(
    connector: LinkedInConnector, li_server: ScriptedServer, saved: list[dict[str, Any]]
) -> None:
    li_server.add("POST", "/rest/posts", status=401, json=fixture("error_unauthorized.json"))

    with pytest.raises(AuthExpired, match="Invalid access token"):
        connector.execute(make_ref(li_server, saved, refresh_token=""), _request(ActionKind.PUBLISH, text="Hello"))

    assert li_server.received("POST", "/oauth/v2/accessToken") == []


# --- read-back -------------------------------------------------------------------------------------


def test_locate_by_urn_reads_the_post_back(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", POST_PATH, json=fixture("post.json"))

    found = connector.locate(page, _request(ActionKind.PUBLISH), external_id=POST)

    assert found is not None and found.external_id == POST
    assert found.data["text"] == "Atelier export (gratuit) : inscrivez-vous #Export"
    _versioned(li_server.only("GET", POST_PATH))


def test_locate_by_urn_of_a_deleted_post_is_none(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", POST_PATH, status=404, json={"message": "Not found", "status": 404})

    assert connector.locate(page, _request(ActionKind.PUBLISH), external_id=POST) is None


def test_locate_without_urn_finds_the_pages_post_with_the_same_text_since_the_attempt(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", "/rest/posts", json=fixture("posts_by_author.json"))
    since = datetime.fromtimestamp(1795000000, UTC)

    found = connector.locate(
        page, _request(ActionKind.PUBLISH, text="Atelier export (gratuit) : inscrivez-vous #Export"), since=since
    )
    old = connector.locate(page, _request(ActionKind.PUBLISH, text="Un ancien message"), since=since)

    assert found is not None and found.external_id == "urn:li:share:6844785523593134081"
    assert old is None
    finder = li_server.received("GET", "/rest/posts")[0]
    assert (finder.arg("q"), finder.arg("author")) == ("author", ORG)
    assert finder.header("X-RestLi-Method") == "FINDER"


def test_locate_without_urn_finds_a_first_comment_already_made(
    connector: LinkedInConnector, li_server: ScriptedServer, page: AccountRef
) -> None:
    li_server.add("GET", COMMENTS_PATH, json=fixture("comments.json"))

    found = connector.locate(
        page, _request(ActionKind.REPLY, text="Programme complet sur notre site", in_reply_to_id=POST)
    )

    assert found is not None and found.external_id == f"urn:li:comment:({POST},6636062862760562688)"


def test_an_account_without_token_must_be_reconnected(connector: LinkedInConnector, li_server: ScriptedServer) -> None:
    with pytest.raises(AuthExpired):
        connector.verify(make_ref(li_server, [], access_token=""))


def test_search_is_not_offered(connector: LinkedInConnector, page: AccountRef) -> None:
    assert not connector.capabilities.search
    with pytest.raises(PermanentError):
        connector.search(page, "#Export", {})
