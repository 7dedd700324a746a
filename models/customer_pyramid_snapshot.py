from odoo import fields, models

from ..lib.pyramid_split import LEVEL_SELECTION


class CustomerPyramidSnapshot(models.Model):
    """One row per company, level and full recompute: the pyramid as it was."""

    _name = "customer.pyramid.snapshot"
    _description = "Customer pyramid snapshot"
    _order = "run_date desc, company_id, id"
    _rec_name = "level"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    run_date = fields.Datetime(required=True, index=True, readonly=True)
    level = fields.Selection(LEVEL_SELECTION, required=True, readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    revenue = fields.Float(string="Revenue in window", readonly=True)
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
    settings = fields.Char(string="Computed with", readonly=True)
