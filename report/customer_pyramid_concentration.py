from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL

from ..models.customer_pyramid_query import FACTS_TABLE

# The Lorenz curve is drawn through a point every this many percent of customers.
LORENZ_STEP = 5


class CustomerPyramidConcentration(models.TransientModel):
    """How concentrated revenue is: the 80/20 rule, Lorenz curve and Gini.

    The customers are the pyramid's: commercial partners in scope with a
    positive revenue in the period, not marked "no need", their revenue on the
    company's basis and converted to its currency as the engine does.

    - Top k % share: revenue of the ceil(k % x N) customers with the highest
      revenue out of all N customers' revenue (ceil, as the pyramid's levels:
      one customer of seven is the top 1 %).
    - Lorenz curve at p %: revenue share of the floor(p % x N) customers with
      the lowest revenue, so the top 20 % share is 100 minus the curve at 80 %.
    - Gini coefficient, with revenues sorted ascending x_1 <= ... <= x_N:
      G = 2 * sum(i * x_i) / (N * sum(x_i)) - (N + 1) / N.
      0 when every customer brings the same; towards 1 when one brings all.
    """

    _name = "customer.pyramid.concentration"
    _inherit = "customer.pyramid.report.period.mixin"
    _description = "Customer revenue concentration"

    def _default_date_from(self):
        return fields.Date.today() - relativedelta(
            months=self.env.company.customer_pyramid_window_months
        )

    customer_count = fields.Integer(string="Customers", readonly=True)
    revenue = fields.Monetary(readonly=True)
    top_1_share = fields.Float(
        string="Top 1 % of customers bring (%)", readonly=True, digits=(16, 2)
    )
    top_5_share = fields.Float(
        string="Top 5 % of customers bring (%)", readonly=True, digits=(16, 2)
    )
    top_20_share = fields.Float(
        string="Top 20 % of customers bring (%)", readonly=True, digits=(16, 2)
    )
    gini = fields.Float(
        string="Gini coefficient",
        readonly=True,
        digits=(16, 4),
        help="0: every customer brings the same revenue; close to 1: a single "
        "customer brings nearly all of it.",
    )
    line_ids = fields.One2many(
        "customer.pyramid.concentration.line", "concentration_id", readonly=True
    )

    def action_compute(self):
        self.ensure_one()
        engine = self.env["customer.pyramid.engine"]
        engine._flush_sources()
        engine._build_facts(
            self.company_id,
            window=(self._day_start(self.date_from), self._day_end(self.date_to)),
        )
        self.line_ids.unlink()
        self._insert_lorenz_curve()
        self.write(dict(self._figures(), computed_on=fields.Datetime.now()))

    def action_open_lorenz_curve(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_pyramid_concentration_line_action"
        )
        action["domain"] = [("concentration_id", "=", self.id)]
        return action

    def _customers_query(self):
        """The customers' revenue with their positions from both ends."""
        return SQL(
            """SELECT revenue,
                      row_number() OVER (ORDER BY revenue, partner_id) AS position,
                      row_number() OVER (ORDER BY revenue DESC, partner_id)
                          AS top_position
                 FROM %s WHERE in_scope AND ranked""",
            FACTS_TABLE,
        )

    def _insert_lorenz_curve(self):
        now = fields.Datetime.now()
        self.env["customer.pyramid.concentration.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH customers AS (
                    SELECT position,
                           sum(revenue) OVER (ORDER BY position) AS cumulated
                      FROM (%(customers)s) c
                ),
                totals AS (
                    SELECT count(*) AS customer_count,
                           COALESCE(max(cumulated), 0) AS revenue
                      FROM customers
                ),
                points AS (
                    SELECT step.percent,
                           floor(t.customer_count * step.percent / 100.0)::int
                               AS customer_count,
                           t.revenue
                      FROM generate_series(0, 100, %(step)s) AS step(percent),
                           totals t
                )
                INSERT INTO customer_pyramid_concentration_line
                       (concentration_id, company_id, curve, customer_percent,
                        customer_count, revenue_percent,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(report)s, %(company)s, curve.name, p.percent,
                       p.customer_count,
                       CASE WHEN curve.name = 'equality' THEN p.percent
                            ELSE COALESCE(100.0 * c.cumulated
                                          / NULLIF(p.revenue, 0), 0) END,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM points p
            CROSS JOIN (VALUES ('lorenz'), ('equality')) AS curve(name)
             LEFT JOIN customers c ON c.position = p.customer_count
                """,
                customers=self._customers_query(),
                step=LORENZ_STEP,
                report=self.id,
                company=self.company_id.id,
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_recordset(["line_ids"])

    def _figures(self):
        shares = {
            f"top_{percent}_share": SQL(
                "COALESCE(100.0 * sum(c.revenue) FILTER (WHERE c.top_position"
                " <= ceil(t.customer_count * %s / 100.0)) / NULLIF(t.revenue, 0), 0)",
                percent,
            )
            for percent in (1, 5, 20)
        }
        self.env.cr.execute(
            SQL(
                """
                WITH customers AS (%(customers)s),
                totals AS (
                    SELECT count(*) AS customer_count,
                           COALESCE(sum(revenue), 0) AS revenue
                      FROM customers
                )
                SELECT t.customer_count, t.revenue,
                       %(top_1)s, %(top_5)s, %(top_20)s,
                       CASE WHEN t.revenue > 0 THEN
                           2.0 * sum(c.position * c.revenue)
                               / (t.customer_count * t.revenue)
                           - (t.customer_count + 1.0) / t.customer_count
                       ELSE 0 END
                  FROM totals t
             LEFT JOIN customers c ON TRUE
              GROUP BY t.customer_count, t.revenue
                """,
                customers=self._customers_query(),
                top_1=shares["top_1_share"],
                top_5=shares["top_5_share"],
                top_20=shares["top_20_share"],
            )
        )
        values = self.env.cr.fetchone()
        names = ["customer_count", "revenue", *shares, "gini"]
        return dict(zip(names, values, strict=True))
