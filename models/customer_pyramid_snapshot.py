from odoo import fields, models
from odoo.tools import SQL

from ..lib.pyramid_split import LEVEL_SELECTION, LEVELS
from .customer_pyramid_query import cents_sum, cutoff_of

LEVEL_ORDER = {
    level: position for position, (level, _label) in enumerate(LEVEL_SELECTION)
}


class CustomerPyramidSnapshot(models.Model):
    """One row per company, level and full recompute: the pyramid as it was."""

    _name = "customer.pyramid.snapshot"
    _inherit = "customer.pyramid.run.mixin"
    _description = "Customer pyramid snapshot"
    customer_count = fields.Integer(string="Customers", readonly=True)
    revenue = fields.Float(string="Revenue in window", readonly=True)
    customer_share = fields.Float(
        string="Share of customers (%)",
        readonly=True,
        digits=(16, 2),
        help="This level's partners out of all the partners of the run.",
    )
    revenue_share = fields.Float(
        string="Share of revenue (%)",
        readonly=True,
        digits=(16, 2),
        help="This level's revenue in the window out of the run's total.",
    )
    cutoff_revenue = fields.Float(
        string="Revenue cut-off",
        readonly=True,
        aggregator="min",
        help="Lowest revenue in the window among the customers of this level.",
    )
    held_count = fields.Integer(
        string="Held by the grace band",
        readonly=True,
        help="Customers of this level whose revenue ranks them on a neighbouring "
        "level but within the grace band of its cut-off.",
    )
    at_risk_count = fields.Integer(
        string="At risk",
        readonly=True,
        help="Customers of this level overdue against their usual rhythm on the "
        "day of the run.",
    )
    at_risk_revenue = fields.Float(
        string="Revenue at risk",
        readonly=True,
        help="The revenue in the window of this level's customers at risk.",
    )
    settings = fields.Char(string="Computed with", readonly=True)

    def _latest_run_at(self, company, moment):
        """The rows of ``company``'s last full recompute before ``moment``."""
        last = self.search(
            [("company_id", "=", company.id), ("run_date", "<", moment)],
            order="run_date desc",
            limit=1,
        )
        return self.search(
            [("company_id", "=", company.id), ("run_date", "=", last.run_date)]
        ).sorted(lambda row: LEVEL_ORDER[row.level])

    def _store_run(self, company, run_date, settings_label, cutoffs):
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
                        at_risk_count, at_risk_revenue,
                        settings, create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, %(run_date)s, lv.level,
                       COALESCE(e.customer_count, 0), COALESCE(e.revenue, 0),
                       COALESCE(100.0 * e.customer_count
                                / NULLIF(sum(e.customer_count) OVER (), 0), 0),
                       COALESCE(100.0 * e.revenue
                                / NULLIF(sum(e.revenue) OVER (), 0), 0),
                       %(cutoff)s, COALESCE(e.held_count, 0),
                       COALESCE(e.at_risk_count, 0), COALESCE(e.at_risk_revenue, 0),
                       %(settings)s,
                       %(uid)s, %(run_date)s, %(uid)s, %(run_date)s
                  FROM unnest(%(levels)s::varchar[]) AS lv(level)
             -- the run's rows per team, stored just before from the
             -- standing rows: every partner placed, counted once
             LEFT JOIN (SELECT level, sum(customer_count) AS customer_count,
                               %(revenue)s AS revenue,
                               sum(held_count) AS held_count,
                               sum(at_risk_count) AS at_risk_count,
                               %(risk_revenue)s AS at_risk_revenue
                          FROM customer_pyramid_team_snapshot
                         WHERE company_id = %(company)s AND run_date = %(run_date)s
                      GROUP BY level) e ON e.level = lv.level
                """,
                cutoff=cutoff_of(SQL("lv.level"), cutoffs),
                revenue=cents_sum(SQL("revenue")),
                risk_revenue=cents_sum(SQL("at_risk_revenue")),
                company=company.id,
                run_date=run_date,
                settings=settings_label,
                uid=uid,
                levels=levels,
            )
        )
        self.env["customer.pyramid.snapshot"].invalidate_model()
