from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL

from .customer_consent import profiling_refused
from .customer_pyramid_standing import FACT_COLUMNS

# The temporary tables a computation fills, ON COMMIT DROP, one set per
# transaction (see docs/architecture.md):
# - customer_pyramid_sales: what each account bought (_sales_query);
# - customer_pyramid_ranks: that, with whether the buyer is in the pyramid
#   and its rank among the active customers;
# - customer_pyramid_result: every partner in scope with its new facts and
#   level and whether they differ from its stored standing row;
# - customer_pyramid_changes: the level changes a run wrote;
# - customer_pyramid_facts: the facts the reports read (_build_facts).
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
# Journal entry column of each ranking basis: signed (a credit note is
# negative) and in the company's currency, as the entry was posted.
INVOICE_AMOUNT_COLUMNS = {
    "untaxed": "amount_untaxed_signed",
    "total": "amount_total_signed",
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


def not_a_mere_vendor(alias, company_id):
    """SQL: the partner ``alias`` is not a vendor that never bought from the
    company (no customer rank, no confirmed order of the company).

    The vendors are few and do not depend on the partner read: PostgreSQL
    finds them once, through a partial index, into a hashed subplan.
    """
    return SQL(
        """%(id)s NOT IN (
            SELECT v.id FROM res_partner v
             WHERE v.supplier_rank > 0 AND COALESCE(v.customer_rank, 0) = 0
               AND NOT EXISTS (
                    SELECT 1 FROM sale_order vso
                      JOIN res_partner vp ON vp.id = vso.partner_id
                     WHERE vp.commercial_partner_id = v.id
                       AND vso.company_id = %(company)s AND vso.state = 'sale'))""",
        id=SQL.identifier(alias, "id"),
        company=company_id,
    )


def cents_sum(amounts, condition=None):
    """SQL: the exact sum of ``amounts``, doubles that hold amounts to the
    cent, over the rows meeting ``condition`` (all by default).

    Added up as whole cents: doubles add up with rounding errors, and a cast
    of each to numeric goes through text, which is slower.
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


def cutoff_of(level, cutoffs):
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


class CustomerPyramidQuery(models.AbstractModel):
    """The SQL the pyramid is computed with: who is in it, what each
    partner bought, what else its level needs. Builders only: the ranking
    (``customer.pyramid.ranking``) and the engine run them."""

    _name = "customer.pyramid.query"
    _description = "Customer pyramid queries"

    def _disable_jit(self):
        """No JIT compilation for the rest of the transaction.

        PostgreSQL compiles a statement whose estimated cost is high enough;
        the whole base's statements are wide and run once, so compiling them
        costs more than it saves (the profile in docs/benchmarks.md). A
        server without JIT ignores the setting. The facts come first, so
        every statement after them runs without it too.
        """
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

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

    def _in_scope(self, company, alias):
        """SQL: the partner ``alias`` is a commercial partner in the pyramid
        of ``company``: who may be a customer, for the ranking, the events,
        the lifecycle and the reports alike.

        Active, commercial, of the company or shared, not one of our
        companies or employees, and not a mere vendor: a vendor is in once it
        bought from the company.
        """
        return SQL(
            "%(active)s AND %(commercial)s"
            " AND (%(company_of)s IS NULL OR %(company_of)s = %(company)s)"
            " AND %(not_our_own)s AND %(not_a_mere_vendor)s",
            active=SQL.identifier(alias, "active"),
            commercial=self._own_account(alias, "commercial_partner_id"),
            company_of=SQL.identifier(alias, "company_id"),
            company=company.id,
            not_our_own=not_our_own_partner(alias),
            not_a_mere_vendor=not_a_mere_vendor(alias, company.id),
        )

    def _account(self, parameters, alias):
        """SQL: the partner whose revenue the documents of the partner
        ``alias`` count for, the account it is ranked as: its commercial
        partner, or with groups of companies its group's top-most parent."""
        column = "commercial_partner_id"
        if parameters["group_companies"]:
            column = "customer_pyramid_group_id"
        return SQL.identifier(alias, column)

    def _in_ranking(self, company, parameters, alias):
        """SQL: the partner ``alias`` is ranked in the pyramid of ``company``:
        in scope (``_in_scope``) and an account of its own, not a
        subsidiary ranked with its group."""
        in_scope = self._in_scope(company, alias)
        if not parameters["group_companies"]:
            return in_scope
        return SQL(
            "%s AND %s", in_scope, self._own_account(alias, "customer_pyramid_group_id")
        )

    def _own_account(self, alias, column):
        """SQL: the partner ``alias`` is the partner its ``column`` points
        at (``commercial_partner_id``, ``customer_pyramid_group_id``).

        Written "(a = b) IS TRUE", the same in a WHERE or ON clause, the
        form that PostgreSQL matches with the addon's statistics on
        res_partner (``ACCOUNT_STATISTICS``): without them it takes one
        partner in 200 for its own account and, for a few thousand partners,
        plans a nested loop that aggregates their documents once per partner.
        """
        return SQL(
            "(%s = %s) IS TRUE",
            SQL.identifier(alias, "id"),
            SQL.identifier(alias, column),
        )

    def _flush_scope(self):
        """Flush what ``_in_scope`` reads of the partners, and of our own
        partners, whom it leaves out (``not_our_own_partner``)."""
        self.env["res.partner"].flush_model()
        self.env["res.users"].flush_model(["partner_id", "share"])
        self.env["res.company"].flush_model(["partner_id"])

    def _partners_in_scope(self, company, partner_ids):
        """The ids among ``partner_ids`` of the partners in the pyramid of
        ``company``: the rule ``_in_scope`` applied to a few partners."""
        if not partner_ids:
            return []
        self._flush_scope()
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
        # UTC days, as the orders' dates are stored: the same window whoever
        # runs it (the scheduled action, a user, a report)
        start = self._window_start(parameters, fields.Date.today())
        return start, SQL("date_order >= %s", start)

    def _window_start(self, parameters, day):
        """The first day of the revenue window of a run on ``day``."""
        return day - relativedelta(months=parameters["window_months"])

    def _leaves_window_on(self, day, months):
        """SQL: the first day on which an order of ``day`` is no longer in a
        window of ``months`` (see ``_window``: in it while the day is at
        least today minus the months).

        The day after it plus the months, unless that sum was clipped to a
        shorter month's end (31 January + 1 month is 28 February, and on
        that day the window still starts on the 28th of January): then the
        first day of the next month.
        """
        after = SQL("(%s + 1)", day)
        moved = SQL("(%s + make_interval(months => %s))::date", after, months)
        return SQL(
            "CASE WHEN %(moved)s - make_interval(months => %(months)s) < %(after)s"
            " THEN (date_trunc('month', %(moved)s::timestamp)"
            "       + interval '1 month')::date"
            " ELSE %(moved)s END",
            moved=moved,
            months=months,
            after=after,
        )

    def _order_amount(self, parameters, alias="so"):
        """SQL: what an order ``alias`` counts for, in the company's currency."""
        return SQL(
            "%s / NULLIF(%s, 0)",
            SQL.identifier(alias, AMOUNT_COLUMNS[parameters["basis"]]),
            SQL.identifier(alias, "currency_rate"),
        )

    def _revenue_documents(self, company, parameters, partner_ids=None):
        """SQL: the documents the revenue of ``company`` is summed from, by
        its revenue source (``parameters["source"]``), one row each:

        - ``partner_id``: the partner on the document (a contact or its
          commercial partner),
        - ``date_order``: the day it counts on (the order date, the invoice
          date),
        - ``amount``: what it counts for in the company's currency by the
          ranking basis, negative for a credit note, NULL for an order
          without a currency rate,
        - ``counted``: whether it is an order (a credit note lowers the
          revenue, it is not an order of the customer).

        The one place that says what a sale is: the sums, the outlook and the
        reports read these rows. Of ``partner_ids``' commercial partners
        only, when given.
        """
        if parameters["source"] == "invoice":
            return SQL(
                """
                SELECT am.partner_id, am.invoice_date AS date_order,
                       %(amount)s AS amount, am.move_type = 'out_invoice' AS counted
                  FROM account_move am
                 WHERE am.company_id = %(company)s AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   %(partner_filter)s
                """,
                amount=SQL.identifier(
                    "am", INVOICE_AMOUNT_COLUMNS[parameters["basis"]]
                ),
                company=company.id,
                partner_filter=self._of_accounts("am", partner_ids, parameters),
            )
        return SQL(
            """
            SELECT so.partner_id, so.date_order, %(amount)s AS amount,
                   TRUE AS counted
              FROM sale_order so
             WHERE so.company_id = %(company)s AND so.state = 'sale'
               %(partner_filter)s
            """,
            amount=self._order_amount(parameters),
            company=company.id,
            partner_filter=self._of_accounts("so", partner_ids, parameters),
        )

    def _of_accounts(self, alias, partner_ids, parameters, column="partner_id"):
        """SQL: ``AND`` the partner of the rows ``alias`` (in ``column``) is
        ranked as one of the accounts ``partner_ids`` (``_account``): one of
        them, their contacts, with groups of companies their subsidiaries;
        nothing when ``partner_ids`` is None (every partner)."""
        if partner_ids is None:
            return SQL()
        return SQL(
            "AND %s IN (SELECT p.id FROM res_partner p WHERE %s = ANY(%s))",
            SQL.identifier(alias, column),
            self._account(parameters, "p"),
            partner_ids,
        )

    def _sales_query(self, company, parameters=None, partner_ids=None, window=None):
        """What each account (``_account``) bought from ``company``, in the
        company's currency: in the window and in all, with its order dates."""
        parameters = parameters or company._customer_pyramid_parameters()
        _start, in_window = self._window(parameters, window)
        return SQL(
            """
            WITH orders AS (
                SELECT %(account)s AS partner_id,
                       so.date_order, so.amount, so.counted
                  FROM (%(documents)s) so
                  JOIN res_partner cp ON cp.id = so.partner_id
                -- sorted by the workers, summed by one process: partial sums
                -- of numeric amounts cost more to merge than they save,
                -- measured with two workers
              ORDER BY %(account)s
            )
            SELECT partner_id,
                   round(COALESCE(sum(amount) FILTER (WHERE %(in_window)s), 0), 2)
                       AS revenue,
                   round(COALESCE(sum(amount), 0), 2) AS lifetime_revenue,
                   count(*) FILTER (WHERE counted) AS order_count,
                   count(*) FILTER (WHERE counted AND %(in_window)s)
                       AS orders_in_window,
                   count(*) FILTER (WHERE amount IS NULL) AS unconverted_orders,
                   min(date_order) FILTER (WHERE counted)::date AS first_order_date,
                   max(date_order) FILTER (WHERE counted)::date AS last_order_date
              FROM orders
          GROUP BY partner_id
            """,
            account=self._account(parameters, "cp"),
            documents=self._revenue_documents(company, parameters, partner_ids),
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

        One statement, the longest of the addon: every fact joins the
        partner once, and PostgreSQL plans the joins together; split into
        steps, each step would copy the whole wide row again.
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
                    SELECT %(account)s AS partner_id,
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
                           AND so.state = ANY(%(relation_states)s)
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
                  GROUP BY %(account)s
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
            in_scope=self._in_ranking(company, parameters, "p"),
            account=self._account(parameters, "cp"),
            ranked=self._ranked(
                SQL("COALESCE(sa.revenue, 0)"), SQL("s.mark"), SQL("s.not_profiled")
            ),
            not_profiled=profiling_refused("p", company.id, partner_ids),
            partner_filter=partner_filter,
            order_filter=self._of_accounts("so", partner_ids, parameters),
            # ranked by invoices, an order not invoiced yet is a relationship
            relation_states=["draft", "sent"]
            + (["sale"] if parameters["source"] == "invoice" else []),
            lead_filter=self._of_accounts("l", partner_ids, parameters),
            feedback_filter=self._of_accounts("fb", partner_ids, parameters),
            complaint_filter=self._of_accounts("a", partner_ids, parameters, "res_id"),
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
