from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.pyramid_split import LEVEL_SELECTION
from ..models.customer_pyramid_outlook_mixin import OUTLOOK_SELECTION, outlook_case

REASON_SELECTION = [item for item in OUTLOOK_SELECTION if item[0] != "safe"]


class CustomerPyramidWatchlist(models.Model):
    """This week's list: the customers who need a salesperson now, with the
    revenue at stake: dropping soon, at risk, lapsed within the last active
    window. One row per partner and company, from the standing rows, read
    for today (a view: nothing to refresh)."""

    _name = "customer.pyramid.watchlist"
    _description = "Customers to act on this week"
    _auto = False
    _order = "revenue_at_stake desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales team",
        readonly=True,
        help="The salesperson's main sales team.",
    )
    level = fields.Selection(LEVEL_SELECTION, readonly=True)
    reason = fields.Selection(REASON_SELECTION, readonly=True)
    date = fields.Date(
        readonly=True,
        help="The forecast drop, the day the customer became at risk, or the day "
        "it lapsed.",
    )
    revenue_at_stake = fields.Monetary(
        readonly=True,
        help="The revenue of the active window; for a lapsed customer, what it "
        "brought per active window while it bought.",
    )
    summary = fields.Char(string="Why", compute="_compute_summary")

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    @api.model
    def _query(self):
        """The rows, for today (UTC days, as the pyramid's window)."""
        return SQL(
            """
            SELECT st.id, st.partner_id, st.company_id, p.user_id,
                   u.sale_team_id AS team_id,
                   st.level, w.reason, w.date, w.revenue_at_stake
              FROM customer_pyramid_standing st
              JOIN res_partner p ON p.id = st.partner_id AND p.active
              JOIN res_company c ON c.id = st.company_id
         LEFT JOIN res_users u ON u.id = p.user_id
      CROSS JOIN LATERAL (SELECT %(outlook)s AS outlook) o
      CROSS JOIN LATERAL (
                -- lapsed within the last window only; the safe are not listed
                SELECT CASE
                         WHEN o.outlook = 'safe' THEN NULL
                         WHEN o.outlook = 'lapsed'
                              AND st.lapsed_since < (CURRENT_DATE - make_interval(
                                  months => COALESCE(c.customer_pyramid_window_months,
                                                     12)))::date
                              THEN NULL
                         ELSE o.outlook
                       END AS reason
              ) r
      CROSS JOIN LATERAL (
                SELECT r.reason,
                       CASE r.reason WHEN 'lapsed' THEN st.lapsed_since
                                     WHEN 'at_risk' THEN st.risk_date
                                     ELSE st.drop_date END AS date,
                       CASE WHEN r.reason = 'lapsed'
                            -- what it brought per window while it bought
                            THEN st.lifetime_revenue / GREATEST(1, ceil(
                                (st.last_order_date - st.first_order_date)
                                / (30.44 * COALESCE(
                                    c.customer_pyramid_window_months, 12))))
                            ELSE st.revenue END AS revenue_at_stake
              ) w
             WHERE r.reason IS NOT NULL
            """,
            outlook=outlook_case(
                SQL("st.lapsed_since"),
                SQL("st.risk_date"),
                SQL("st.drop_date"),
                SQL("CURRENT_DATE"),
                SQL("CURRENT_DATE + COALESCE(c.customer_pyramid_outlook_days, 30)"),
            ),
        )

    @api.depends("reason", "partner_id")
    def _compute_summary(self):
        describe = self.env["customer.pyramid.outlook"]._describe
        reasons = {"dropping": "drop", "at_risk": "at_risk", "lapsed": "lapsed"}
        for row in self:
            partner = row.partner_id.with_company(row.company_id)
            row.summary = describe(partner, reasons[row.reason])
