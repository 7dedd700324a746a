from odoo import fields, models

LIFECYCLE_CAUSE_SELECTION = [
    ("awareness", "New lead or customer"),
    ("consideration", "Opportunity or quotation"),
    ("conversion", "First confirmed order"),
    ("loyalty", "Repeat orders"),
    ("advocacy", "Referral converted or promoter"),
    ("winback", "Lapsed customer"),
    ("manual", "Moved by hand"),
    ("install", "Initial stage"),
]


class CustomerLifecycleHistory(models.Model):
    _name = "customer.lifecycle.history"
    _inherit = "customer.history.mixin"
    _description = "Customer lifecycle stage change"

    from_stage_id = fields.Many2one(
        "customer.lifecycle.stage", ondelete="set null", readonly=True
    )
    to_stage_id = fields.Many2one(
        "customer.lifecycle.stage", ondelete="set null", readonly=True
    )
    cause = fields.Selection(LIFECYCLE_CAUSE_SELECTION, required=True, readonly=True)
