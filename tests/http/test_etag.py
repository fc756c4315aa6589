"""Weak entity tags and If-None-Match: one way to tag content and to match a client's tags."""

from __future__ import annotations

import re

import pytest

from fiks_folkeregister.http.etag import etag_matches, weak_etag


def test_a_tag_is_weak_and_depends_only_on_its_parts() -> None:
    tag = weak_etag("application/json", b"[1,2]")

    assert re.fullmatch(r'W/"[0-9a-f]{32}"', tag)
    assert tag == weak_etag("application/json", "[1,2]")  # str and bytes of the same text
    assert tag != weak_etag("application/atom+xml", b"[1,2]")
    assert tag != weak_etag("application/json", b"[1,2,3]")


def test_parts_are_kept_apart() -> None:
    assert weak_etag("ab", "c") != weak_etag("a", "bc")
    assert weak_etag("a", "") != weak_etag("a")


@pytest.mark.parametrize(
    "if_none_match",
    ["*", "{tag}", "{opaque}", '"older", {tag}', '{tag} , "newer"', 'W/"x",{opaque}'],
)
def test_a_listed_tag_or_star_matches_by_weak_comparison(if_none_match: str) -> None:
    tag = weak_etag("content")
    opaque = tag.removeprefix("W/")

    assert etag_matches(if_none_match.format(tag=tag, opaque=opaque), tag)


@pytest.mark.parametrize("if_none_match", [None, "", 'W/"something-else"', '"older", "newer"', "garbage"])
def test_anything_else_does_not_match(if_none_match: str | None) -> None:
    assert not etag_matches(if_none_match, weak_etag("content"))


def test_a_tag_inside_another_tag_does_not_match() -> None:
    tag = weak_etag("content")
    inner = tag.removeprefix('W/"').removesuffix('"')

    assert not etag_matches(f'"{inner}-and-more"', tag)
    assert not etag_matches(f'"x{inner}"', tag)
