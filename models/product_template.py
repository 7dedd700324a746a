from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    customer_pyramid_level_ids = fields.Many2many(
        "customer.pyramid.level",
        string="Offered to levels",
        help="Quotations warn when this product is offered to a customer of "
        "another pyramid level. Empty: offered to everyone.",
    )
