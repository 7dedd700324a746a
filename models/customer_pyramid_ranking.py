from itertools import pairwise

from odoo import models
from odoo.tools import SQL

from ..lib.pyramid_split import ACTIVE_LEVELS, LEVELS, rank_bands
from .customer_consent import profiling_refused
from .customer_pyramid_query import (
    FACTS,
    FACTS_TABLE,
    OLD_FACT_COLUMNS,
    RANKS,
    RANKS_TABLE,
    RESULT,
    SALES,
    SALES_TABLE,
    cutoff_of,
    hundredths,
)
from .customer_pyramid_standing import FACT_COLUMNS


class CustomerPyramidRanking(models.AbstractModel):
    """Where a level is decided: the sums, the ranks, the cut-offs, and the
    placement of every partner (marks, pins, grace band), into the result
    table. The full run ranks everyone; an event places a few partners
    against the last run's cut-offs. Nothing here writes a standing row."""

    _name = "customer.pyramid.ranking"
    _inherit = "customer.pyramid.query"
    _description = "Customer pyramid ranking"

    def _build_facts(self, company, parameters=None, partner_ids=None, window=None):
        """Fill customer_pyramid_facts for the reports: see ``_facts_query``."""
        self._build_sales(company, parameters, partner_ids, window)
        self._fill_temporary_table(
            FACTS,
            self._facts_query(
                company, parameters, partner_ids, window, sales=SALES_TABLE
            ),
            fresh=True,
        )
        # No autovacuum analyses a temporary table: without statistics the
        # reports' joins are planned for a few thousand rows, not a million.
        self.env.cr.execute(
            SQL("ANALYZE %s (partner_id, revenue, in_scope, ranked)", FACTS_TABLE)
        )

    def _build_sales(self, company, parameters=None, partner_ids=None, window=None):
        """Fill customer_pyramid_sales: see ``_sales_query``.

        The orders are summed first, on their own: only a statement without
        the facts' full join lets PostgreSQL share the sum between workers.
        """
        self._disable_jit()
        cr = self.env.cr
        # PostgreSQL prices sending a million partial sums from its workers
        # above summing alone; measured, two workers more than halve the sum
        # on two cores (docs/benchmarks.md).
        cr.execute(SQL("SET LOCAL parallel_setup_cost = 0"))
        cr.execute(SQL("SET LOCAL parallel_tuple_cost = 0"))
        self._fill_temporary_table(
            SALES,
            self._sales_query(company, parameters, partner_ids, window),
            fresh=True,
        )
        cr.execute(SQL("SET LOCAL parallel_setup_cost TO DEFAULT"))
        cr.execute(SQL("SET LOCAL parallel_tuple_cost TO DEFAULT"))

    def _build_ranks(self, company, parameters):
        """Fill customer_pyramid_ranks: the rows of customer_pyramid_sales,
        with whether the buyer is in the pyramid (``in_scope``), is ranked
        (``ranked``), and its rank among the active customers.

        Read from the sales and the partners alone, so that the statistics
        and the cut-offs are known before the partners' wide facts are
        computed, once, straight into the result.
        """
        key = str(company.id)
        # The revenues leave here as double precision, the type the standing
        # stores them in (Odoo's Float): the result compares every partner's
        # facts with its stored row, and PostgreSQL compares a numeric with a
        # double by converting it through text, a large share of a daily
        # run at a million partners. The sums themselves are exact numerics rounded to
        # the cent, which a double holds to the cent below 10^13.
        # rank() gives tied revenues the same, highest, rank: a tie at a
        # boundary goes to the higher level, deterministically. The buyers
        # that are not ranked sort last, so they rank nobody down; one sort
        # of narrow rows serves the ranks and the statistics alike.
        self._fill_temporary_table(
            RANKS,
            SQL(
                """
                WITH buyers AS (
                    SELECT sa.partner_id, sa.revenue::float8 AS revenue,
                           sa.lifetime_revenue::float8 AS lifetime_revenue,
                           sa.order_count, sa.orders_in_window,
                           sa.unconverted_orders, sa.first_order_date,
                           sa.last_order_date, p.id IS NOT NULL AS in_scope,
                           p.id IS NOT NULL AND %(ranked)s AS ranked
                      FROM %(sales)s sa
                 LEFT JOIN res_partner p
                        ON p.id = sa.partner_id AND %(in_scope)s
                    OFFSET 0
                )
                SELECT b.*, CASE WHEN b.ranked THEN rank() OVER (
                                ORDER BY CASE WHEN b.ranked THEN b.revenue END
                                         DESC NULLS LAST) END AS rank
                  FROM buyers b
                """,
                sales=SALES_TABLE,
                in_scope=self._in_ranking(company, parameters, "p"),
                ranked=self._ranked(
                    SQL("sa.revenue"),
                    self._mark("p", key),
                    profiling_refused("p", company.id),
                ),
            ),
            fresh=True,
        )

    def _fill_result(self, ranked, cutoffs, grace_band, fresh=False):
        """From ``ranked`` (facts plus rank and ranked_level) to the result
        rows; returns their number.

        ``ranked_level`` is where the revenue ranks an active customer;
        ``cutoffs`` gives {level: the lowest revenue reaching it}. Both the
        full recompute and the event path end here, so that marks, pins and
        the grace band mean the same on both. ``fresh``: see
        ``_fill_temporary_table``.

        One statement over the ranked rows: marks, pins, the grace band and
        the comparison with the stored row read each other's columns, and
        each step of their own would copy every wide row once more.
        """
        order = list(LEVELS)
        query = SQL(
            """
            -- OFFSET 0 computes a step once per row: inlined into the next,
            -- a column such as held would be computed again at each use, up
            -- to six times. Each step also copies the whole wide row, so
            -- only the costly ones are steps of their own.
            WITH levels AS (
                -- The grace band holds an active customer on its level while
                -- its revenue stays within the band around the first cut-off
                -- it crosses: its own level's going down, the next level's
                -- going up (NULL, not FALSE, keeps the stored row small).
                SELECT k.*,
                       CASE WHEN %(band)s > 0
                             AND k.ranked_level IS NOT NULL
                             AND k.old_computed_level = ANY(%(active)s)
                             AND k.old_computed_level <> k.ranked_level
                             AND CASE
                                 WHEN array_position(%(order)s, k.ranked_level)
                                      > array_position(%(order)s, k.old_computed_level)
                                 THEN k.revenue >= %(own_cutoff)s * (1 - %(band)s)
                                 ELSE k.revenue <= %(above_cutoff)s * (1 + %(band)s) END
                            THEN TRUE END AS held
                  FROM (%(ranked)s) k
                OFFSET 0
            ),
            computed AS (
                SELECT l.*,
                       CASE WHEN l.not_profiled THEN NULL
                            WHEN l.mark = 'rest' THEN 'rest'
                            WHEN l.held THEN l.old_computed_level
                            WHEN l.ranked_level IS NOT NULL THEN l.ranked_level
                            WHEN l.order_count > 0 THEN 'inactive'
                            WHEN l.mark = 'suspect' THEN 'suspect'
                            WHEN l.has_relation OR l.mark = 'prospect' THEN 'prospect'
                            ELSE 'suspect' END AS computed_level
                  FROM levels l
                OFFSET 0
            ),
            placed AS (
                SELECT c.*, COALESCE(c.pinned_level, c.computed_level) AS level,
                       %(cutoff)s AS cutoff
                  FROM computed c
            )
            -- what the writes, the snapshot and the preview read, no more:
            -- a first ranking writes and reads this a million times
            SELECT partner_id, old_level, old_revenue, type_manual,
                   goal_manual, ranked_level, %(facts)s, entering,
                   entering OR (%(old_facts)s) IS DISTINCT FROM (%(facts)s)
                       AS changed
              FROM placed
            """,
            facts=SQL(", ").join(SQL.identifier(c) for c in FACT_COLUMNS.values()),
            old_facts=SQL(", ").join(
                SQL.identifier(old) for old in OLD_FACT_COLUMNS.values()
            ),
            ranked=ranked,
            own_cutoff=cutoff_of(SQL("k.old_computed_level"), cutoffs),
            above_cutoff=cutoff_of(
                SQL("k.old_computed_level"),
                {below: cutoffs.get(above) for above, below in pairwise(order)},
            ),
            cutoff=cutoff_of(SQL("c.computed_level"), cutoffs),
            band=grace_band / 100.0,
            active=list(ACTIVE_LEVELS),
            order=SQL("%s::varchar[]", order),
        )
        return self._fill_temporary_table(RESULT, query, fresh=fresh)

    def _level_of_rank(self, boundaries, rank):
        """SQL: the active level of the customer ranked ``rank``, by the
        level ``boundaries`` of the ranking (see ``level_boundaries``)."""
        return SQL(
            "CASE %s ELSE %s END",
            SQL(" ").join(
                SQL("WHEN %s <= %s THEN %s", rank, last_rank, level)
                for level, last_rank in rank_bands(boundaries)
            ),
            ACTIVE_LEVELS[-1],
        )

    def _build_ranked_result(self, company, parameters, boundaries, active_count):
        """Place every partner in scope into the result, the active customers
        by their rank in customer_pyramid_ranks.

        Returns the cut-offs, {level: the lowest revenue ranked on it}, and
        the number of partners in scope.
        """
        self.env.cr.execute(
            SQL(
                "SELECT %s, min(revenue) FROM %s WHERE rank IS NOT NULL GROUP BY 1",
                self._level_of_rank(boundaries, SQL("rank")),
                RANKS_TABLE,
            )
        )
        cutoffs = {level: float(cutoff) for level, cutoff in self.env.cr.fetchall()}
        # The percentile in double precision, as stored (see _build_ranks).
        # The facts go straight into the result, in one statement: written
        # into a table of their own first, a million wide rows would be
        # written and read once more (docs/benchmarks.md).
        ranked = SQL(
            """
            SELECT f.*, %(percentile)s AS percentile,
                   CASE WHEN f.rank IS NOT NULL THEN %(ranked_level)s END
                       AS ranked_level
              FROM (%(facts)s) f
             WHERE f.in_scope
            """,
            facts=self._facts_query(company, parameters, sales=RANKS_TABLE),
            percentile=hundredths(SQL("100 * f.rank"), max(active_count, 1)),
            ranked_level=self._level_of_rank(boundaries, SQL("f.rank")),
        )
        # fresh: a transaction recomputing several companies (the Settings
        # button, the installation) would otherwise fill the result of the
        # second one by an INSERT, which PostgreSQL runs without parallel
        # workers.
        scope_count = self._fill_result(
            ranked, cutoffs, parameters["grace_band"], fresh=True
        )
        return cutoffs, scope_count

    def _build_result_from_cutoffs(self, company, parameters, facts_query):
        """Place refreshed partners against the last full recompute's cut-offs,
        which it returns.

        The facts of a few partners go straight into the result, in one
        statement: an order event pays for one query plan, not two.
        """
        cutoffs, ranked_count = self._latest_run(company)
        # Without a full recompute yet, every active customer starts small.
        placements = [
            SQL("WHEN f.revenue >= %s THEN %s", cutoffs[level], level)
            for level in ACTIVE_LEVELS[:-1]
            if cutoffs.get(level) is not None
        ]
        ranked_level = SQL("'small'")
        if placements:
            ranked_level = SQL("CASE %s ELSE 'small' END", SQL(" ").join(placements))
        # The rank against the last full run: one more than the rank of the
        # customer ranked just above (ties share it, as rank() does), found
        # through the index on the ranked revenues: one step, not a count of
        # every customer above. Among the run's customers and this one.
        ranked = SQL(
            """SELECT f.*, r.rank,
                      %(percentile)s AS percentile,
                      CASE WHEN f.ranked THEN %(ranked_level)s END AS ranked_level
                 FROM (%(facts)s) f
            LEFT JOIN LATERAL (
                    SELECT 1 + COALESCE((
                        SELECT st.rank FROM customer_pyramid_standing st
                         WHERE st.company_id = %(company)s AND st.rank IS NOT NULL
                           AND st.revenue > f.revenue
                           AND st.partner_id <> f.partner_id
                      ORDER BY st.revenue LIMIT 1), 0) AS rank
                  ) r ON f.ranked
                WHERE f.in_scope""",
            facts=facts_query,
            company=company.id,
            percentile=hundredths(
                SQL("100 * r.rank"),
                SQL(
                    "GREATEST(%s + CASE WHEN f.old_rank IS NULL THEN 1 ELSE 0 END,"
                    " r.rank)",
                    ranked_count,
                ),
            ),
            ranked_level=ranked_level,
        )
        self._fill_result(ranked, cutoffs, parameters["grace_band"])
        return cutoffs

    def _latest_run(self, company):
        """The last run of ``company``: its cut-offs, {level: the lowest
        revenue ranked on it}, and the number of customers the last full
        rebuild ranked (before the first one is stamped: the customers on an
        active level in the last run's snapshot)."""
        self.env["customer.pyramid.snapshot"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT level, cutoff_revenue, customer_count
                     FROM customer_pyramid_snapshot
                    WHERE company_id = %(company)s AND run_date = (
                        SELECT max(run_date) FROM customer_pyramid_snapshot
                         WHERE company_id = %(company)s)""",
                company=company.id,
            )
        )
        rows = self.env.cr.fetchall()
        cutoffs = {
            level: float(cutoff) for level, cutoff, _count in rows if cutoff is not None
        }
        if company.customer_pyramid_last_full_run:
            return cutoffs, company.customer_pyramid_ranked_count
        ranked = sum(
            count or 0 for level, _cutoff, count in rows if level in ACTIVE_LEVELS
        )
        return cutoffs, ranked
