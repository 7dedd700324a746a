from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        for company, company_orders in orders.grouped("company_id").items():
            self.env["customer.pyramid.engine"].refresh_partners(
                company, company_orders.partner_id, "order"
            )
            partners = company_orders.partner_id._customer_lifecycle_prospective()
            partners._customer_lifecycle_advance("consideration", company)
        return orders

    def action_confirm(self):
        res = super().action_confirm()
        for company, orders in self.grouped("company_id").items():
            self.env["customer.pyramid.engine"].refresh_partners(
                company, orders.partner_id, "order"
            )
            orders._customer_lifecycle_on_confirm(company)
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        for company, orders in self.grouped("company_id").items():
            self.env["customer.pyramid.engine"].refresh_partners(
                company, orders.partner_id, "order"
            )
        return res

    def _customer_lifecycle_on_confirm(self, company):
        """Conversion, then loyalty for repeat buyers, then advocacy for referrers."""
        buyers = self.partner_id.commercial_partner_id
        buyers._customer_lifecycle_advance("conversion", company)
        since = fields.Datetime.now() - relativedelta(
            months=company.customer_lifecycle_loyalty_months
        )
        repeat_counts = self.env["sale.order"]._read_group(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("date_order", ">=", since),
                ("partner_id", "child_of", buyers.ids),
            ],
            ["partner_id"],
            ["__count"],
        )
        orders_per_buyer = {}
        for partner, count in repeat_counts:
            commercial = partner.commercial_partner_id
            orders_per_buyer[commercial] = orders_per_buyer.get(commercial, 0) + count
        loyal = buyers.filtered(
            lambda b: orders_per_buyer.get(b, 0)
            >= company.customer_lifecycle_loyalty_orders
        )
        loyal._customer_lifecycle_advance("loyalty", company)
        buyers.customer_referred_by_id._customer_lifecycle_advance("advocacy", company)
