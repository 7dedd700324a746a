from odoo import _, api, models


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "customer.pyramid.input.mixin"]
    # What changes a confirmed order's amounts or margin.
    _customer_pyramid_inputs = frozenset(
        {
            "order_id",
            "product_id",
            "product_uom_qty",
            "product_uom",
            "price_unit",
            "discount",
            "tax_id",
            "display_type",
            "purchase_price",
        }
    )
    _customer_pyramid_cause = "order"

    @api.onchange("product_id")
    def _onchange_product_id_customer_pyramid_level(self):
        if not self.product_id or not self.order_id.partner_id:
            return
        message = self.order_id._customer_care_product_issue(self.product_id)
        if message:
            return {
                "warning": {
                    "title": _("Offer for another pyramid level"),
                    "message": message,
                }
            }

    def _customer_pyramid_concerns(self):
        # a quotation's lines count for nothing until it is confirmed
        confirmed = self.sudo().order_id.filtered(lambda order: order.state == "sale")
        return confirmed._customer_pyramid_concerns()
