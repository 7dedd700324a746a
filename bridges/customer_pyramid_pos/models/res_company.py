from odoo import api, models

from .customer_pyramid_query import POS_SOURCE


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _selection_customer_pyramid_revenue_source(self):
        return super()._selection_customer_pyramid_revenue_source() + [
            (
                POS_SOURCE,
                self.env._("Confirmed sale orders and paid Point of Sale orders"),
            )
        ]
