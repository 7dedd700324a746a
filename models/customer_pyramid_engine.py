import json
import logging
import time
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.pyramid_split import ACTIVE_LEVELS, LEVELS, level_boundaries, rank_bands
from .customer_consent import profiling_refused
from .customer_pyramid_standing import FACT_COLUMNS, STANDING_FIELDS

_logger = logging.getLogger(__name__)

# First key of the advisory lock (pg_*advisory_xact_lock(int, int)); the second
# key is the company id, so companies are recomputed independently. A full
# recompute holds it exclusively, order events share it: they never interleave.
LOCK_NAMESPACE = 74_726_179
# First key of the per-partner lock an event holds until its commit, the
# second the partner's id: two transactions refreshing the same partner
# take turns, so the second reads the first's committed orders (READ
# COMMITTED) or fails to serialize and is retried by Odoo (REPEATABLE READ).
PARTNER_LOCK_NAMESPACE = 74_726_180
# A full recompute waits this long for in-flight order events before it skips.
LOCK_ATTEMPTS = 5
LOCK_RETRY_SECONDS = 0.2
# Partners handled in one call of the scheduled action before it hands the
# remaining companies to the next call (each call is one transaction).
CRON_PARTNER_BUDGET = 500_000

FACTS = "customer_pyramid_facts"
SALES = "customer_pyramid_sales"
RANKS = "customer_pyramid_ranks"
RESULT = "customer_pyramid_result"
CHANGES = "customer_pyramid_changes"
FACTS_TABLE = SQL.identifier(FACTS)
SALES_TABLE = SQL.identifier(SALES)
RANKS_TABLE = SQL.identifier(RANKS)
RESULT_TABLE = SQL.identifier(RESULT)
CHANGES_TABLE = SQL.identifier(CHANGES)
# The facts carry the stored value of each fact column as old_<column>.
OLD_FACT_COLUMNS = {column: f"old_{column}" for column in FACT_COLUMNS.values()}

# Order column of each ranking basis; margin comes with sale_margin.
AMOUNT_COLUMNS = {
    "untaxed": "amount_untaxed",
    "total": "amount_total",
    "margin": "margin",
}


def not_our_own_partner(alias):
    """SQL: the partner ``alias`` is neither one of our companies nor an employee.

    Those are never customers: not in the pyramid, not on the lifecycle board.
    NOT IN, not NOT EXISTS: both columns are required, and a hashed subplan
    filters the partners where they are read, by parallel workers too,
    where two anti-joins would each pass a million wide rows on.
    """
    return SQL(
        "%(id)s NOT IN (SELECT rc.partner_id FROM res_company rc)"
        " AND %(id)s NOT IN (SELECT u.partner_id FROM res_users u WHERE NOT u.share)",
        id=SQL.identifier(alias, "id"),
    )


def cents_sum(amounts, condition=None):
    """SQL: the exact sum of ``amounts``, doubles that hold amounts to the
    cent, over the rows meeting ``condition`` (all by default).

    Added up as whole cents: doubles add up with rounding errors, and a cast
    of each to numeric goes through text (0.8 s at a million rows).
    """
    return SQL(
        "sum(round(%s * 100)::bigint) FILTER (WHERE %s) / 100.0",
        amounts,
        condition or SQL("TRUE"),
    )


def hundredths(numerator, denominator):
    """SQL: ``numerator / denominator``, not negative, as a double rounded to
    two decimals half up, as numeric ``round()`` does.

    Not ``round()`` of a double, which rounds half to even (3.125 to 3.12).
    One division of the numerator times 100: exact when the quotient is a
    half, so the half goes up.
    """
    return SQL("floor(100.0::float8 * (%s) / %s + 0.5) / 100", numerator, denominator)


class CustomerPyramidEngine(models.AbstractModel):
    """The one implementation of the pyramid computation.

    Everything runs inside PostgreSQL on temporary tables, per company:
    ``customer_pyramid_sales`` (what each commercial partner bought),
    ``customer_pyramid_ranks`` (that, with whether the buyer is in the
    pyramid and its rank), ``customer_pyramid_result`` (the facts a level
    needs, the new standing row, and whether it differs from the stored one)
    and ``customer_pyramid_changes`` (the level changes); the reports read
    ``customer_pyramid_facts``. The full recompute ranks every active
    customer; an order event only refreshes the facts of its partner and
    places it against the cut-offs of the last full recompute.
    """

    _name = "customer.pyramid.engine"
    _description = "Customer pyramid recompute"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _cron_recompute(self):
        """Scheduled action: recompute the companies not done since the last run.

        Companies are handled in one transaction each batch; when the batch
        budget is spent, ``_notify_progress`` asks the cron runner to call again,
        so a crash only loses the batch being computed, never earlier levels.
        """
        lastcall = self.env.context.get("lastcall")
        domain = []
        if lastcall:
            domain = [
                "|",
                ("customer_pyramid_last_run", "=", False),
                ("customer_pyramid_last_run", "<=", lastcall),
            ]
        companies = self.env["res.company"].search(
            domain, order="customer_pyramid_last_run ASC NULLS FIRST, id"
        )
        done = 0
        partners_done = 0
        for company in companies:
            if partners_done >= CRON_PARTNER_BUDGET:
                break
            stats = self._recompute_company(company, "cron")
            done += 1
            if stats:
                partners_done += stats["partners"]
        self.env["ir.cron"]._notify_progress(done=done, remaining=len(companies) - done)

    @api.model
    def recompute_companies(self, companies, cause="install"):
        """Recompute now (Settings button, post-init hook).

        Refuses, with a message, a company whose recompute is already running.
        Returns the statistics of each company's run, by company.
        """
        stats = {}
        for company in companies:
            stats[company] = self._recompute_company(company, cause)
            if stats[company] is None:
                raise UserError(
                    _(
                        "The customer pyramid of %(company)s is being recomputed "
                        "right now. Try again in a minute.",
                        company=company.name,
                    )
                )
        return stats

    def _refresh_now(self, company, partner_ids, cause):
        # Waits while a full recompute of this company runs, so that neither
        # overwrites the other with facts read before the other committed.
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock_shared(%s, %s)",
                LOCK_NAMESPACE,
                company.id,
            )
        )
        # in ascending order, so that two events never wait for each other
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(%s, partner_id)"
                "  FROM unnest(%s::int[]) AS partner_id ORDER BY partner_id",
                PARTNER_LOCK_NAMESPACE,
                sorted(partner_ids),
            )
        )
        self._flush_sources()
        parameters = company._customer_pyramid_parameters()
        self._build_result_from_cutoffs(
            company, parameters, self._facts_query(company, parameters, partner_ids)
        )
        self._apply_result(company, cause)
        self._forget_out_of_scope(company, partner_ids)

    # ------------------------------------------------------------------
    # The full recompute of one company
    # ------------------------------------------------------------------
    def _recompute_company(self, company, cause, parameters=None, dry_run=False):
        """Rank every commercial partner of ``company``; None when locked.

        With ``dry_run`` (the preview), the result stays in the temporary table
        customer_pyramid_result and nothing is written: the same SQL either way.
        ``parameters`` overrides the company's settings (see
        ``res.company._customer_pyramid_parameters``).
        """
        cr = self.env.cr
        self.env["customer.pyramid.event"].apply_pending()
        if not dry_run and not self._try_lock(company):
            _logger.info(
                "customer pyramid: %s is being recomputed by another worker, skipped",
                company.name,
            )
            return None
        self._flush_sources()
        parameters = parameters or company._customer_pyramid_parameters()
        if not dry_run:
            self._expire_pins(company)
        run_date = fields.Datetime.now()
        self._build_sales(company, parameters)
        self._build_ranks(company)
        cr.execute(
            SQL(
                "SELECT count(rank), COALESCE(sum(unconverted_orders), 0)::int,"
                " count(*) FILTER (WHERE NOT in_scope),"
                " count(*) FILTER (WHERE in_scope AND rank IS NULL"
                "                  AND orders_in_window > 0)"
                " FROM %s",
                RANKS_TABLE,
            )
        )
        active_count, unconverted, out_of_scope, non_positive = cr.fetchone()
        boundaries = level_boundaries(active_count, parameters["shares"])
        cutoffs, scope_count = self._build_ranked_result(
            company, parameters, boundaries, active_count
        )
        stats = {
            "partners": scope_count,
            "active": active_count,
            "orders_without_rate": unconverted,
            "partners_out_of_scope": out_of_scope,
            "partners_without_positive_revenue": non_positive,
            "cutoffs": cutoffs,
        }
        if dry_run:
            return stats
        stats["placed"], stats["changed"] = self._apply_result(company, cause)
        stats["forgotten"] = self._forget_out_of_scope(company)
        settings_label = company._customer_pyramid_settings_label(parameters)
        self._store_snapshot(company, run_date, settings_label, cutoffs)
        company.sudo().write(  # the cron user may not be a settings admin
            {
                "customer_pyramid_last_run": run_date,
                "customer_pyramid_last_settings": settings_label,
            }
        )
        _logger.info(
            "customer pyramid: %s: %s partners, %s active (boundaries %s), "
            "%s placed for the first time, %s changed level; "
            "skipped: %s orders without currency rate, "
            "%s archived or foreign partners with orders, "
            "%s partners with zero or negative revenue in the window",
            company.name,
            scope_count,
            active_count,
            boundaries,
            stats["placed"],
            stats["changed"],
            unconverted,
            out_of_scope,
            non_positive,
        )
        return stats

    def _expire_pins(self, company):
        """Unpin the pins whose end date has passed, logged as 'pin expired'.

        Their partners are refreshed at once against the last cut-offs, so
        that the level change carries its own cause; the full recompute that
        follows ranks them with everyone else.
        """
        key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner
                   SET customer_pyramid_pinned_level =
                           customer_pyramid_pinned_level - %(key)s,
                       customer_pyramid_pin_reason =
                           COALESCE(customer_pyramid_pin_reason, '{}'::jsonb)
                           - %(key)s,
                       customer_pyramid_pin_until = customer_pyramid_pin_until
                           - %(key)s
                 WHERE customer_pyramid_pin_until IS NOT NULL
                   AND (customer_pyramid_pin_until ->> %(key)s)::date < %(today)s
             RETURNING id
                """,
                key=key,
                today=fields.Date.context_today(self),
            )
        )
        partner_ids = [partner_id for (partner_id,) in self.env.cr.fetchall()]
        if not partner_ids:
            return
        partners = self.env["res.partner"].browse(partner_ids)
        partners.invalidate_recordset(
            [
                "customer_pyramid_pinned_level",
                "customer_pyramid_pin_reason",
                "customer_pyramid_pin_until",
            ]
        )
        body = Markup("<p>%s</p>") % _(
            "The pinned pyramid level for %(company)s expired.", company=company.name
        )
        partners._message_log_batch(bodies=dict.fromkeys(partner_ids, body))
        self._refresh_now(company, partner_ids, "pin_expired")

    # ------------------------------------------------------------------
    # SQL steps
    # ------------------------------------------------------------------
    def _try_lock(self, company):
        """The company's lock, exclusively; False while another run holds it."""
        for attempt in range(LOCK_ATTEMPTS):
            self.env.cr.execute(
                SQL(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)",
                    LOCK_NAMESPACE,
                    company.id,
                )
            )
            if self.env.cr.fetchone()[0]:
                return True
            if attempt < LOCK_ATTEMPTS - 1:
                time.sleep(LOCK_RETRY_SECONDS)  # order events hold it briefly
        return False

    def _disable_jit(self):
        """No JIT compilation for the rest of the transaction.

        PostgreSQL compiles a statement whose estimated cost is high enough;
        the whole base's statements are wide and run once, so compiling them
        costs more than it saves: 8.7 s of a 21 s facts statement at a
        million partners (docs/benchmarks.md). A server without JIT ignores
        the setting. The facts come first, so every statement after them
        runs without it too.
        """
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

    def _flush_sources(self):
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed"]
            + ["amount_total", "currency_rate"]
        )
        self.env["crm.lead"].flush_model(["active", "type", "partner_id", "company_id"])
        self.env["customer.feedback"].flush_model()
        self.env["customer.relationship.default"].flush_model()
        self.env["mail.activity"].flush_model(
            ["res_model", "res_id", "activity_type_id", "active"]
        )
        self.env["res.partner"].flush_model()
        self.env["customer.consent"].flush_model()
        self.env["customer.pyramid.standing"].flush_model()

    def _temporary_table_exists(self, name):
        self.env.cr.execute(SQL("SELECT to_regclass(%s)", f"pg_temp.{name}"))
        return self.env.cr.fetchone()[0] is not None

    def _fill_temporary_table(self, name, query, fresh=False):
        """Fill the temporary table ``name`` with the rows of ``query``;
        returns their number.

        Created from the query's first use in the transaction, emptied before
        each later use: a transaction with a thousand events must not hold
        a lock on a thousand dropped tables (max_locks_per_transaction), and an
        event pays one statement. TRUNCATE, not DELETE: dead rows would make
        every later event scan all earlier ones.
        ``fresh`` creates the table again instead, once per company: only
        ``CREATE TABLE ... AS`` lets PostgreSQL read the sources with parallel
        workers (it plans no parallel ``INSERT``), which the sums of the whole
        base's orders need.
        """
        cr = self.env.cr
        table = SQL.identifier(name)
        if self._temporary_table_exists(name):
            if not fresh:
                cr.execute(SQL("TRUNCATE %s", table))
                cr.execute(SQL("INSERT INTO %s %s", table, query))
                return cr.rowcount
            cr.execute(SQL("DROP TABLE %s", table))
        cr.execute(SQL("CREATE TEMPORARY TABLE %s ON COMMIT DROP AS %s", table, query))
        return cr.rowcount

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
        # on two cores (12 s to 5.5 s for 4 million orders).
        cr.execute(SQL("SET LOCAL parallel_setup_cost = 0"))
        cr.execute(SQL("SET LOCAL parallel_tuple_cost = 0"))
        self._fill_temporary_table(
            SALES,
            self._sales_query(company, parameters, partner_ids, window),
            fresh=True,
        )
        cr.execute(SQL("SET LOCAL parallel_setup_cost TO DEFAULT"))
        cr.execute(SQL("SET LOCAL parallel_tuple_cost TO DEFAULT"))

    def _build_ranks(self, company):
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
        # double by converting it through text: 1.5 s of a daily run at a
        # million partners. The sums themselves are exact numerics rounded to
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
                in_scope=self._in_scope(company, "p"),
                ranked=self._ranked(
                    SQL("sa.revenue"),
                    self._mark("p", key),
                    profiling_refused("p", company.id),
                ),
            ),
            fresh=True,
        )

    def _in_scope(self, company, alias):
        """SQL: the partner ``alias`` is a commercial partner in the pyramid
        of ``company``: who may be a customer, for the ranking, the events,
        the lifecycle and the reports alike.

        Active, commercial, of the company or shared, not one of our
        companies or employees, and not a mere vendor: a vendor is in only
        once it bought from the company (vendors are few, so the orders are
        looked up for them alone).
        """
        return SQL(
            "%(active)s AND %(id)s = %(commercial)s"
            " AND (%(company_of)s IS NULL OR %(company_of)s = %(company)s)"
            " AND %(not_our_own)s"
            " AND (COALESCE(%(supplier_rank)s, 0) = 0"
            "      OR COALESCE(%(customer_rank)s, 0) > 0"
            "      OR EXISTS (SELECT 1 FROM sale_order vso"
            "                   JOIN res_partner vp ON vp.id = vso.partner_id"
            "                  WHERE vp.commercial_partner_id = %(id)s"
            "                    AND vso.company_id = %(company)s"
            "                    AND vso.state = 'sale'))",
            active=SQL.identifier(alias, "active"),
            id=SQL.identifier(alias, "id"),
            commercial=SQL.identifier(alias, "commercial_partner_id"),
            company_of=SQL.identifier(alias, "company_id"),
            company=company.id,
            not_our_own=not_our_own_partner(alias),
            supplier_rank=SQL.identifier(alias, "supplier_rank"),
            customer_rank=SQL.identifier(alias, "customer_rank"),
        )

    def _partners_in_scope(self, company, partner_ids):
        """The ids among ``partner_ids`` of the partners in the pyramid of
        ``company``: the rule ``_in_scope`` applied to a few partners."""
        if not partner_ids:
            return []
        self.env["res.partner"].flush_model()
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state"])
        rows = self.env.execute_query(
            SQL(
                "SELECT p.id FROM res_partner p WHERE p.id = ANY(%s) AND %s",
                list(partner_ids),
                self._in_scope(company, "p"),
            )
        )
        return [partner_id for (partner_id,) in rows]

    def _mark(self, alias, key):
        """SQL: the level the partner ``alias`` was marked with by hand."""
        return SQL("%s ->> %s", SQL.identifier(alias, "customer_pyramid_mark"), key)

    def _ranked(self, revenue, mark, not_profiled):
        """SQL: a partner in scope with this revenue, mark and consent is
        ranked as an active customer."""
        return SQL(
            "%s > 0 AND %s IS DISTINCT FROM 'rest' AND %s IS NOT TRUE",
            revenue,
            mark,
            not_profiled,
        )

    def _window(self, parameters, window):
        """(start, SQL condition on date_order) of the revenue window."""
        if window:
            return window[0], SQL("date_order >= %s AND date_order < %s", *window)
        start = fields.Date.context_today(self) - relativedelta(
            months=parameters["window_months"]
        )
        return start, SQL("date_order >= %s", start)

    def _of_commercial_partners(self, alias, partner_ids, column="partner_id"):
        """SQL: ``AND`` the partner of the rows ``alias`` (in ``column``) is
        one of the commercial partners ``partner_ids`` or their contacts;
        nothing when ``partner_ids`` is None (every partner)."""
        if partner_ids is None:
            return SQL()
        return SQL(
            "AND %s IN (SELECT id FROM res_partner"
            " WHERE commercial_partner_id = ANY(%s))",
            SQL.identifier(alias, column),
            partner_ids,
        )

    def _sales_query(self, company, parameters=None, partner_ids=None, window=None):
        """What each commercial partner bought from ``company``, in the
        company's currency: in the window and in all, with its order dates."""
        parameters = parameters or company._customer_pyramid_parameters()
        _start, in_window = self._window(parameters, window)
        return SQL(
            """
            WITH orders AS (
                SELECT cp.commercial_partner_id AS partner_id,
                       so.date_order,
                       %(amount)s / NULLIF(so.currency_rate, 0) AS amount
                  FROM sale_order so
                  JOIN res_partner cp ON cp.id = so.partner_id
                 WHERE so.company_id = %(company_id)s
                   AND so.state = 'sale'
                   %(order_filter)s
                -- sorted by the workers, summed by one process: partial sums
                -- of numeric amounts cost more to merge than they save
                -- (6.1 s against 4.5 s for 4 million orders, two workers)
              ORDER BY cp.commercial_partner_id
            )
            SELECT partner_id,
                   round(COALESCE(sum(amount) FILTER (WHERE %(in_window)s), 0), 2)
                       AS revenue,
                   round(COALESCE(sum(amount), 0), 2) AS lifetime_revenue,
                   count(*) AS order_count,
                   count(*) FILTER (WHERE %(in_window)s) AS orders_in_window,
                   count(*) FILTER (WHERE amount IS NULL) AS unconverted_orders,
                   min(date_order)::date AS first_order_date,
                   max(date_order)::date AS last_order_date
              FROM orders
          GROUP BY partner_id
            """,
            amount=SQL.identifier("so", AMOUNT_COLUMNS[parameters["basis"]]),
            company_id=company.id,
            order_filter=self._of_commercial_partners("so", partner_ids),
            in_window=in_window,
        )

    def _facts_query(
        self, company, parameters=None, partner_ids=None, window=None, sales=None
    ):
        """What every commercial partner in scope bought from ``company``.

        ``parameters`` are the ranking settings (the company's by default).
        ``window`` is the (start, end) of the revenue window, end excluded;
        by default the active window of the parameters up to now. The reports
        pass their own period so that their revenue is the pyramid's, to the
        cent. ``sales`` is a table filled by ``_sales_query``, or
        customer_pyramid_ranks, whose ``rank`` the facts then carry; without
        it, the orders are summed here.
        """
        key = str(company.id)
        parameters = parameters or company._customer_pyramid_parameters()
        complaint_source = company._customer_pyramid_setting(
            "customer_complaint_source"
        )
        today = fields.Date.context_today(self)
        window_start, _in_window = self._window(parameters, window)
        rank = SQL(", sa.rank") if sales is RANKS_TABLE else SQL()
        if sales is None:
            sales = self._sales_query(company, parameters, partner_ids, window)
        else:
            sales = SQL("SELECT * FROM %s", sales)
        partner_filter = SQL()
        if partner_ids is not None:
            partner_filter = SQL("AND p.id = ANY(%s)", partner_ids)
        query = SQL(
            """
                -- no WITH: PostgreSQL inlines a subquery into the statement
                -- reading it, one step less for a million rows
                SELECT COALESCE(s.partner_id, sa.partner_id) AS partner_id,
                       s.partner_id IS NOT NULL AS in_scope,
                       s.mark, s.pinned_level, %(old_facts)s, s.entering,
                       s.not_profiled, s.type_manual, s.goal_manual,
                       COALESCE(sa.revenue, 0) AS revenue,
                       COALESCE(sa.lifetime_revenue, 0) AS lifetime_revenue,
                       COALESCE(sa.order_count, 0) AS order_count,
                       COALESCE(sa.orders_in_window, 0) AS orders_in_window,
                       COALESCE(sa.unconverted_orders, 0) AS unconverted_orders,
                       sa.first_order_date, sa.last_order_date,
                       COALESCE(sg.has_relation, FALSE) AS has_relation,
                       -- in double precision, as stored (see _build_ranks)
                       %(order_frequency)s AS order_frequency,
                       CASE WHEN s.potential > 0 THEN
                           round((100 * COALESCE(sa.revenue, 0) * 12
                                 / %(window_months)s / s.potential)::numeric, 1)
                       END AS wallet_share,
                       -- feedback, lowered by one point per open complaint;
                       -- a complaint without feedback counts from neutral
                       CASE WHEN sg.satisfaction IS NOT NULL
                                 OR s.complaint_mark OR sg.open_complaints > 0
                            THEN GREATEST(1, COALESCE(sg.satisfaction, 3)
                                 - COALESCE(sg.open_complaints, 0)
                                 - CASE WHEN s.complaint_mark THEN 1 ELSE 0 END)
                       END AS satisfaction,
                       %(ranked)s AS ranked %(rank)s
                  -- the partners in scope, with their stored row
                  FROM (
                    SELECT p.id AS partner_id, %(mark)s AS mark,
                           -- an expired pin no longer holds, even before the
                           -- scheduled action clears it
                           CASE WHEN (p.customer_pyramid_pin_until ->> %(key)s)::date
                                     < %(today)s THEN NULL
                                ELSE p.customer_pyramid_pinned_level ->> %(key)s
                           END AS pinned_level,
                           -- the stored row, read once: the ranking compares
                           -- with it, no second pass over a million rows
                           %(old_scope)s,
                           -- a row may exist before its first placement: a
                           -- user chose the relationship of a partner not
                           -- placed yet
                           st.entered_on IS NULL AS entering,
                           (p.customer_pyramid_potential ->> %(key)s)::numeric
                               AS potential,
                           %(complaint_mark)s
                               AND (p.customer_complaint_open ->> %(key)s)::boolean
                               AS complaint_mark,
                           COALESCE((p.customer_relationship_type_manual
                                     ->> %(key)s)::boolean, FALSE) AS type_manual,
                           COALESCE((p.customer_relationship_goal_manual
                                     ->> %(key)s)::boolean, FALSE) AS goal_manual,
                           %(not_profiled)s AS not_profiled
                      FROM res_partner p
                 LEFT JOIN customer_pyramid_standing st
                        ON st.partner_id = p.id AND st.company_id = %(company_id)s
                     WHERE %(in_scope)s %(partner_filter)s
                  ) s
             FULL JOIN (%(sales)s) sa ON sa.partner_id = s.partner_id
             -- what else is known of a partner, in one join: an open
             -- opportunity or quotation, feedback, open complaints
             LEFT JOIN (
                    SELECT cp.commercial_partner_id AS partner_id,
                           bool_or(e.relation) AS has_relation,
                           round(avg(e.score), 1) AS satisfaction,
                           count(*) FILTER (WHERE e.complaint) AS open_complaints
                      FROM (
                        SELECT l.partner_id, TRUE AS relation, NULL::int AS score,
                               FALSE AS complaint
                          FROM crm_lead l
                         WHERE l.active AND l.type = 'opportunity'
                           AND (l.company_id IS NULL OR l.company_id = %(company_id)s)
                           %(lead_filter)s
                     UNION ALL
                        SELECT so.partner_id, TRUE, NULL, FALSE
                          FROM sale_order so
                         WHERE so.company_id = %(company_id)s
                           AND so.state IN ('draft', 'sent')
                           %(order_filter)s
                     UNION ALL
                        SELECT fb.partner_id, FALSE, fb.score::int, FALSE
                          FROM customer_feedback fb
                         WHERE fb.company_id = %(company_id)s
                           AND fb.date >= %(window_start)s
                           %(feedback_filter)s
                     UNION ALL
                        SELECT a.res_id, FALSE, NULL, TRUE
                          FROM mail_activity a
                          JOIN mail_activity_type t ON t.id = a.activity_type_id
                         WHERE a.res_model = 'res.partner' AND a.active
                           AND t.customer_complaint
                           AND %(complaint_activities)s
                           %(complaint_filter)s
                      ) e
                      JOIN res_partner cp ON cp.id = e.partner_id
                  GROUP BY cp.commercial_partner_id
                  ) sg
                    ON sg.partner_id = COALESCE(s.partner_id, sa.partner_id)
                """,
            key=key,
            old_scope=SQL(", ").join(
                SQL("st.%s AS %s", SQL.identifier(column), SQL.identifier(old))
                for column, old in OLD_FACT_COLUMNS.items()
            ),
            old_facts=SQL(", ").join(
                SQL.identifier("s", old) for old in OLD_FACT_COLUMNS.values()
            ),
            company_id=company.id,
            mark=self._mark("p", key),
            in_scope=self._in_scope(company, "p"),
            ranked=self._ranked(
                SQL("COALESCE(sa.revenue, 0)"), SQL("s.mark"), SQL("s.not_profiled")
            ),
            not_profiled=profiling_refused("p", company.id),
            partner_filter=partner_filter,
            order_filter=self._of_commercial_partners("so", partner_ids),
            lead_filter=self._of_commercial_partners("l", partner_ids),
            feedback_filter=self._of_commercial_partners("fb", partner_ids),
            complaint_filter=self._of_commercial_partners("a", partner_ids, "res_id"),
            complaint_mark=complaint_source in ("flag", "both"),
            complaint_activities=complaint_source in ("activity", "both"),
            window_months=parameters["window_months"],
            order_frequency=hundredths(
                SQL("COALESCE(sa.orders_in_window, 0) * 12"),
                parameters["window_months"],
            ),
            sales=sales,
            rank=rank,
            window_start=window_start,
            today=today,
        )
        return query

    def _fill_result(self, ranked, cutoffs, grace_band, fresh=False):
        """From ``ranked`` (facts plus rank and ranked_level) to the result
        rows; returns their number.

        ``ranked_level`` is where the revenue ranks an active customer;
        ``cutoffs`` gives {level: the lowest revenue reaching it}. Both the
        full recompute and the event path end here, so that marks, pins and
        the grace band mean the same on both. ``fresh``: see
        ``_fill_temporary_table``.
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
            own_cutoff=self._cutoff_of(SQL("k.old_computed_level"), cutoffs),
            above_cutoff=self._cutoff_of(
                SQL("k.old_computed_level"),
                {below: cutoffs.get(above) for above, below in pairwise(order)},
            ),
            cutoff=self._cutoff_of(SQL("c.computed_level"), cutoffs),
            band=grace_band / 100.0,
            active=list(ACTIVE_LEVELS),
            order=SQL("%s::varchar[]", order),
        )
        return self._fill_temporary_table(RESULT, query, fresh=fresh)

    def _build_ranked_result(self, company, parameters, boundaries, active_count):
        """Place every partner in scope into the result, the active customers
        by their rank in customer_pyramid_ranks.

        Returns the cut-offs, {level: the lowest revenue ranked on it}, and
        the number of partners in scope.
        """
        bands = rank_bands(boundaries)

        def level_of(rank):
            return SQL(
                "CASE %s ELSE %s END",
                SQL(" ").join(
                    SQL("WHEN %s <= %s THEN %s", rank, last_rank, level)
                    for level, last_rank in bands
                ),
                ACTIVE_LEVELS[-1],
            )

        self.env.cr.execute(
            SQL(
                "SELECT %s, min(revenue) FROM %s WHERE rank IS NOT NULL GROUP BY 1",
                level_of(SQL("rank")),
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
            ranked_level=level_of(SQL("f.rank")),
        )
        # fresh: a transaction recomputing several companies (the Settings
        # button, the installation) would otherwise fill the result of the
        # second one by an INSERT, which PostgreSQL runs without parallel
        # workers: 6.8 s instead of 3.9 s at a million partners.
        scope_count = self._fill_result(
            ranked, cutoffs, parameters["grace_band"], fresh=True
        )
        return cutoffs, scope_count

    def _build_result_from_cutoffs(self, company, parameters, facts_query):
        """Place refreshed partners against the last full recompute's cut-offs.

        The facts of a few partners go straight into the result, in one
        statement: an order event pays for one query plan, not two.
        """
        cutoffs = self._latest_cutoffs(company)
        # Without a full recompute yet, every active customer starts small.
        placements = [
            SQL("WHEN f.revenue >= %s THEN %s", cutoffs[level], level)
            for level in ACTIVE_LEVELS[:-1]
            if cutoffs.get(level) is not None
        ]
        ranked_level = SQL("'small'")
        if placements:
            ranked_level = SQL("CASE %s ELSE 'small' END", SQL(" ").join(placements))
        # The rank among the customers ranked as they stand (the last full
        # run's, and the events' since): one more than those with a higher
        # revenue, ties sharing the highest rank as rank() does.
        ranked = SQL(
            """SELECT f.*, r.rank,
                      %(percentile)s AS percentile,
                      CASE WHEN f.ranked THEN %(ranked_level)s END AS ranked_level
                 FROM (%(facts)s) f
            LEFT JOIN LATERAL (
                    SELECT 1 + count(*) FILTER (WHERE st.revenue > f.revenue)
                               AS rank,
                           1 + count(*) AS ranked_count
                      FROM customer_pyramid_standing st
                     WHERE st.company_id = %(company)s AND st.rank IS NOT NULL
                       AND st.partner_id <> f.partner_id
                  ) r ON f.ranked
                WHERE f.in_scope""",
            facts=facts_query,
            company=company.id,
            percentile=hundredths(SQL("100 * r.rank"), SQL("r.ranked_count")),
            ranked_level=ranked_level,
        )
        self._fill_result(ranked, cutoffs, parameters["grace_band"])

    def _cutoff_of(self, level, cutoffs):
        """SQL: the cut-off of the level ``level`` in ``cutoffs``, else NULL.

        A CASE on constants, not a join with a table of four rows: the
        ranking computes it for each of a million rows.
        """
        branches = [
            SQL("WHEN %s THEN %s::float8", name, cutoff)
            for name, cutoff in cutoffs.items()
            if cutoff is not None
        ]
        if not branches:
            return SQL("NULL::float8")
        return SQL("CASE %s %s END", level, SQL(" ").join(branches))

    def _latest_cutoffs(self, company):
        self.env["customer.pyramid.snapshot"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT level, cutoff_revenue FROM customer_pyramid_snapshot
                    WHERE company_id = %s AND run_date = (
                        SELECT max(run_date) FROM customer_pyramid_snapshot
                         WHERE company_id = %s)""",
                company.id,
                company.id,
            )
        )
        return {
            level: float(cutoff)
            for level, cutoff in self.env.cr.fetchall()
            if cutoff is not None
        }

    def _apply_result(self, company, cause):
        """Write what changed, with history, chatter and retention activities.

        Only the partners whose standing differs from the result (its
        ``changed``, compared with the row the facts read) are written, into
        their narrow standing rows: a run where nothing changed writes
        nothing. A partner placed for the first time gets its row and the
        date it entered (``entered_on``), no history row: the history records
        changes of level, and a first ranking of a million partners would
        otherwise write a million rows that say nothing has happened yet.
        Returns (partners placed for the first time, level changes).
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        uid = self.env.uid
        columns = [SQL.identifier(column) for column in FACT_COLUMNS.values()]
        if self._temporary_table_exists(CHANGES):
            cr.execute(SQL("TRUNCATE %s", CHANGES_TABLE))
        else:
            cr.execute(
                SQL(
                    "CREATE TEMPORARY TABLE %s (partner_id integer,"
                    " old_level varchar, level varchar, revenue numeric)"
                    " ON COMMIT DROP",
                    CHANGES_TABLE,
                )
            )
        cr.execute(
            SQL(
                """
                WITH changed AS (
                    SELECT r.*, %(relationship)s
                      FROM %(result)s r
                 LEFT JOIN customer_relationship_default d
                        ON d.company_id = %(company)s AND d.level = r.level
                     WHERE r.changed
                ),
                written AS (
                    INSERT INTO customer_pyramid_standing AS st
                           (partner_id, company_id, %(columns)s,
                            relationship_type, relationship_goal, refreshed_on,
                            entered_on)
                    SELECT partner_id, %(company)s, %(columns)s,
                           default_type, default_goal, %(now)s, %(now)s
                      FROM changed
                  -- in index order: 800,000 new rows of a first ranking
                  -- insert in 6.6 s instead of 8.3 s
                  ORDER BY partner_id
                    ON CONFLICT (partner_id, company_id) DO UPDATE
                       SET %(assignments)s,
                           relationship_type = COALESCE(
                               EXCLUDED.relationship_type, st.relationship_type),
                           relationship_goal = COALESCE(
                               EXCLUDED.relationship_goal, st.relationship_goal),
                           refreshed_on = EXCLUDED.refreshed_on,
                           entered_on = COALESCE(st.entered_on, EXCLUDED.entered_on)
                ),
                changes AS (
                    INSERT INTO %(changes)s
                    SELECT partner_id, old_level, level, revenue FROM changed
                     WHERE NOT entering AND old_level IS DISTINCT FROM level
                )
                SELECT count(*) FROM changed WHERE entering
                """,
                changes=CHANGES_TABLE,
                relationship=self._relationship_defaults(),
                company=company.id,
                now=now,
                result=RESULT_TABLE,
                columns=SQL(", ").join(columns),
                assignments=SQL(", ").join(
                    SQL("%s = EXCLUDED.%s", column, column) for column in columns
                ),
            )
        )
        placed = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                INSERT INTO customer_pyramid_history
                       (partner_id, company_id, date, old_level, new_level, cause,
                        revenue, user_id)
                SELECT partner_id, %(company)s, %(now)s, old_level, level, %(cause)s,
                       revenue, %(uid)s
                  FROM %(changes)s
             RETURNING id
                """,
                company=company.id,
                now=now,
                cause=cause,
                uid=uid,
                changes=CHANGES_TABLE,
            )
        )
        history_ids = [history_id for (history_id,) in cr.fetchall()]
        changed = len(history_ids)
        if changed:
            self._post_level_messages(company, cause, now)
            self._schedule_retention_activities(company)
            self.env["customer.pyramid.history"]._run_creation_automations(history_ids)
        # What the SQL above wrote, and nothing more: a transaction confirming
        # many orders keeps the rest of its cache.
        self.env["customer.pyramid.standing"].invalidate_model()
        self.env["res.partner"].invalidate_model(
            [*STANDING_FIELDS, "customer_pyramid_history_count", "message_ids"]
        )
        return placed, changed

    def _forget_out_of_scope(self, company, partner_ids=None):
        """Delete the standing rows of partners that left the pyramid of
        ``company`` (archived, made a contact, an employee's or a company's
        own partner): those of ``partner_ids``, or of everyone.

        The result holds every partner in scope, so a row without a result
        row is one of them. Returns the number of rows deleted.
        """
        partner_filter = SQL()
        if partner_ids is not None:
            partner_filter = SQL("AND st.partner_id = ANY(%s)", partner_ids)
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_pyramid_standing st
                 WHERE st.company_id = %(company)s %(partner_filter)s
                   AND NOT EXISTS (SELECT 1 FROM %(result)s r
                                    WHERE r.partner_id = st.partner_id)
                """,
                company=company.id,
                partner_filter=partner_filter,
                result=RESULT_TABLE,
            )
        )
        forgotten = self.env.cr.rowcount
        if forgotten:
            self.env["customer.pyramid.standing"].invalidate_model()
            self.env["res.partner"].invalidate_model(list(STANDING_FIELDS))
        return forgotten

    def _relationship_defaults(self):
        """Columns default_type and default_goal: what a changed level sets.

        ``d`` is the company's default row for the new level. NULL keeps the
        partner's value: set by hand, no default, or the level did not change.
        """
        return SQL(", ").join(
            SQL(
                "CASE WHEN r.old_level IS DISTINCT FROM r.level AND NOT r.%(manual)s"
                " THEN d.%(default)s END AS %(alias)s",
                manual=SQL.identifier(manual),
                default=SQL.identifier(default),
                alias=SQL.identifier(alias),
            )
            for manual, default, alias in (
                ("type_manual", "relationship_type", "default_type"),
                ("goal_manual", "relationship_goal", "default_goal"),
            )
        )

    def _post_level_messages(self, company, cause, now):
        """A tracked chatter note per level change, inserted in one statement."""
        partner_model = self.env["res.partner"]
        labels = dict(
            partner_model._fields["customer_pyramid_level"]._description_selection(
                self.env
            )
        )
        causes = dict(
            self.env["customer.pyramid.history"]
            ._fields["cause"]
            ._description_selection(self.env)
        )
        body = Markup("<p>%s</p>") % _(
            "Customer pyramid level for %(company)s changed: %(cause)s.",
            company=company.name,
            cause=causes[cause],
        )
        uid = self.env.uid
        self.env.cr.execute(
            SQL(
                """
                WITH messages AS (
                    INSERT INTO mail_message
                           (model, res_id, message_type, subtype_id, body, author_id,
                            date, is_internal, record_company_id,
                            create_uid, create_date, write_uid, write_date)
                    SELECT 'res.partner', partner_id, 'notification', %(subtype)s,
                           %(body)s, %(author)s, %(now)s, TRUE, %(company)s,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM %(changes)s
                     WHERE old_level IS NOT NULL
                 RETURNING id, res_id
                )
                INSERT INTO mail_tracking_value
                       (field_id, old_value_char, new_value_char, mail_message_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(field)s, %(labels)s::jsonb ->> c.old_level,
                       %(labels)s::jsonb ->> c.level, m.id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM messages m
                  JOIN %(changes)s c ON c.partner_id = m.res_id
                """,
                subtype=self.env.ref("mail.mt_note").id,
                body=str(body),
                author=self.env.user.partner_id.id,
                now=now,
                company=company.id,
                uid=uid,
                changes=CHANGES_TABLE,
                field=self.env["ir.model.fields"]
                ._get("res.partner", "customer_pyramid_level")
                .id,
                labels=json.dumps(labels),
            )
        )

    def _schedule_retention_activities(self, company):
        """Retention beats acquisition: a dropping customer gets a call."""
        if not company.customer_pyramid_retention_activity:
            return
        order = list(LEVELS)
        self.env.cr.execute(
            SQL(
                """
                SELECT c.partner_id, c.old_level, c.level, p.user_id
                  FROM %(changes)s c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE c.old_level = ANY(%(active)s)
                   AND c.level = ANY(%(droppable)s)
                   AND array_position(%(order)s, c.level)
                       > array_position(%(order)s, c.old_level)
                """,
                changes=CHANGES_TABLE,
                active=list(ACTIVE_LEVELS),
                droppable=[*ACTIVE_LEVELS, "inactive"],
                order=order,
            )
        )
        drops = self.env.cr.fetchall()
        if not drops:
            return
        labels = dict(
            self.env["res.partner"]
            ._fields["customer_pyramid_level"]
            ._description_selection(self.env)
        )
        activity_type = self.env.ref("customer_pyramid.mail_activity_type_retention")
        deadline = fields.Date.context_today(self) + relativedelta(
            days=company.customer_pyramid_retention_days
        )
        model_id = self.env["ir.model"]._get_id("res.partner")
        # one query for the names mail.activity computes one record at a time
        self.env["res.partner"].sudo().browse(
            [partner_id for partner_id, *_rest in drops]
        ).mapped("display_name")
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": partner_id,
                "activity_type_id": activity_type.id,
                "user_id": user_id or activity_type.default_user_id.id or self.env.uid,
                "date_deadline": deadline,
                "summary": _(
                    "Retention: dropped from %(old)s to %(new)s",
                    old=labels[old_level],
                    new=labels[new_level],
                ),
            }
            for partner_id, old_level, new_level, user_id in drops
        ]
        # sudo: the event may come from a user who cannot assign activities to
        # others; the values are fixed here, none comes from the user.
        # mail_activity_quick_update: no assignment e-mail for each of them.
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(vals_list)

    def _store_snapshot(self, company, run_date, settings_label, cutoffs):
        """One row per level for the reports, with the ranking's ``cutoffs``.

        Shares are of the run's totals over all levels, so that the rows of
        one run add up to 100 % in a pivot. A run is known by its date, to the
        second: a second run within the same second replaces the first's rows.
        """
        levels = list(LEVELS)
        uid = self.env.uid
        self.env["customer.pyramid.snapshot"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_pyramid_snapshot
                 WHERE company_id = %(company)s AND run_date = %(run_date)s;
                INSERT INTO customer_pyramid_snapshot
                       (company_id, run_date, level, customer_count, revenue,
                        customer_share, revenue_share, cutoff_revenue, held_count,
                        settings, create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, %(run_date)s, lv.level,
                       COALESCE(e.customer_count, 0), COALESCE(e.revenue, 0),
                       COALESCE(100.0 * e.customer_count
                                / NULLIF(sum(e.customer_count) OVER (), 0), 0),
                       COALESCE(100.0 * e.revenue
                                / NULLIF(sum(e.revenue) OVER (), 0), 0),
                       %(cutoff)s, COALESCE(e.held_count, 0), %(settings)s,
                       %(uid)s, %(run_date)s, %(uid)s, %(run_date)s
                  FROM unnest(%(levels)s::varchar[]) AS lv(level)
             LEFT JOIN (SELECT level, count(*) AS customer_count,
                               %(revenue)s AS revenue,
                               count(*) FILTER (WHERE held) AS held_count
                          FROM %(result)s GROUP BY level) e ON e.level = lv.level
                """,
                cutoff=self._cutoff_of(SQL("lv.level"), cutoffs),
                revenue=cents_sum(SQL("revenue")),
                company=company.id,
                run_date=run_date,
                settings=settings_label,
                uid=uid,
                levels=levels,
                result=RESULT_TABLE,
            )
        )
        self.env["customer.pyramid.snapshot"].invalidate_model()
