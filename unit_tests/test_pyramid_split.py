"""The split rule, without Odoo: run with pytest from the repository root."""

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "pyramid_split", Path(__file__).parents[1] / "lib" / "pyramid_split.py"
)
pyramid_split = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(pyramid_split)

DEFAULT_SHARES = {"top": 1, "big": 4, "medium": 15, "small": 80}


def test_thousand_active_customers_split_10_40_150_800():
    assert pyramid_split.level_counts(1000, DEFAULT_SHARES) == (10, 40, 150, 800)


def test_seven_customers_still_have_one_top_customer():
    assert pyramid_split.level_counts(7, DEFAULT_SHARES) == (1, 0, 1, 5)


def test_counts_always_add_up_to_the_active_customers():
    for active_count in range(0, 2001):
        counts = pyramid_split.level_counts(active_count, DEFAULT_SHARES)
        assert sum(counts) == active_count
        assert min(counts) >= 0


def test_no_active_customer_gives_empty_levels():
    assert pyramid_split.level_counts(0, DEFAULT_SHARES) == (0, 0, 0, 0)


def test_one_customer_is_top():
    assert pyramid_split.level_counts(1, DEFAULT_SHARES) == (1, 0, 0, 0)


def test_decimal_shares_are_exact():
    shares = {"top": 0.5, "big": 4.5, "medium": 15, "small": 80}
    assert pyramid_split.level_counts(1000, shares) == (5, 45, 150, 800)


def test_float_noise_does_not_add_a_customer():
    # 0.1 + 0.2 is 0.30000000000000004 in binary floats
    shares = {"top": 0.1, "big": 0.2, "medium": 19.7, "small": 80}
    assert pyramid_split.level_boundaries(1000, shares) == (1, 3, 200)


def test_rank_maps_to_level_at_each_boundary():
    boundaries = pyramid_split.level_boundaries(1000, DEFAULT_SHARES)
    levels = [
        pyramid_split.level_for_rank(r, boundaries) for r in (10, 11, 50, 51, 200, 201)
    ]
    assert levels == ["top", "big", "big", "medium", "medium", "small"]


def test_missing_share_is_refused():
    with pytest.raises(ValueError, match="medium"):
        pyramid_split.level_boundaries(10, {"top": 1, "big": 4, "small": 95})


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        pyramid_split.level_boundaries(-1, DEFAULT_SHARES)


def test_levels_by_rank_add_up_to_the_split_for_every_size():
    # the SQL ranking places ranks with rank_bands, as level_for_rank does
    for active_count in range(0, 501):
        boundaries = pyramid_split.level_boundaries(active_count, DEFAULT_SHARES)
        levels = [
            pyramid_split.level_for_rank(rank, boundaries)
            for rank in range(1, active_count + 1)
        ]
        counts = tuple(levels.count(level) for level in pyramid_split.RANKED_LEVELS)
        assert counts == pyramid_split.level_counts(active_count, DEFAULT_SHARES)
