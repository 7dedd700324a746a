from odoo import api, fields, models

from ..lib.pyramid_split import LEVEL_SELECTION

CAUSE_SELECTION = [
    ("cron", "Scheduled recompute"),
    ("manual_recompute", "Recompute now"),
    ("preview", "Settings applied from the preview"),
    ("order", "Sale order event"),
    ("lead", "Opportunity event"),
    ("partner", "New partner"),
    ("partner_change", "Partner moved, archived or restored"),
    ("merge", "Partners merged"),
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

    @api.model
    def _run_creation_automations(self, history_ids):
        """What Odoo's ``create`` would have run for rows the engine inserted
        in SQL: the automated actions on creation (base_automation, when
        installed), with their conditions, as its own ``create`` does."""
        if "base.automation" not in self.env:
            return
        records = self.browse(history_ids)
        automations = self.env["base.automation"]._get_actions(
            records, ["on_create", "on_create_or_write"]
        )
        for automation in automations.with_context(old_values=None):
            automation._process(automation._filter_post(records, feedback=True))
