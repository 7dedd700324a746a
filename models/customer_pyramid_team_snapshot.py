from odoo import fields, models
from odoo.tools import SQL

from .customer_pyramid_query import cents_sum


class CustomerPyramidTeamSnapshot(models.Model):
    """The pyramid of each run split by sales team and salesperson: each
    customer counted with its salesperson at the time of the run, and the
    salesperson's main team, with the customers at risk and those the grace
    band held. The run's snapshot adds these rows up per level."""

    _name = "customer.pyramid.team.snapshot"
    _inherit = "customer.pyramid.run.mixin"
    _description = "Customer pyramid snapshot per sales team"
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
    held_count = fields.Integer(string="Held by the grace band", readonly=True)

    def _store_run(self, company, run_date):
        """The run's rows, from the standing rows it has just written."""
        self.flush_model()
        self.env["customer.pyramid.standing"].flush_model()
        self.env["res.partner"].flush_model(["user_id"])
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM customer_pyramid_team_snapshot
                 WHERE company_id = %(company)s AND run_date = %(run_date)s;
                INSERT INTO customer_pyramid_team_snapshot
                       (company_id, run_date, level, team_id, user_id,
                        customer_count, revenue, at_risk_count, at_risk_revenue,
                        held_count, create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, %(run_date)s, st.level, u.sale_team_id,
                       p.user_id, count(*), COALESCE(%(revenue)s, 0),
                       count(*) FILTER (WHERE %(at_risk)s),
                       COALESCE(%(risk_revenue)s, 0),
                       count(*) FILTER (WHERE st.held),
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
