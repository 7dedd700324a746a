import json

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import SQL, format_amount, format_date

from ..lib.pyramid_split import ACTIVE_LEVELS, LEVELS
from .customer_pyramid_query import RESULT_TABLE, cutoff_of, hundredths
from .customer_pyramid_standing import OUTLOOK_FIELDS


class CustomerPyramidOutlook(models.AbstractModel):
    """Where each partner is going, from the facts the ranking just wrote:

    - the forecast: the day its level would drop if it bought nothing more
      (its window's orders leave one by one, against its level's current
      cut-off) and what it must order before then to keep the level;
    - the gap to the next level's cut-off;
    - its usual gap between orders (the median of its order days' gaps)
      and the day it becomes at risk (the last order plus that gap times the
      company's factor, or the company's default gap for one-order buyers);
    - for a former customer, the day it lapsed.

    A partner's outlook follows from its orders, its level, the cut-offs of
    its level and the next and the company's settings alone. An event
    refreshes its partners'; the full run refreshes the partners whose
    standing it rewrote, and everyone when the cut-offs or the settings
    differ from those of the last full refresh, or when that is a week old,
    which also catches orders edited in SQL without changing any fact. The
    daily run then schedules the activities that act before a drop
    (``_schedule_activities``).
    """

    # A full refresh at least this often, whatever changed.
    FULL_REFRESH_DAYS = 7

    _name = "customer.pyramid.outlook"
    _inherit = "customer.pyramid.query"
    _description = "Customer pyramid outlook"

    def _refresh_after_run(self, company, cutoffs, partner_ids=None):
        """A run's refresh: everyone, or the partners it rewrote (see the
        class; a quiet run rewrote ``partner_ids`` at most). Returns what
        ``_refresh`` returns."""
        signature = self._signature(company, cutoffs)
        last_full = company.customer_pyramid_outlook_refreshed_on
        today = fields.Date.today()
        if (
            signature == company.customer_pyramid_outlook_signature
            and last_full
            and last_full > today - relativedelta(days=self.FULL_REFRESH_DAYS)
        ):
            return self._refresh(
                company, cutoffs, partner_ids, rewritten=partner_ids is None
            )
        entered_band = self._refresh(company, cutoffs)
        company.sudo().write(  # the cron user may not be a settings admin
            {
                "customer_pyramid_outlook_signature": signature,
                "customer_pyramid_outlook_refreshed_on": today,
            }
        )
        return entered_band

    def _signature(self, company, cutoffs):
        """What every partner's outlook depends on besides its own facts."""
        parameters = company._customer_pyramid_parameters()
        return json.dumps(
            {
                "cutoffs": cutoffs,
                "window": parameters["window_months"],
                "basis": parameters["basis"],
                "source": parameters["source"],
                "group_companies": parameters["group_companies"],
                "factor": company._customer_pyramid_setting(
                    "customer_pyramid_risk_factor"
                ),
                "default_gap": company._customer_pyramid_setting(
                    "customer_pyramid_risk_default_days"
                ),
            },
            sort_keys=True,
        )

    def _refresh(self, company, cutoffs, partner_ids=None, rewritten=False):
        """Write the outlook of the company's standing rows (of
        ``partner_ids``; with ``rewritten``, of the rows the run in progress
        rewrote; else all) where it changed; returns the ids of the partners
        that entered the band below their next level."""
        self.env["sale.order"].flush_model()
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "customer_pyramid_group_id"]
        )
        self.env["customer.pyramid.standing"].flush_model()
        partner_filter = SQL()
        if partner_ids is not None:
            partner_filter = SQL("AND st.partner_id = ANY(%s)", list(partner_ids))
        elif rewritten:
            partner_filter = SQL(
                "AND st.partner_id IN (SELECT partner_id FROM %s WHERE changed)",
                RESULT_TABLE,
            )
        self.env.cr.execute(self._outlook_update(company, cutoffs, partner_filter))
        rows = self.env.cr.fetchall()
        self.env["customer.pyramid.standing"].invalidate_model(
            list(OUTLOOK_FIELDS.values())
        )
        # with what reads them: they depend on the day, not on a field
        self.env["res.partner"].invalidate_model(
            [
                *OUTLOOK_FIELDS,
                "customer_pyramid_outlook",
                "customer_pyramid_outlook_reason",
                "customer_pyramid_near_next_level",
            ]
        )
        band = company._customer_pyramid_setting("customer_pyramid_grow_band")
        return [
            partner_id
            for partner_id, old_percent, new_percent in rows
            if new_percent is not None
            and new_percent <= band
            and (old_percent is None or old_percent > band)
        ]

    def _outlook_update(self, company, cutoffs, partner_filter):
        """SQL: one statement from the orders to the changed outlook columns,
        returning (partner, old next-level gap %, new next-level gap %): the
        orders of the active customers are read once for the forecast and
        the usual gap, and only rows that differ are written."""
        parameters = company._customer_pyramid_parameters()
        months = parameters["window_months"]
        window_start, _in_window = self._window(parameters, None)
        next_cutoff = cutoff_of(self._next_level(SQL("t.level")), cutoffs)
        columns = [SQL.identifier(column) for column in OUTLOOK_FIELDS.values()]
        return SQL(
            """
            WITH target AS (
                SELECT st.partner_id, st.level, st.revenue::numeric AS revenue,
                       st.last_order_date, st.next_gap_percent AS old_percent,
                       st.computed_level = ANY(%(active)s) AS active,
                       st.computed_level, st.level = st.computed_level
                           AND st.computed_level = ANY(%(active)s) AS forecast
                  FROM customer_pyramid_standing st
                 WHERE st.company_id = %(company)s %(partner_filter)s
            ),
            orders AS MATERIALIZED (
                SELECT t.partner_id, so.date_order::date AS day, so.amount,
                       so.counted, so.date_order >= %(start)s AS in_window
                  FROM target t
                  JOIN res_partner cp ON %(account)s = t.partner_id
                  JOIN (%(documents)s) so ON so.partner_id = cp.id
                 WHERE t.active
            ),
            usual AS (
                SELECT partner_id,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS usual_gap
                  FROM (SELECT partner_id, day - lag(day) OVER (
                                   PARTITION BY partner_id ORDER BY day) AS gap
                          FROM (SELECT DISTINCT partner_id, day FROM orders
                                 WHERE counted) d) g
                 WHERE gap IS NOT NULL
              GROUP BY partner_id
            ),
            leaving AS (
                SELECT partner_id, %(leave_day)s AS leave_day, sum(amount) AS amount
                  FROM orders
                 WHERE in_window AND amount IS NOT NULL
              GROUP BY 1, 2
            ),
            drops AS (
                -- the first day on which what stays in the window no longer
                -- reaches the level: any revenue for small, the cut-off above
                SELECT DISTINCT ON (r.partner_id) r.partner_id, r.leave_day,
                       r.remaining
                  FROM (SELECT l.partner_id, l.leave_day, t.level,
                               t.revenue - round(sum(l.amount) OVER (
                                   PARTITION BY l.partner_id ORDER BY l.leave_day),
                                   2) AS remaining
                          FROM leaving l
                          JOIN target t ON t.partner_id = l.partner_id AND t.forecast
                       ) r
                 WHERE CASE WHEN r.level = 'small' THEN r.remaining <= 0
                            ELSE r.remaining < %(own_cutoff)s END
              ORDER BY r.partner_id, r.leave_day
            ),
            outlook AS (
                SELECT t.partner_id, t.old_percent,
                       d.leave_day AS drop_date,
                       CASE WHEN t.level <> 'small'
                            THEN round(%(own_cutoff_t)s - d.remaining, 2)::float8
                       END AS keep_amount,
                       CASE WHEN t.forecast AND t.level <> 'top'
                            THEN GREATEST(round(%(next_cutoff_n)s - t.revenue, 2),
                                          0)::float8
                       END AS next_gap,
                       CASE WHEN t.forecast AND t.level <> 'top'
                            THEN GREATEST(%(next_percent)s, 0)
                       END AS next_gap_percent,
                       u.usual_gap::float8 AS usual_gap,
                       CASE WHEN t.active THEN t.last_order_date
                            + COALESCE(ceil(%(factor)s * u.usual_gap)::int,
                                       %(default_gap)s)
                       END AS risk_date,
                       -- the day the last order left the window; a former
                       -- customer whose window holds no positive revenue
                       -- lapsed with its last order
                       CASE WHEN t.computed_level = 'inactive' THEN
                            CASE WHEN %(lapse_day)s <= %(today)s THEN %(lapse_day)s
                                 ELSE t.last_order_date END
                       END AS lapsed_since
                  FROM target t
             LEFT JOIN drops d ON d.partner_id = t.partner_id
             LEFT JOIN usual u ON u.partner_id = t.partner_id
            )
            UPDATE customer_pyramid_standing st
               SET (%(columns)s) = (%(values)s)
              FROM outlook o
             WHERE st.company_id = %(company)s AND st.partner_id = o.partner_id
               AND (%(stored)s) IS DISTINCT FROM (%(values)s)
         RETURNING st.partner_id, o.old_percent, o.next_gap_percent
            """,
            active=list(ACTIVE_LEVELS),
            company=company.id,
            partner_filter=partner_filter,
            documents=self._revenue_documents(company, parameters),
            account=self._account(parameters, "cp"),
            start=window_start,
            leave_day=self._leaves_window_on(SQL("day"), months),
            own_cutoff=cutoff_of(SQL("r.level"), cutoffs),
            own_cutoff_t=SQL("(%s)::numeric", cutoff_of(SQL("t.level"), cutoffs)),
            next_cutoff=next_cutoff,
            next_cutoff_n=SQL("(%s)::numeric", next_cutoff),
            next_percent=hundredths(
                SQL("100 * (%s - t.revenue)", next_cutoff), next_cutoff
            ),
            factor=company._customer_pyramid_setting("customer_pyramid_risk_factor"),
            default_gap=company._customer_pyramid_setting(
                "customer_pyramid_risk_default_days"
            ),
            lapse_day=self._leaves_window_on(SQL("t.last_order_date"), months),
            today=fields.Date.today(),
            columns=SQL(", ").join(columns),
            values=SQL(", ").join(
                SQL.identifier("o", column) for column in OUTLOOK_FIELDS.values()
            ),
            stored=SQL(", ").join(
                SQL.identifier("st", column) for column in OUTLOOK_FIELDS.values()
            ),
        )

    @api.model
    def _next_level(self, level):
        """SQL: the active level above ``level`` (NULL above top)."""
        branches = [
            SQL("WHEN %s THEN %s", lower, upper)
            for upper, lower in zip(ACTIVE_LEVELS, ACTIVE_LEVELS[1:], strict=False)
        ]
        return SQL("CASE %s %s END", level, SQL(" ").join(branches))

    # ------------------------------------------------------------------
    # Acting before the drop
    # ------------------------------------------------------------------
    def _schedule_activities(self, company, entered_band_ids, before_drops=True):
        """Retention activities N days before a forecast drop, grow
        activities for the partners that entered the band below their next
        level; neither for a customer in cooling-off, and a 'solve the
        complaint' activity instead for one with an open complaint."""
        lead_days = company._customer_pyramid_setting(
            "customer_pyramid_retention_lead_days"
        )
        partners = self.env["res.partner"].sudo().with_company(company)
        if before_drops and lead_days and company.customer_pyramid_retention_activity:
            today = fields.Date.today()
            dropping = partners.search(
                [
                    ("customer_pyramid_drop_date", ">", today),
                    (
                        "customer_pyramid_drop_date",
                        "<=",
                        today + relativedelta(days=lead_days),
                    ),
                ]
            )
            self._create_activities(
                dropping, "customer_pyramid.mail_activity_type_retention"
            )
        if entered_band_ids and company.customer_pyramid_grow_activity:
            self._create_activities(
                partners.browse(entered_band_ids),
                "customer_pyramid.mail_activity_type_grow",
            )

    def _create_activities(self, partners, type_xmlid):
        activity_type = self.env.ref(type_xmlid)
        solve_type = self.env.ref("customer_pyramid.mail_activity_type_retention")
        open_types = {
            (activity.res_id, activity.activity_type_id.id)
            for activity in self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "in", [activity_type.id, solve_type.id]),
                ]
            )
        }
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for partner in partners:
            if partner.customer_do_not_offer or partner.customer_offer_blocked:
                continue  # a customer who refused an offer is not pushed again
            if partner.customer_open_complaint_count:
                kind, summary = (
                    solve_type,
                    _(
                        "Solve the open complaint first; then: %(plan)s",
                        plan=self._plan(partner, type_xmlid),
                    ),
                )
            else:
                kind, summary = activity_type, self._plan(partner, type_xmlid)
            if (partner.id, kind.id) in open_types:
                continue
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": kind.id,
                    "user_id": partner.user_id.id
                    or kind.default_user_id.id
                    or self.env.uid,
                    "date_deadline": self._deadline(partner),
                    "summary": summary,
                }
            )
        # sudo: scheduled for the partners' salespeople, from fixed values;
        # mail_activity_quick_update: no assignment e-mail for each of them.
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(vals_list)

    def _deadline(self, partner):
        today = fields.Date.today()
        drop_date = partner.customer_pyramid_drop_date
        if drop_date:
            return max(today, drop_date - relativedelta(days=1))
        return today + relativedelta(days=7)

    def _plan(self, partner, type_xmlid):
        """One line: what the activity is for."""
        reason = "grow" if type_xmlid.endswith("_grow") else "drop"
        return self._describe(partner, reason)

    @api.model
    def _level_label(self, level):
        labels = dict(
            self.env["res.partner"]
            ._fields["customer_pyramid_level"]
            ._description_selection(self.env)
        )
        return labels.get(level, "")

    @api.model
    def _describe(self, partner, reason):
        """The reason ``reason`` (drop, grow, at_risk, lapsed) of ``partner``
        in one line, in the user's language and formats."""
        env = self.env
        currency = partner.customer_pyramid_currency_id
        level = self._level_label(partner.customer_pyramid_level)
        if reason == "drop":
            if not partner.customer_pyramid_keep_amount:
                return _(
                    "%(level)s until %(date)s; one order by then keeps it",
                    level=level,
                    date=format_date(env, partner.customer_pyramid_drop_date),
                )
            return _(
                "%(level)s until %(date)s; needs %(amount)s more by then",
                level=level,
                date=format_date(env, partner.customer_pyramid_drop_date),
                amount=format_amount(
                    env, partner.customer_pyramid_keep_amount, currency
                ),
            )
        if reason == "grow":
            upper = LEVELS[LEVELS.index(partner.customer_pyramid_level) - 1]
            return _(
                "%(amount)s more reaches %(level)s",
                amount=format_amount(env, partner.customer_pyramid_next_gap, currency),
                level=self._level_label(upper),
            )
        if reason == "at_risk" and not partner.customer_pyramid_usual_gap:
            return _(
                "At risk: %(days)s days since the only order",
                days=partner.customer_pyramid_days_since_last_order,
            )
        if reason == "at_risk":
            return _(
                "At risk: %(days)s days since the last order, usually %(usual)s",
                days=partner.customer_pyramid_days_since_last_order,
                usual=round(partner.customer_pyramid_usual_gap or 0),
            )
        return _(
            "Lapsed since %(date)s",
            date=format_date(env, partner.customer_pyramid_lapsed_since),
        )
