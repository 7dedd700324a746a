from datetime import datetime, time, timedelta

from odoo import api, fields, models


class CustomerPyramidReportMixin(models.AbstractModel):
    """What the manager reports share: a company, a period and when computed.

    A day runs from midnight to midnight as stored (UTC), like the engine's
    active window, so that a report over the active window finds the very
    revenue the pyramid ranked.
    """

    _name = "customer.pyramid.report.mixin"
    _description = "Customer pyramid manager report"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain="[('id', 'in', allowed_company_ids)]",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    computed_on = fields.Datetime(string="Computed on", readonly=True)

    def _compute_display_name(self):
        title = self.env["ir.model"]._get(self._name).name
        for report in self:
            report.display_name = title

    @api.model
    def _day_start(self, day):
        return datetime.combine(day, time.min)

    @api.model
    def _day_end(self, day):
        """The first moment after ``day``: periods include their last day."""
        return datetime.combine(day, time.min) + timedelta(days=1)
