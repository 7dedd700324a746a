from odoo import fields, models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    customer_pyramid_level_ids = fields.Many2many(
        "customer.pyramid.level",
        string="Offered to levels",
        help="Quotations warn when this pricelist is used for a customer of "
        "another pyramid level. Empty: offered to everyone.",
    )
