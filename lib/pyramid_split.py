"""How many active customers each pyramid level holds.

Pure Python (no Odoo import) so that the rule is tested without a database and
the SQL recompute receives ready-made rank boundaries as parameters.
"""

from decimal import ROUND_CEILING, Decimal

RANKED_LEVELS = ("top", "big", "medium", "small")


def level_boundaries(active_count, shares):
    """Return the last rank of ``top``, ``big`` and ``medium``.

    ``shares`` maps each ranked level to its percentage; they add up to 100.
    Each cumulative boundary is rounded up, so that the counts always add up to
    ``active_count``, one customer out of seven is still ``top``, and 1,000
    customers split exactly 10 / 40 / 150 / 800. Decimal arithmetic keeps
    1000 * 5 % at 50, where binary floats could give 50.000000000000007.
    """
    if active_count < 0:
        raise ValueError("active_count must not be negative")
    missing = [level for level in RANKED_LEVELS if level not in shares]
    if missing:
        raise ValueError(f"missing shares for {', '.join(missing)}")
    boundaries = []
    cumulative = Decimal(0)
    for level in RANKED_LEVELS[:-1]:
        cumulative += Decimal(str(shares[level]))
        boundary = (Decimal(active_count) * cumulative / 100).to_integral_value(
            rounding=ROUND_CEILING
        )
        boundaries.append(min(int(boundary), active_count))
    return tuple(boundaries)


def level_counts(active_count, shares):
    """Customers per ranked level, in RANKED_LEVELS order, when no ranks tie."""
    top, big, medium = level_boundaries(active_count, shares)
    return (top, big - top, medium - big, active_count - medium)


def rank_bands(boundaries):
    """(level, last rank) of each ranked level but the lowest, highest first;
    a rank past them all is the lowest level. The SQL ranking builds its
    CASE from these, so that it and ``level_for_rank`` are one rule."""
    return list(zip(RANKED_LEVELS[:-1], boundaries, strict=True))


def level_for_rank(rank, boundaries):
    """The ranked level of a customer at ``rank`` (1 is the highest revenue)."""
    for level, last_rank in rank_bands(boundaries):
        if rank <= last_rank:
            return level
    return RANKED_LEVELS[-1]


# Every level, highest first: ranked levels, then those without revenue.
LEVEL_SELECTION = [
    ("top", "Top"),
    ("big", "Big"),
    ("medium", "Medium"),
    ("small", "Small"),
    ("inactive", "Inactive"),
    ("prospect", "Prospect"),
    ("suspect", "Suspect"),
    ("rest", "Rest of the world"),
]
ACTIVE_LEVELS = RANKED_LEVELS
LEVELS = tuple(level for level, _label in LEVEL_SELECTION)
