from odoo import fields, models

from ..lib.pyramid_split import LEVEL_SELECTION


class CustomerPyramidPreviewMove(models.TransientModel):
    """A partner whose level the previewed settings would change."""

    _name = "customer.pyramid.preview.move"
    _description = "Customer pyramid preview move"
    _order = "preview_id, revenue desc, id"

    preview_id = fields.Many2one(
        "customer.pyramid.preview", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    old_level = fields.Selection(LEVEL_SELECTION, string="Level today", readonly=True)
    new_level = fields.Selection(
        LEVEL_SELECTION, string="Level previewed", readonly=True
    )
    old_revenue = fields.Float(string="Revenue today", readonly=True)
    revenue = fields.Float(string="Revenue previewed", readonly=True)
