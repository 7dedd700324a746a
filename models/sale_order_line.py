from odoo import _, api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

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
