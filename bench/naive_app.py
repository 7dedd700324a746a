"""The recompute's job done as a typical Odoo app does it: the naive baseline.

For each company, an ORM loop over its commercial partners, with one
``search_read`` of each partner's orders (its contacts' included): revenue in
the active window, converted at each order's own rate and rounded to the cent
as the company's currency rounds; an opportunity count for a partner that never
bought and has no quotation. Then a sort in Python, the addon's own level
boundaries (``lib/pyramid_split.py``: the rule is the same, only the way
differs), and each partner's level, revenue and rank written through the ORM
into its standing row, one record at a time: the cheapest storage the ORM
offers here (a field of ``res.partner`` would cost more per write).

With a ``limit``, the loop places that many partners of each company and its
time is extrapolated linearly to the company's whole scope; the ranking of a
sample is not the addon's, so then only the revenue is compared.

Of what else the benchmark data holds, two things change a level: a
partner who refused profiling is not ranked and has no level, and a pinned
partner keeps its rank but shows its pin; both are read per partner, as such
an app would. Feedback and complaints change no level. ``run`` checks that
the answer is the addon's.
"""

import time
from datetime import datetime
from datetime import time as day_start

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tools import SQL


def scope_domain(env, company):
    """The addon's scope in a domain: commercial partners of the company,
    neither a company's partner nor an internal user."""
    own = (
        env["res.company"].search([]).partner_id
        | env["res.users"]
        .with_context(active_test=False)
        .search([("share", "=", False)])
        .partner_id
    )
    return [
        ("parent_id", "=", False),
        ("company_id", "in", [False, company.id]),
        ("id", "not in", own.ids),
    ]


def partner_facts(env, company, partner, window_start):
    """(revenue in the window, ever bought, has a relationship) of one partner."""
    orders = env["sale.order"].search_read(
        [
            ("partner_id.commercial_partner_id", "=", partner.id),
            ("company_id", "=", company.id),
            ("state", "in", ("draft", "sent", "sale")),
        ],
        ["state", "amount_untaxed", "currency_rate", "date_order"],
    )
    confirmed = [order for order in orders if order["state"] == "sale"]
    revenue = company.currency_id.round(
        sum(
            order["amount_untaxed"] / order["currency_rate"]
            for order in confirmed
            if order["date_order"] >= window_start
        )
    )
    related = len(orders) > len(confirmed)
    if not orders:
        related = bool(
            env["crm.lead"].search_count(
                [
                    ("partner_id.commercial_partner_id", "=", partner.id),
                    ("type", "=", "opportunity"),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )
    return revenue, bool(confirmed), related


def profiling_refused(env, company, partner):
    """Whether the partner's latest profiling consent in the company is a
    refusal."""
    latest = env["customer.consent"].search_read(
        [
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
            ("purpose", "=", "profiling"),
        ],
        ["state"],
        order="date desc, id desc",
        limit=1,
    )
    return bool(latest) and latest[0]["state"] == "refused"


def pin(company, partner, today):
    """The level the partner is pinned to in the company, or None."""
    partner = partner.with_company(company)
    until = partner.customer_pyramid_pin_until
    if partner.customer_pyramid_pinned_level and not (until and until < today):
        return partner.customer_pyramid_pinned_level
    return None


def place(revenues, bought, related, shares, refused, pins):
    """{partner id: (level, rank)}: the addon's levels, ranked in Python."""
    # importable only once Odoo has loaded the addons path
    from odoo.addons.customer_pyramid.lib.pyramid_split import (
        level_boundaries,
        level_for_rank,
    )

    active = sorted(
        (
            pid
            for pid, revenue in revenues.items()
            if revenue > 0 and pid not in refused
        ),
        key=lambda pid: -revenues[pid],
    )
    boundaries = level_boundaries(len(active), shares)
    placed = {}
    rank, previous = 0, None
    for position, pid in enumerate(active, 1):
        if revenues[pid] != previous:  # ties share the highest rank, as rank()
            rank, previous = position, revenues[pid]
        placed[pid] = (level_for_rank(rank, boundaries), rank)
    for pid in revenues.keys() - placed.keys():
        if pid in refused:
            placed[pid] = (None, 0)
        elif pid in bought:
            placed[pid] = ("inactive", 0)
        elif pid in related:
            placed[pid] = ("prospect", 0)
        else:
            placed[pid] = ("suspect", 0)
    for pid, level in pins.items():
        placed[pid] = (level, placed[pid][1])
    return placed


def run_company(env, company, limit):
    """Place up to ``limit`` partners of ``company``; (placed, revenues)."""
    parameters = company._customer_pyramid_parameters()
    start = fields.Date.context_today(env.user) - relativedelta(
        months=parameters["window_months"]
    )
    window_start = datetime.combine(start, day_start.min)
    partners = env["res.partner"].search(
        scope_domain(env, company), order="id", limit=limit
    )
    today = fields.Date.context_today(env.user)
    revenues, bought, related, refused, pins = {}, set(), set(), set(), {}
    for partner in partners:
        revenue, ever_bought, has_relation = partner_facts(
            env, company, partner, window_start
        )
        revenues[partner.id] = revenue
        if ever_bought:
            bought.add(partner.id)
        if has_relation:
            related.add(partner.id)
        if profiling_refused(env, company, partner):
            refused.add(partner.id)
        if level := pin(company, partner, today):
            pins[partner.id] = level
    placed = place(revenues, bought, related, parameters["shares"], refused, pins)
    standing = env["customer.pyramid.standing"]
    rows = {
        row.partner_id: row
        for row in standing.search(
            [("company_id", "=", company.id), ("partner_id", "in", partners.ids)]
        )
    }
    for pid, (level, rank) in placed.items():
        values = {"level": level, "rank": rank, "revenue": revenues[pid]}
        if pid in rows:
            rows[pid].write(values)
        else:
            standing.create({"partner_id": pid, "company_id": company.id, **values})
    env.flush_all()
    return placed, revenues


def stored_standing(env, company):
    """{partner id: (level, revenue)} as the addon stored them."""
    env.cr.execute(
        SQL(
            "SELECT partner_id, level, revenue FROM customer_pyramid_standing"
            " WHERE company_id = %s",
            company.id,
        )
    )
    return {pid: (level, revenue) for pid, level, revenue in env.cr.fetchall()}


def run(env, limit=None):
    """Time the naive app on every company, and compare it with the addon.

    Returns (seconds, extrapolated to the whole scope with a ``limit``;
    partners compared; partners that disagree with the addon).
    """
    seconds = 0.0
    compared = disagree = 0
    for company in env["res.company"].search([], order="id"):
        stored = stored_standing(env, company)
        # what the extrapolation scales to, counted outside the timed job
        scope_size = env["res.partner"].search_count(scope_domain(env, company))
        started = time.perf_counter()
        placed, revenues = run_company(env, company, limit)
        seconds += (time.perf_counter() - started) * scope_size / max(len(placed), 1)
        currency = company.currency_id
        for pid, (level, _rank) in placed.items():
            stored_level, stored_revenue = stored.get(pid, (None, None))
            # to the cent: an exact half cent (1,408.55 at a rate of 0.88 is
            # 1,600.625) rounds down in PostgreSQL, whose division keeps a
            # finite number of digits (1,600.6249...), and up in Python
            same = stored_revenue is not None and (
                currency.compare_amounts(
                    abs(revenues[pid] - stored_revenue), currency.rounding
                )
                <= 0
            )
            if limit is None:
                same = same and level == stored_level
            compared += 1
            disagree += not same
        if limit is None:  # and none the addon placed that the app missed
            missed = len(stored.keys() - placed.keys())
            compared += missed
            disagree += missed
    return seconds, compared, disagree
