from odoo import fields, models

from ..lib.pyramid_split import LEVEL_SELECTION

CAUSE_SELECTION = [
    ("cron", "Scheduled recompute"),
    ("manual_recompute", "Recompute now"),
    ("order", "Sale order event"),
    ("lead", "Opportunity event"),
    ("partner", "New partner"),
    ("pin", "Pinned by a manager"),
    ("unpin", "Unpinned by a manager"),
    ("mark", "Marked by a user"),
    ("install", "Initial computation"),
]


class CustomerPyramidHistory(models.Model):
    _name = "customer.pyramid.history"
    _description = "Customer pyramid level change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    old_level = fields.Selection(LEVEL_SELECTION, readonly=True)
    new_level = fields.Selection(LEVEL_SELECTION, readonly=True, required=True)
    cause = fields.Selection(CAUSE_SELECTION, required=True, readonly=True)
    revenue = fields.Float(string="Revenue in window", readonly=True, aggregator="sum")
    user_id = fields.Many2one("res.users", string="By", readonly=True)
