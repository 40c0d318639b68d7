"""Matching what customers call their product against the price list, typos and all."""

from __future__ import annotations

import pytest

from renewals.checklist import MATCH_THRESHOLD, match_product, rank_products


@pytest.mark.parametrize(
    "typed, code, platform",
    [
        ("Worry-Free Business Security Standard", "WFBS-STD", None),
        ("Apex One", "APEX-ONE", None),
        ("apex 1", "APEX-ONE", None),
        ("WFBS-ADV", "WFBS-ADV", None),
        ("imsva", "IMSVA", None),
        ("I want to renew Deep Security please", "DSEC", None),
        ("Trend Micro Apex One (Windows)", "APEX-ONE", "Windows"),
        ("worry-free business security standard for mac", "WFBS-STD", "Mac"),
    ],
)
def test_a_product_named_in_full_or_by_code_is_an_exact_match(demo_price_list, typed, code, platform):
    match = match_product(typed, demo_price_list)

    assert (match.product_code, match.platform, match.exact) == (code, platform, True)
    assert match.score == 1.0


@pytest.mark.parametrize(
    "typed, code, platform",
    [
        ("worry free advanced", "WFBS-ADV", None),
        ("deep securty on linux", "DSEC", "Linux"),
        ("worry free standrad windows", "WFBS-STD", "Windows"),
        ("worry free advanced for exchange", "WFBS-ADV", "Microsoft Exchange"),
        ("wfbs services", "WFBS-SVC", None),
        ("business security advance", "WFBS-ADV", None),
        ("scanmail for exchange", "SMEX", None),
        ("portal protect", "PP-SP", None),
        ("interscan", "IMSVA", None),
    ],
)
def test_typos_and_missing_words_still_find_the_product_for_the_customer_to_confirm(
    demo_price_list, typed, code, platform
):
    match = match_product(typed, demo_price_list)

    assert (match.product_code, match.platform) == (code, platform)
    assert not match.exact
    assert MATCH_THRESHOLD <= match.score < 1.0


def test_a_platform_the_product_is_not_sold_for_is_left_for_the_customer_to_choose(demo_price_list):
    match = match_product("deep security on mac", demo_price_list)

    assert (match.product_code, match.platform) == ("DSEC", None)


def test_naming_two_platforms_leaves_the_platform_open(demo_price_list):
    assert match_product("apex one windows and mac", demo_price_list).platform is None


@pytest.mark.parametrize("typed", ["hello there", "office scan", "windows", "", "   ", None, 42, "x" * 3000])
def test_nothing_plausible_gives_none(demo_price_list, typed):
    assert match_product(typed, demo_price_list) is None


@pytest.mark.parametrize("typed", ["worry free", "security", "microsoft"])
def test_words_several_products_share_are_too_vague_to_pick_one(demo_price_list, typed):
    assert match_product(typed, demo_price_list) is None


def test_ranking_offers_the_candidates_for_a_vague_answer(demo_price_list):
    ranked = [match.product_code for match in rank_products("worry free", demo_price_list)]

    assert sorted(ranked[:3]) == ["WFBS-ADV", "WFBS-STD", "WFBS-SVC"]


def test_a_closer_match_scores_higher(demo_price_list):
    exact = match_product("Deep Security", demo_price_list).score
    typo = match_product("deep securty", demo_price_list).score
    partial = match_product("deep", demo_price_list).score

    assert exact > typo > partial
