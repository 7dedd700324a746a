from odoo import fields, models

from ..lib.pyramid_split import LEVEL_SELECTION


class CustomerPyramidPreviewLevel(models.TransientModel):
    """One level of a preview: today against the previewed settings."""

    _name = "customer.pyramid.preview.level"
    _description = "Customer pyramid preview level"
    _order = "preview_id, sequence"

    preview_id = fields.Many2one(
        "customer.pyramid.preview", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    level = fields.Selection(LEVEL_SELECTION, required=True)
    current_count = fields.Integer(string="Customers today")
    current_revenue = fields.Float(string="Revenue today")
    current_revenue_share = fields.Float(string="Revenue share today (%)")
    new_count = fields.Integer(string="Customers previewed")
    new_revenue = fields.Float(string="Revenue previewed")
    new_revenue_share = fields.Float(string="Revenue share previewed (%)")
    new_cutoff = fields.Float(
        string="Cut-off previewed",
        help="The lowest revenue that reaches this level with the previewed settings.",
    )
    held_count = fields.Integer(string="Held by the grace band")
