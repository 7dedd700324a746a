from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.pyramid_split import LEVEL_SELECTION
from .customer_pyramid_query import cents_sum


class CustomerPyramidTeamSnapshot(models.Model):
    """The pyramid of each full recompute split by sales team and
    salesperson: each customer counted with its salesperson at the time of
    the run, and the salesperson's main team, with the customers at risk."""

    _name = "customer.pyramid.team.snapshot"
    _inherit = "customer.pyramid.level.order.mixin"
    _description = "Customer pyramid snapshot per sales team"
    _order = "run_date desc, company_id, id"
    _rec_name = "level"
    _customer_pyramid_level_fields = ("level",)

    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    run_date = fields.Datetime(required=True, index=True, readonly=True)
    level = fields.Selection(LEVEL_SELECTION, required=True, readonly=True)
    team_id = fields.Many2one(
        "crm.team", string="Sales team", readonly=True, ondelete="set null"
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, ondelete="set null"
    )
    customer_count = fields.Integer(string="Customers", readonly=True)
    revenue = fields.Float(string="Revenue in window", readonly=True)
    at_risk_count = fields.Integer(string="At risk", readonly=True)
    at_risk_revenue = fields.Float(string="Revenue at risk", readonly=True)
    is_latest_run = fields.Boolean(
        string="Latest run",
        compute="_compute_is_latest_run",
        search="_search_is_latest_run",
    )

    def _compute_is_latest_run(self):
        latest = self.search([("id", "in", self.ids), ("is_latest_run", "=", True)])
        for row in self:
            row.is_latest_run = row in latest

    def _search_is_latest_run(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search the latest run with 'is set' or 'is not set'."))
        self.flush_model(["company_id", "run_date"])
        latest_rows = SQL(
            """(SELECT s.id FROM customer_pyramid_team_snapshot s
                 WHERE s.run_date = (SELECT max(run_date)
                                       FROM customer_pyramid_team_snapshot
                                      WHERE company_id = s.company_id))"""
        )
        return [("id", "in" if (operator == "=") == value else "not in", latest_rows)]

    def _store_run(self, company, run_date):
        """The run's rows, from the standing rows it has just written."""
        self.flush_model()
        self.env["res.partner"].flush_model(["user_id"])
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_pyramid_team_snapshot
                 WHERE company_id = %(company)s AND run_date = %(run_date)s;
                INSERT INTO customer_pyramid_team_snapshot
                       (company_id, run_date, level, team_id, user_id,
                        customer_count, revenue, at_risk_count, at_risk_revenue,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, %(run_date)s, st.level, u.sale_team_id,
                       p.user_id, count(*), COALESCE(%(revenue)s, 0),
                       count(*) FILTER (WHERE %(at_risk)s),
                       COALESCE(%(risk_revenue)s, 0),
                       %(uid)s, %(run_date)s, %(uid)s, %(run_date)s
                  FROM customer_pyramid_standing st
                  JOIN res_partner p ON p.id = st.partner_id
             LEFT JOIN res_users u ON u.id = p.user_id
                 WHERE st.company_id = %(company)s AND st.level IS NOT NULL
              GROUP BY st.level, u.sale_team_id, p.user_id
                """,
                company=company.id,
                run_date=run_date,
                revenue=cents_sum(SQL("st.revenue")),
                at_risk=SQL("st.risk_date <= %s", fields.Date.today()),
                risk_revenue=cents_sum(
                    SQL("st.revenue"), SQL("st.risk_date <= %s", fields.Date.today())
                ),
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
