from odoo import fields, models

from ..lib.pyramid_split import LEVEL_SELECTION

CAUSE_SELECTION = [
    ("cron", "Scheduled recompute"),
    ("manual_recompute", "Recompute now"),
    ("preview", "Settings applied from the preview"),
    ("order", "Sale order event"),
    ("lead", "Opportunity event"),
    ("partner", "New partner"),
    ("pin", "Pinned by a manager"),
    ("unpin", "Unpinned by a manager"),
    ("pin_expired", "Pin expired"),
    ("mark", "Marked by a user"),
    ("feedback", "Customer feedback or complaint"),
    ("potential", "Potential entered by a manager"),
    ("install", "Initial computation"),
    ("consent", "Profiling consent changed"),
]


class CustomerPyramidHistory(models.Model):
    _name = "customer.pyramid.history"
    _inherit = ["customer.history.mixin", "customer.pyramid.level.order.mixin"]
    _description = "Customer pyramid level change"
    _customer_pyramid_level_fields = ("old_level", "new_level")

    old_level = fields.Selection(LEVEL_SELECTION, readonly=True)
    # Empty when the partner left the pyramid: it refused profiling.
    new_level = fields.Selection(LEVEL_SELECTION, readonly=True)
    cause = fields.Selection(CAUSE_SELECTION, required=True, readonly=True)
    revenue = fields.Float(string="Revenue in window", readonly=True, aggregator="sum")
