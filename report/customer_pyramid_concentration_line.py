from odoo import fields, models


class CustomerPyramidConcentrationLine(models.TransientModel):
    """A point of the Lorenz curve, or of the line of equality beside it."""

    _name = "customer.pyramid.concentration.line"
    _description = "Customer revenue concentration point"
    _order = "curve, customer_percent"

    concentration_id = fields.Many2one(
        "customer.pyramid.concentration",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    curve = fields.Selection(
        [("lorenz", "Lorenz curve"), ("equality", "Line of equality")],
        required=True,
        readonly=True,
    )
    customer_percent = fields.Integer(
        string="Customers with the lowest revenue (%)",
        readonly=True,
        aggregator="max",
    )
    customer_count = fields.Integer(string="Customers", readonly=True, aggregator="max")
    revenue_percent = fields.Float(
        string="Their share of revenue (%)",
        readonly=True,
        digits=(16, 2),
        aggregator="max",
    )
