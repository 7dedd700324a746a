from odoo import models


class CustomerPyramidEngine(models.AbstractModel):
    _inherit = "customer.pyramid.engine"

    def _flush_sources(self):
        self.env["pos.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_total"]
            + ["amount_tax", "currency_rate"]
        )
        return super()._flush_sources()
