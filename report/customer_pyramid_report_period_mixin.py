from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CustomerPyramidReportPeriodMixin(models.AbstractModel):
    """A manager report over a period, its first and last days included."""

    _name = "customer.pyramid.report.period.mixin"
    _inherit = "customer.pyramid.report.mixin"
    _description = "Customer pyramid manager report over a period"

    def _default_date_from(self):
        # UTC days, as the engine's window and the stored dates
        return fields.Date.today() - relativedelta(months=1)

    date_from = fields.Date(
        string="From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.today)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for report in self:
            if report.date_from > report.date_to:
                raise ValidationError(
                    _(
                        "%(start)s (%(start_value)s) must not be after "
                        "%(end)s (%(end_value)s).",
                        start=self._fields["date_from"].get_description(self.env)[
                            "string"
                        ],
                        start_value=report.date_from,
                        end=self._fields["date_to"].get_description(self.env)["string"],
                        end_value=report.date_to,
                    )
                )

    @api.onchange("company_id", "date_from", "date_to")
    def _onchange_period(self):
        self.computed_on = False
