from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .res_company import SHARE_FIELDS

CRON_XMLID = "customer_pyramid.ir_cron_customer_pyramid_recompute"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # The shares are written to the company together in set_values: as related
    # fields each would be written alone and fail the add-up-to-100 rule.
    customer_pyramid_window_months = fields.Integer(
        related="company_id.customer_pyramid_window_months", readonly=False
    )
    customer_pyramid_top_share = fields.Float(string="Top customers (%)", digits=(5, 2))
    customer_pyramid_big_share = fields.Float(string="Big customers (%)", digits=(5, 2))
    customer_pyramid_medium_share = fields.Float(
        string="Medium customers (%)", digits=(5, 2)
    )
    customer_pyramid_small_share = fields.Float(
        string="Small customers (%)", digits=(5, 2)
    )
    customer_pyramid_amount_basis = fields.Selection(
        related="company_id.customer_pyramid_amount_basis", readonly=False
    )
    customer_pyramid_retention_activity = fields.Boolean(
        related="company_id.customer_pyramid_retention_activity", readonly=False
    )
    customer_pyramid_retention_days = fields.Integer(
        related="company_id.customer_pyramid_retention_days", readonly=False
    )
    customer_pyramid_last_run = fields.Datetime(
        related="company_id.customer_pyramid_last_run"
    )
    customer_pyramid_last_settings = fields.Char(
        related="company_id.customer_pyramid_last_settings"
    )
    customer_lifecycle_auto_awareness = fields.Boolean(
        related="company_id.customer_lifecycle_auto_awareness", readonly=False
    )
    customer_lifecycle_auto_consideration = fields.Boolean(
        related="company_id.customer_lifecycle_auto_consideration", readonly=False
    )
    customer_lifecycle_auto_conversion = fields.Boolean(
        related="company_id.customer_lifecycle_auto_conversion", readonly=False
    )
    customer_lifecycle_auto_loyalty = fields.Boolean(
        related="company_id.customer_lifecycle_auto_loyalty", readonly=False
    )
    customer_lifecycle_auto_advocacy = fields.Boolean(
        related="company_id.customer_lifecycle_auto_advocacy", readonly=False
    )
    customer_lifecycle_loyalty_orders = fields.Integer(
        related="company_id.customer_lifecycle_loyalty_orders", readonly=False
    )
    customer_lifecycle_loyalty_months = fields.Integer(
        related="company_id.customer_lifecycle_loyalty_months", readonly=False
    )
    customer_offer_cooling_days = fields.Integer(
        related="company_id.customer_offer_cooling_days", readonly=False
    )
    customer_offer_refusal_mode = fields.Selection(
        related="company_id.customer_offer_refusal_mode", readonly=False
    )
    customer_complaint_source = fields.Selection(
        related="company_id.customer_complaint_source", readonly=False
    )
    # The scheduled action is one for all companies, so its interval is too.
    customer_pyramid_cron_interval_number = fields.Integer(
        string="Recompute every", default=1
    )
    customer_pyramid_cron_interval_type = fields.Selection(
        [("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks")],
        string="Recompute interval unit",
        default="days",
    )

    @api.constrains("customer_pyramid_cron_interval_number")
    def _check_customer_pyramid_cron_interval_number(self):
        for settings in self:
            if settings.customer_pyramid_cron_interval_number < 1:
                raise ValidationError(
                    _(
                        "Recompute every must be at least 1; %(value)s was entered.",
                        value=settings.customer_pyramid_cron_interval_number,
                    )
                )

    @api.model
    def get_values(self):
        res = super().get_values()
        res.update({fname: self.env.company[fname] for fname in SHARE_FIELDS})
        cron = self._customer_pyramid_cron()
        if cron:
            res.update(
                customer_pyramid_cron_interval_number=cron.interval_number,
                customer_pyramid_cron_interval_type=cron.interval_type,
            )
        return res

    def set_values(self):
        res = super().set_values()
        shares = {fname: self[fname] for fname in SHARE_FIELDS}
        if any(self.company_id[fname] != value for fname, value in shares.items()):
            self.company_id.write(shares)
        cron = self._customer_pyramid_cron()
        interval = {
            "interval_number": self.customer_pyramid_cron_interval_number,
            "interval_type": self.customer_pyramid_cron_interval_type,
        }
        if cron and any(cron[key] != value for key, value in interval.items()):
            cron.write(interval)
        return res

    def action_customer_pyramid_recompute(self):
        self.ensure_one()
        if not self.env.user.has_group("customer_pyramid.group_manager"):
            raise AccessError(_("Only customer pyramid managers can recompute it."))
        self.execute()
        self.env["customer.pyramid.engine"].recompute_companies(
            self.env.company, cause="manual_recompute"
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "The customer pyramid of %(company)s was recomputed.",
                    company=self.env.company.name,
                ),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }

    def _customer_pyramid_cron(self):
        """Our scheduled action (empty when deleted), as superuser.

        sudo: only its interval is read and written, from a settings form that
        only admins reach; ir.cron itself is writable by system users only.
        """
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        return (cron or self.env["ir.cron"]).sudo()
