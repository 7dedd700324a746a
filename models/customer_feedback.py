from odoo import fields, models

SCORE_SELECTION = [
    ("1", "1 - Very dissatisfied"),
    ("2", "2 - Dissatisfied"),
    ("3", "3 - Neutral"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very satisfied"),
]


class CustomerFeedback(models.Model):
    """What a customer told us about us: the source of its satisfaction score."""

    _name = "customer.feedback"
    _inherit = "customer.pyramid.input.mixin"
    _description = "Customer feedback"
    _customer_pyramid_cause = "feedback"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    score = fields.Selection(SCORE_SELECTION, required=True)
    comment = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Logged by", default=lambda self: self.env.user
    )
