from odoo import fields, models


class CustomerHistoryMixin(models.AbstractModel):
    """What every history row records: whose, in which company, when, by whom."""

    _name = "customer.history.mixin"
    _description = "Customer history row"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    # Written once, never edited: date and user_id say when and by whom.
    # Odoo's create/write columns would repeat them, and their two foreign
    # keys cost a check each for every row of a first ranking.
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )
