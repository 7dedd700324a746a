from odoo import fields, models

LIFECYCLE_CAUSE_SELECTION = [
    ("awareness", "New lead or customer"),
    ("consideration", "Opportunity or quotation"),
    ("conversion", "First confirmed order"),
    ("loyalty", "Repeat orders"),
    ("advocacy", "Referral converted or promoter"),
    ("manual", "Moved by hand"),
    ("install", "Initial stage"),
]


class CustomerLifecycleHistory(models.Model):
    _name = "customer.lifecycle.history"
    _description = "Customer lifecycle stage change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    from_stage_id = fields.Many2one(
        "customer.lifecycle.stage", ondelete="set null", readonly=True
    )
    to_stage_id = fields.Many2one(
        "customer.lifecycle.stage", ondelete="set null", readonly=True
    )
    cause = fields.Selection(LIFECYCLE_CAUSE_SELECTION, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )
