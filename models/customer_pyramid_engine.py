import json
import logging
import time

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.pyramid_split import level_boundaries
from .customer_pyramid_query import CHANGES, CHANGES_TABLE, RANKS_TABLE, RESULT_TABLE
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


class CustomerPyramidEngine(models.AbstractModel):
    """Where a computation starts and ends: the scheduled action, the
    buttons and the events call it; it takes the locks, has the ranking
    (``customer.pyramid.ranking``) fill the result table, writes the
    standing rows that changed, and has the history log the changes.

    The full recompute ranks every active customer; an event refreshes a
    few partners and places them against the cut-offs of the last full run.
    """

    _name = "customer.pyramid.engine"
    _inherit = "customer.pyramid.ranking"
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
        cutoffs = self._build_result_from_cutoffs(
            company, parameters, self._facts_query(company, parameters, partner_ids)
        )
        self._apply_result(company, cause)
        self._forget_out_of_scope(company, partner_ids)
        self._look_ahead(company, cutoffs, partner_ids)

    # ------------------------------------------------------------------
    # The full recompute of one company
    # ------------------------------------------------------------------
    def _recompute_company(self, company, cause, parameters=None, dry_run=False):
        """Rank every commercial partner of ``company``; None when locked.

        The scheduled action runs quietly when it can (``_quiet_run``): it
        refreshes the partners whose inputs changed since the last run and
        ranks no one else when that leaves every rank as the last full
        rebuild left it. Otherwise, and on demand, at the installation, after
        a settings change and every ``customer_pyramid_rebuild_days``, the
        full rebuild sums every order again.

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
        if not dry_run and self._may_run_quietly(company, cause, parameters):
            stats = self._quiet_run(company, parameters)
            if stats is not None:
                self._end_run(company, run_date, parameters, stats, full=False)
                _logger.info(
                    "customer pyramid: %s: daily run, %s partners refreshed, "
                    "%s changed level, every rank as the last full rebuild left it",
                    company.name,
                    stats["partners"],
                    stats["changed"],
                )
                return stats
        if not dry_run:
            self.env["customer.pyramid.change"]._take(company)
        self._build_sales(company, parameters)
        self._build_ranks(company, parameters)
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
        self._analyze_standing_after(stats["placed"], scope_count)
        stats["forgotten"] = self._forget_out_of_scope(company)
        self._look_ahead(company, cutoffs, run=True)
        self._end_run(company, run_date, parameters, stats, full=True)
        self._log_run(company, stats, boundaries)
        return stats

    def _end_run(self, company, run_date, parameters, stats, full):
        """The run's snapshots and the company's stamps; a full rebuild also
        stamps what the next quiet runs compare with."""
        settings_label = company._customer_pyramid_settings_label(parameters)
        # per team first: the snapshot adds its teams' customers at risk up
        self.env["customer.pyramid.team.snapshot"]._store_run(company, run_date)
        self.env["customer.pyramid.snapshot"]._store_run(
            company, run_date, settings_label, stats["cutoffs"]
        )
        values = {
            "customer_pyramid_last_run": run_date,
            "customer_pyramid_last_settings": settings_label,
        }
        if full:
            values.update(
                {
                    "customer_pyramid_last_full_run": run_date,
                    "customer_pyramid_full_run_signature": self._ranking_signature(
                        company, parameters
                    ),
                    "customer_pyramid_ranked_count": stats["active"],
                }
            )
        company.sudo().write(values)  # the cron user may not be a settings admin

    # ------------------------------------------------------------------
    # The quiet daily run
    # ------------------------------------------------------------------
    def _ranking_signature(self, company, parameters):
        """What every partner's facts depend on besides its own inputs: a
        change of it calls for a full rebuild."""
        return json.dumps(
            {
                "parameters": parameters,
                "complaint_source": company._customer_pyramid_setting(
                    "customer_complaint_source"
                ),
            },
            sort_keys=True,
        )

    def _may_run_quietly(self, company, cause, parameters):
        """Whether the scheduled action may skip the full rebuild: there is
        one, recent enough, with the settings of today, and the day did not
        go back since the last run."""
        last_full = company.customer_pyramid_last_full_run
        last_run = company.customer_pyramid_last_run
        if cause != "cron" or not last_full or not last_run:
            return False
        days = company._customer_pyramid_setting("customer_pyramid_rebuild_days")
        now = fields.Datetime.now()
        return (
            last_full > now - relativedelta(days=days)
            and last_run <= now
            and company.customer_pyramid_full_run_signature
            == self._ranking_signature(company, parameters)
        )

    def _quiet_run(self, company, parameters):
        """Refresh the accounts whose inputs changed since the last run
        (``_changed_accounts``) against the last full rebuild's cut-offs,
        when that leaves the ranking as it was; their statistics, or None
        (nothing written) when a full rebuild must rank everyone again.

        Exactly a full rebuild's answer: a partner's standing follows from
        its own inputs, its rank, the number of customers ranked and the
        cut-offs; the others' inputs did not change, and the check below
        proves the ranks, their number and the cut-offs the same.
        """
        partner_ids = self._changed_accounts(company, parameters)
        cutoffs, ranked_count = self._latest_run(company)
        if partner_ids:
            self._build_result_from_cutoffs(
                company, parameters, self._facts_query(company, parameters, partner_ids)
            )
        if not self._ranking_holds(
            company, parameters, partner_ids, cutoffs, ranked_count
        ):
            return None
        stats = {
            "partners": len(partner_ids),
            "active": ranked_count,
            "cutoffs": cutoffs,
            "placed": 0,
            "changed": 0,
            "forgotten": 0,
        }
        if partner_ids:
            stats["placed"], stats["changed"] = self._apply_result(company, "cron")
            stats["forgotten"] = self._forget_out_of_scope(company, partner_ids)
        self._look_ahead(company, cutoffs, partner_ids, run=True)
        return stats

    def _changed_accounts(self, company, parameters):
        """The accounts to refresh in a quiet run, as ids: those the
        triggers noted (``customer.pyramid.change``) and those with orders
        or feedback that left the window since the last run, with their
        commercial partners and groups' top-most parents, as an event
        queues them."""
        noted = self.env["customer.pyramid.change"]._take(company)
        last_start = self._window_start(
            parameters, company.customer_pyramid_last_run.date()
        )
        start, _in_window = self._window(parameters, None)
        if last_start < start:
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT d.partner_id FROM (%(documents)s) d
                     WHERE d.date_order >= %(last_start)s AND d.date_order < %(start)s
                     UNION
                    SELECT fb.partner_id FROM customer_feedback fb
                     WHERE fb.company_id = %(company)s
                       AND fb.date >= %(last_start)s AND fb.date < %(start)s
                    """,
                    documents=self._revenue_documents(company, parameters),
                    last_start=last_start,
                    start=start,
                    company=company.id,
                )
            )
            noted.update(partner_id for (partner_id,) in rows)
        if not noted:
            return []
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT unnest(ARRAY[p.id, p.commercial_partner_id,
                                               p.customer_pyramid_group_id])
                     FROM res_partner p WHERE p.id = ANY(%s)""",
                sorted(noted),
            )
        )
        return sorted(partner_id for (partner_id,) in rows if partner_id)

    def _ranking_holds(self, company, parameters, partner_ids, cutoffs, ranked_count):
        """Whether ranking every customer again, the refreshed partners in
        customer_pyramid_result with their new revenues, gives each ranked
        customer the rank it has (or is about to get), the same number of
        ranked customers as the last full rebuild and the same cut-offs.

        One pass over the narrow standing rows of the ranked customers,
        through their index, not over the orders or the partners.
        """
        boundaries = level_boundaries(ranked_count, parameters["shares"])
        refreshed = SQL()
        if partner_ids:
            refreshed = SQL(
                """AND st.partner_id NOT IN (SELECT unnest(%s::int[]))
                UNION ALL
                SELECT r.revenue::float8, r.rank FROM %s r WHERE r.rank IS NOT NULL""",
                partner_ids,
                RESULT_TABLE,
            )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT %(level)s, count(*), min(revenue),
                       count(*) FILTER (WHERE rank IS DISTINCT FROM placed_rank)
                  FROM (SELECT revenue, placed_rank,
                               rank() OVER (ORDER BY revenue DESC) AS rank
                          FROM (SELECT st.revenue, st.rank AS placed_rank
                                  FROM customer_pyramid_standing st
                                 WHERE st.company_id = %(company)s
                                   AND st.rank IS NOT NULL %(refreshed)s
                               ) ranking
                       ) ranked
              GROUP BY 1
                """,
                level=self._level_of_rank(boundaries, SQL("rank")),
                company=company.id,
                refreshed=refreshed,
            )
        )
        count = sum(row[1] for row in rows)
        moved = sum(row[3] for row in rows)
        new_cutoffs = {level: float(cutoff) for level, _n, cutoff, _m in rows}
        return count == ranked_count and not moved and new_cutoffs == cutoffs

    def _log_run(self, company, stats, boundaries):
        _logger.info(
            "customer pyramid: %s: %s partners, %s active (boundaries %s), "
            "%s placed for the first time, %s changed level; "
            "skipped: %s orders without currency rate, "
            "%s archived or foreign partners with orders, "
            "%s partners with zero or negative revenue in the window",
            company.name,
            stats["partners"],
            stats["active"],
            boundaries,
            stats["placed"],
            stats["changed"],
            stats["orders_without_rate"],
            stats["partners_out_of_scope"],
            stats["partners_without_positive_revenue"],
        )

    def _look_ahead(self, company, cutoffs, partner_ids=None, run=False):
        """The outlook of the partners just placed (``partner_ids``, or all),
        the activities it calls for and the lapsed customers' win-back.

        A run (``run``) also refreshes everyone's outlook when that is due,
        schedules the activities before a drop (the day, not an event, brings
        a drop nearer) and wins back every lapsed customer."""
        outlook = self.env["customer.pyramid.outlook"]
        if run:
            entered_band = outlook._refresh_after_run(company, cutoffs, partner_ids)
        else:
            entered_band = outlook._refresh(company, cutoffs, partner_ids)
        outlook._schedule_activities(company, entered_band, before_drops=run)
        self.env["customer.lifecycle.engine"].win_back(
            company, None if run else partner_ids
        )

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

    def _flush_sources(self):
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed"]
            + ["amount_total", "currency_rate"]
        )
        self.env["account.move"].flush_model(
            ["state", "move_type", "company_id", "partner_id", "invoice_date"]
            + ["amount_untaxed_signed", "amount_total_signed"]
        )
        self.env["crm.lead"].flush_model(["active", "type", "partner_id", "company_id"])
        self.env["customer.feedback"].flush_model()
        self.env["customer.relationship.default"].flush_model()
        self.env["mail.activity"].flush_model(
            ["res_model", "res_id", "activity_type_id", "active"]
        )
        self._flush_scope()
        self.env["customer.consent"].flush_model()
        self.env["customer.pyramid.standing"].flush_model()

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
        now = fields.Datetime.now()
        placed = self._write_standings(company, now)
        changed = self._write_level_history(company, cause, now)
        # What the SQL wrote, and nothing more: a transaction confirming
        # many orders keeps the rest of its cache.
        self.env["customer.pyramid.standing"].invalidate_model()
        self.env["res.partner"].invalidate_model(
            [
                *STANDING_FIELDS,
                "customer_pyramid_account_level",
                "customer_pyramid_history_count",
                "message_ids",
            ]
        )
        return placed, changed

    def _write_standings(self, company, now):
        """Upsert the changed partners' standing rows; their level changes go
        to the temporary table customer_pyramid_changes. The statement is one
        so that PostgreSQL reads the result once. Returns how many partners
        were placed for the first time."""
        cr = self.env.cr
        columns = [SQL.identifier(column) for column in FACT_COLUMNS.values()]
        self._empty_changes_table()
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
                  -- in index order: the rows of a first ranking go into
                  -- the unique index's pages one after the other
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
        return cr.fetchone()[0]

    def _empty_changes_table(self):
        if self._temporary_table_exists(CHANGES):
            self.env.cr.execute(SQL("TRUNCATE %s", CHANGES_TABLE))
            return
        self.env.cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s (partner_id integer,"
                " old_level varchar, level varchar, revenue numeric)"
                " ON COMMIT DROP",
                CHANGES_TABLE,
            )
        )

    def _write_level_history(self, company, cause, now):
        """History rows, chatter and retention activities for the level
        changes _write_standings found. Returns how many there were."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                INSERT INTO customer_pyramid_history
                       (partner_id, company_id, date, old_level, new_level, cause,
                        revenue, user_id, group_of_companies)
                SELECT partner_id, %(company)s, %(now)s, old_level, level, %(cause)s,
                       revenue, %(uid)s, %(grouped)s
                  FROM %(changes)s
             RETURNING id
                """,
                company=company.id,
                now=now,
                cause=cause,
                uid=self.env.uid,
                changes=CHANGES_TABLE,
                grouped=company._customer_pyramid_setting(
                    "customer_pyramid_group_companies"
                ),
            )
        )
        history_ids = [history_id for (history_id,) in cr.fetchall()]
        if history_ids:
            history = self.env["customer.pyramid.history"]
            history._log_level_changes(company, cause, now)
            history._run_creation_automations(history_ids)
        return len(history_ids)

    def _analyze_standing_after(self, placed, scope_count):
        """Refresh the standing table's statistics after a run that placed
        many partners for the first time (the installation, a new company).

        Autovacuum analyses only committed rows: after the first company's
        run it knows that company's rows alone, and plans the next company's
        statements for a single row of it, with nested loops over its
        hundreds of thousands of rows. ANALYZE in the transaction samples
        the rows it inserted too.
        """
        if placed > max(1000, scope_count // 10):
            self.env.cr.execute(SQL("ANALYZE customer_pyramid_standing"))

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
        # EXCEPT, not NOT EXISTS: a set operation whatever the statistics
        # say, never a nested loop that scans the result for each row
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_pyramid_standing st
                 USING (SELECT st.partner_id FROM customer_pyramid_standing st
                         WHERE st.company_id = %(company)s %(partner_filter)s
                        EXCEPT
                        SELECT r.partner_id FROM %(result)s r) gone
                 WHERE st.company_id = %(company)s
                   AND st.partner_id = gone.partner_id
                """,
                company=company.id,
                partner_filter=partner_filter,
                result=RESULT_TABLE,
            )
        )
        forgotten = self.env.cr.rowcount
        if forgotten:
            self.env["customer.pyramid.standing"].invalidate_model()
            self.env["res.partner"].invalidate_model(
                [*STANDING_FIELDS, "customer_pyramid_account_level"]
            )
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
