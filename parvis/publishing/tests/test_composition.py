"""The composer's pure rules: counting, threads, hashtags and mentions, media, variants."""

from __future__ import annotations

import regex
from twitter_text import parse_tweet

from parvis.networks.connectors.mastodon.connector import MastodonConnector
from parvis.networks.protocol import Capabilities
from parvis.publishing.composition import (
    MediaInfo,
    NetworkRules,
    count_text,
    extract_hashtags,
    extract_links,
    extract_mentions,
    media_issues,
    plan_variant,
    segments,
    split_thread,
    thread_from_text,
    thread_to_text,
    with_short_links,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def weighted(text: str) -> int:
    return int(parse_tweet(text).weightedLength)


MASTODON = NetworkRules(
    network="mastodon",
    display_name="Mastodon",
    capabilities=MastodonConnector.capabilities,
    count=MastodonConnector().count_characters,
)
BLUESKY = NetworkRules(
    network="bluesky",
    display_name="Bluesky",
    capabilities=Capabilities(
        max_characters=300,
        threads=True,
        max_media=4,
        media_types=frozenset({"image/jpeg", "image/png"}),
        counting="graphemes",
    ),
    count=graphemes,
)
X = NetworkRules(
    network="x",
    display_name="X",
    capabilities=Capabilities(max_characters=280, threads=True, link_length=23, counting="weighted", max_media=4),
    count=weighted,
)
PLAIN = NetworkRules(
    network="fake", display_name="Fake", capabilities=Capabilities(max_characters=280, max_media=4), count=len
)
INSTAGRAM = NetworkRules(
    network="instagram",
    display_name="Instagram",
    capabilities=Capabilities(
        max_characters=2200,
        max_media=10,
        media_types=frozenset({"image/jpeg"}),
        max_media_bytes=8 * 1024 * 1024,
        video_types=frozenset({"video/mp4", "video/quicktime"}),
        max_video_bytes=100 * 1024 * 1024,
        max_video_seconds=90,
        media_required=True,
        first_comment=True,
        alt_text_max=100,
    ),
    count=len,
)


def image(
    name: str = "affiche.jpg", *, alt: str = "L'affiche", mime: str = "image/jpeg", size: int = 1000
) -> MediaInfo:
    return MediaInfo(name=name, mime_type=mime, size=size, alt_text=alt)


def video(seconds: float | None = 30, *, size: int = 1000, mime: str = "video/mp4") -> MediaInfo:
    return MediaInfo(name="film.mp4", mime_type=mime, size=size, alt_text="Le film", duration_seconds=seconds)


# --- counting ---------------------------------------------------------------------------------


def test_bluesky_counts_an_emoji_family_as_one_grapheme() -> None:
    assert count_text("Famille 👨‍👩‍👧", BLUESKY) == 9


def test_accents_count_once_whether_composed_or_decomposed_on_bluesky() -> None:
    composed = "Évènement"
    decomposed = "E\u0301ve\u0300nement"

    assert count_text(composed, BLUESKY) == count_text(decomposed, BLUESKY) == 9


def test_x_counts_an_emoji_as_two_and_any_link_as_23() -> None:
    assert count_text("🎉", X) == 2
    assert count_text("https://www.cci.fr/agenda/salon-des-entreprises-2026", X) == 23


def test_mastodon_counts_any_link_as_23_characters() -> None:
    assert count_text("Programme : https://www.cci.fr/agenda/salon-des-entreprises-2026", MASTODON) == 11 + 1 + 23


def test_links_count_as_short_links_when_they_will_be_shortened() -> None:
    rules = NetworkRules("bluesky", "Bluesky", BLUESKY.capabilities, graphemes, short_link_length=30)
    url = "https://www.cci.fr/agenda/salon-des-entreprises-2026?utm_source=newsletter"

    assert count_text(f"Programme {url}", rules) == 10 + 30
    assert count_text(f"Programme {url}", BLUESKY) == 10 + len(url)


def test_a_short_link_stand_in_has_exactly_the_short_links_length() -> None:
    replaced = with_short_links("Voir https://example.org/a/b/c.", 25)

    assert replaced.startswith("Voir https://")
    assert replaced.endswith(".")
    assert len(replaced) == len("Voir ") + 25 + 1


def test_a_closing_parenthesis_of_the_sentence_is_not_part_of_the_link() -> None:
    assert extract_links("(voir https://cci.fr/agenda) et https://fr.wikipedia.org/wiki/Lyon_(ville).") == [
        "https://cci.fr/agenda",
        "https://fr.wikipedia.org/wiki/Lyon_(ville)",
    ]


# --- hashtags and mentions --------------------------------------------------------------------


def test_hashtags_keep_their_accents_and_their_order_without_repeats() -> None:
    text = "Rendez-vous au #Salon2026 de #Lyon : #économie, #ÉCONOMIE et #entreprises !"

    assert extract_hashtags(text) == ["Salon2026", "Lyon", "économie", "entreprises"]


def test_numbers_and_link_fragments_are_not_hashtags() -> None:
    assert extract_hashtags("Le stand #12 et https://cci.fr/page#programme") == []


def test_hashtags_at_the_end_of_a_text_are_found() -> None:
    assert extract_hashtags("Venez nombreux.\n\n#CCI #Lyon") == ["CCI", "Lyon"]


def test_mentions_of_every_network_shape_are_found_without_the_final_full_stop() -> None:
    text = "Merci @camille, @bob@mastodon.example et @cci-lyon.bsky.social. Écrivez à contact@cci.fr"

    assert extract_mentions(text) == ["@camille", "@bob@mastodon.example", "@cci-lyon.bsky.social"]


def test_segments_cut_a_text_into_plain_text_links_hashtags_and_mentions() -> None:
    parts = segments("Merci @org ! #Lyon https://cci.fr")

    assert [(part.kind, part.text) for part in parts] == [
        ("text", "Merci "),
        ("mention", "@org"),
        ("text", " ! "),
        ("hashtag", "#Lyon"),
        ("text", " "),
        ("link", "https://cci.fr"),
    ]


def test_segments_keep_hostile_markup_as_plain_text() -> None:
    parts = segments("<script>alert(1)</script> #ok")

    assert parts[0] == parts[0].__class__("text", "<script>alert(1)</script> ")
    assert "".join(part.text for part in parts) == "<script>alert(1)</script> #ok"


# --- threads ----------------------------------------------------------------------------------

SENTENCES = (
    "Le salon des entreprises ouvre ses portes jeudi à 9 h au centre des congrès. "
    "Plus de cent exposants vous attendent, des ateliers et des conférences toute la journée. "
    "Inscrivez-vous dès maintenant, l'entrée est gratuite pour les adhérents. "
)


def test_a_text_that_fits_is_not_split() -> None:
    assert split_thread("Bonjour", limit=10, count=len) == ["Bonjour"]


def test_a_text_exactly_at_the_limit_is_not_split() -> None:
    assert split_thread("a" * 280, limit=280, count=len) == ["a" * 280]


def test_one_character_over_the_limit_makes_a_thread_of_two() -> None:
    text = " ".join(["mot"] * 70) + " x"  # 281 characters

    parts = split_thread(text, limit=280, count=len)

    assert len(parts) == 2
    assert parts[0].endswith(" 1/2") and parts[1].endswith(" 2/2")


def test_every_post_of_a_thread_fits_with_its_numbering() -> None:
    text = SENTENCES * 6

    parts = split_thread(text, limit=280, count=len)

    assert len(parts) > 3
    assert all(len(part) <= 280 for part in parts)
    assert [part.rsplit(" ", 1)[1] for part in parts] == [f"{i}/{len(parts)}" for i in range(1, len(parts) + 1)]


def test_a_thread_cuts_at_sentence_ends() -> None:
    parts = split_thread(SENTENCES * 3, limit=280, count=len)

    for part in parts[:-1]:
        assert part.rsplit(" ", 1)[0].endswith(".")


def test_a_thread_keeps_every_word_in_order() -> None:
    text = SENTENCES * 5

    parts = split_thread(text, limit=200, count=len)

    assert " ".join(part.rsplit(" ", 1)[0] for part in parts).split() == text.split()


def test_a_thread_prefers_the_paragraph_break() -> None:
    first = "Premier paragraphe, assez long pour compter. " * 3
    text = first.strip() + "\n\n" + "Second paragraphe. " * 20

    parts = split_thread(text, limit=280, count=len)

    assert parts[0] == first.strip() + " 1/" + str(len(parts))


def test_french_punctuation_stays_with_its_word_across_a_cut() -> None:
    text = (f"Vous venez{NBSP}? Oui{NNBSP}! Alors inscrivez-vous{NBSP}: " * 20).strip()

    parts = split_thread(text, limit=100, count=len)

    assert all(not part.startswith(("?", "!", ":", NBSP, NNBSP)) for part in parts)
    assert all(not part.rsplit(" ", 1)[0].endswith((NBSP, NNBSP)) for part in parts)


def test_a_long_sentence_is_cut_between_words() -> None:
    text = " ".join(f"mot{i}" for i in range(200))

    parts = split_thread(text, limit=100, count=len)

    assert all(len(part) <= 100 for part in parts)
    words = [word for part in parts for word in part.rsplit(" ", 1)[0].split()]
    assert words == text.split()


def test_links_mentions_and_hashtags_are_never_cut() -> None:
    url = "https://www.cci.fr/agenda/salon-des-entreprises-2026"
    text = ("Bonjour @camille@mastodon.example, le programme est là " + url + " #SalonDesEntreprises2026 ") * 10

    parts = split_thread(text.strip(), limit=120, count=len)

    joined = "\n".join(parts)
    assert joined.count(url) == 10
    assert joined.count("@camille@mastodon.example") == 10
    assert joined.count("#SalonDesEntreprises2026") == 10


def test_a_link_longer_than_the_limit_is_left_whole() -> None:
    url = "https://example.org/" + "a" * 150

    parts = split_thread(f"Voici {url} pour vous", limit=100, count=len)

    assert [part for part in parts if url in part] == [f"{url} 2/3"]


def test_a_plain_word_longer_than_the_limit_is_cut_hard() -> None:
    parts = split_thread("x" * 250, limit=100, count=len)

    assert all(len(part) <= 100 for part in parts)
    assert "".join(part.rsplit(" ", 1)[0] for part in parts) == "x" * 250


def test_hashtags_at_the_end_stay_together_in_the_last_post() -> None:
    text = SENTENCES * 2 + "\n\n#CCI #Lyon #Entreprises"

    parts = split_thread(text, limit=280, count=len)

    assert "#CCI #Lyon #Entreprises" in parts[-1]


def test_numbering_can_be_left_out() -> None:
    parts = split_thread(SENTENCES * 3, limit=280, count=len, numbering=False)

    assert not any(part.endswith(f"/{len(parts)}") for part in parts)
    assert all(len(part) <= 280 for part in parts)


def test_ten_or_more_posts_reserve_room_for_a_two_digit_numbering() -> None:
    text = " ".join(["abcdefghij"] * 120)

    parts = split_thread(text, limit=60, count=len)

    assert len(parts) >= 10
    assert all(len(part) <= 60 for part in parts)
    assert parts[-1].endswith(f" {len(parts)}/{len(parts)}")


def test_splitting_counts_the_way_the_network_counts() -> None:
    text = ("Salut 🎉 " * 100).strip()

    parts = split_thread(text, limit=280, count=weighted)

    assert all(weighted(part) <= 280 for part in parts)
    assert len(parts) > len(split_thread(text, limit=280, count=len))  # an emoji weighs two on X


def test_a_thread_typed_by_hand_is_read_from_its_separators() -> None:
    assert thread_from_text("Un.\n---\nDeux.\n  ---  \nTrois.") == ("Un.", ["Deux.", "Trois."])
    assert thread_from_text(thread_to_text("Un.", ["Deux."])) == ("Un.", ["Deux."])


# --- media ------------------------------------------------------------------------------------


def test_instagram_needs_an_image_or_a_video() -> None:
    problems, _ = media_issues(label="@cci", capabilities=INSTAGRAM.capabilities, media=[])

    assert problems == ["@cci: this network publishes nothing without an image or a video."]


def test_an_image_format_the_network_refuses_is_a_problem() -> None:
    problems, _ = media_issues(label="@cci", capabilities=INSTAGRAM.capabilities, media=[image(mime="image/png")])

    assert problems == ["@cci: image/png is not accepted."]


def test_an_image_over_the_networks_size_is_a_problem() -> None:
    problems, _ = media_issues(label="@cci", capabilities=INSTAGRAM.capabilities, media=[image(size=9 * 1024 * 1024)])

    assert problems == ["@cci: affiche.jpg weighs 9 MB, 8 MB allowed."]


def test_a_video_too_long_is_a_problem() -> None:
    problems, _ = media_issues(label="@cci", capabilities=INSTAGRAM.capabilities, media=[video(120)])

    assert problems == ["@cci: film.mp4 lasts 120 seconds, 90 allowed."]


def test_a_video_of_unknown_length_is_a_warning_where_length_is_limited() -> None:
    problems, warnings = media_issues(label="@cci", capabilities=INSTAGRAM.capabilities, media=[video(None)])

    assert problems == []
    assert warnings == ["@cci: the length of film.mp4 is unknown; this network takes 90 seconds at most."]


def test_a_video_on_a_network_without_video_is_a_problem() -> None:
    problems, _ = media_issues(label="@cci", capabilities=MASTODON.capabilities, media=[video()])

    assert problems == ["@cci: this network takes no videos from Parvis."]


def test_a_video_over_the_video_size_is_a_problem() -> None:
    problems, _ = media_issues(label="@cci", capabilities=INSTAGRAM.capabilities, media=[video(size=101 * 1024 * 1024)])

    assert problems == ["@cci: film.mp4 weighs 101 MB, 100 MB allowed."]


def test_too_many_images_is_a_problem() -> None:
    problems, _ = media_issues(label="@cci", capabilities=MASTODON.capabilities, media=[image(mime="image/png")] * 5)

    assert problems == ["@cci: 5 images, 4 allowed."]


def test_a_missing_alt_text_is_a_warning_not_a_problem() -> None:
    problems, warnings = media_issues(label="@cci", capabilities=MASTODON.capabilities, media=[image(alt=" ")])

    assert problems == []
    assert warnings == ["@cci: affiche.jpg has no description (alt text): people who cannot see it will miss it."]


def test_an_alt_text_over_the_networks_limit_is_a_problem() -> None:
    problems, _ = media_issues(label="@cci", capabilities=INSTAGRAM.capabilities, media=[image(alt="a" * 101)])

    assert problems == ["@cci: alt text longer than 100 characters."]


def test_a_network_without_media_refuses_any_image() -> None:
    problems, _ = media_issues(label="@cci", capabilities=Capabilities(max_characters=10), media=[image()])

    assert problems == ["@cci: this network takes no images or videos from Parvis."]


# --- variants ---------------------------------------------------------------------------------


def test_a_text_too_long_for_mastodon_becomes_a_thread_with_its_image_on_the_first_post() -> None:
    picture = image(mime="image/png")

    plan = plan_variant(rules=MASTODON, label="@org", text=SENTENCES * 6, media=[picture])

    assert plan.ok
    assert plan.split
    assert len(plan.posts) == 3
    assert all(post.length <= 500 for post in plan.posts)
    assert plan.posts[0].media == (picture,)
    assert all(post.media == () for post in plan.posts[1:])
    assert [post.role for post in plan.posts] == ["post", "thread", "thread"]
    assert plan.text == plan.posts[0].text
    assert plan.thread == [plan.posts[1].text, plan.posts[2].text]


def test_a_text_too_long_for_a_network_without_threads_is_refused() -> None:
    plan = plan_variant(rules=PLAIN, label="@cci_lyon", text="a" * 281)

    assert plan.problems == ("@cci_lyon: 281 characters, 280 allowed.",)
    assert len(plan.posts) == 1


def test_a_hand_made_thread_is_checked_post_by_post() -> None:
    plan = plan_variant(rules=MASTODON, label="@org", text="Premier.", thread=["Deuxième.", "x" * 501])

    assert not plan.split
    assert plan.problems == ("@org: post 3 of the thread has 501 characters, 500 allowed.",)


def test_a_hand_made_thread_on_a_network_without_threads_is_refused() -> None:
    plan = plan_variant(rules=PLAIN, label="@cci", text="Un.", thread=["Deux."])

    assert plan.problems == ("@cci: this network has no threads; write one post.",)


def test_a_thread_longer_than_the_network_allows_is_refused() -> None:
    rules = NetworkRules(
        "bluesky", "Bluesky", Capabilities(max_characters=50, threads=True, max_thread_posts=3), graphemes
    )

    plan = plan_variant(rules=rules, label="@cci", text=SENTENCES * 2)

    assert len(plan.posts) > 3
    assert f"@cci: a thread of {len(plan.posts)} posts, 3 allowed." in plan.problems


def test_the_first_comment_is_kept_where_the_network_has_comments() -> None:
    plan = plan_variant(rules=INSTAGRAM, label="@cci", text="Photo du jour", media=[image()], first_comment="#Lyon")

    assert plan.first_comment is not None
    assert (plan.first_comment.role, plan.first_comment.text) == ("comment", "#Lyon")
    assert plan.warnings == ()


def test_the_first_comment_is_left_out_with_a_warning_where_there_are_no_comments() -> None:
    plan = plan_variant(rules=MASTODON, label="@org", text="Bonjour", first_comment="#Lyon")

    assert plan.first_comment is None
    assert plan.ok
    assert plan.warnings == ("@org: Mastodon has no comments under posts; the first comment is not published there.",)


def test_a_variant_lists_its_hashtags_mentions_and_links() -> None:
    plan = plan_variant(rules=MASTODON, label="@org", text="Merci @camille ! #Lyon https://cci.fr")

    assert (plan.hashtags, plan.mentions, plan.links) == (("Lyon",), ("@camille",), ("https://cci.fr",))


def test_a_network_without_hashtags_warns_that_they_stay_plain_text() -> None:
    rules = NetworkRules("linkedin", "LinkedIn", Capabilities(max_characters=3000, hashtags=False), len)

    plan = plan_variant(rules=rules, label="@cci", text="#Lyon #CCI")

    assert plan.warnings == ("@cci: LinkedIn does not link hashtags; 2 hashtags stay plain text.",)


def test_the_preview_shows_the_count_and_what_is_left_for_each_post() -> None:
    plan = plan_variant(rules=MASTODON, label="@org", text="Bonjour à toutes et à tous 🎉")

    [post] = plan.posts
    assert (post.length, post.limit, post.remaining, post.over_by) == (28, 500, 472, 0)
