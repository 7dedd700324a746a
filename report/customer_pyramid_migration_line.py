from odoo import fields, models

from ..lib.pyramid_split import LEVEL_SELECTION

MOVEMENT_SELECTION = [
    ("up", "Moved up"),
    ("down", "Moved down"),
    ("churned", "Churned to inactive"),
    ("converted", "Converted from prospect"),
    ("same", "Same level"),
    ("new", "No level at the start"),
    ("other", "Other change"),
]


class CustomerPyramidMigrationLine(models.TransientModel):
    """A partner's level at the start and at the end of the period."""

    _name = "customer.pyramid.migration.line"
    _inherit = "customer.pyramid.level.order.mixin"
    _description = "Customer pyramid migration line"
    _order = "revenue desc, id"
    _rec_name = "partner_id"
    _customer_pyramid_level_fields = ("from_level", "to_level")

    migration_id = fields.Many2one(
        "customer.pyramid.migration",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    from_level = fields.Selection(
        LEVEL_SELECTION, string="Level at the start", readonly=True
    )
    to_level = fields.Selection(
        LEVEL_SELECTION, string="Level at the end", readonly=True
    )
    movement = fields.Selection(MOVEMENT_SELECTION, required=True, readonly=True)
    revenue = fields.Float(string="Revenue in the period", readonly=True)
