from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .res_company import RANKING_FIELDS

CRON_XMLID = "customer_pyramid.ir_cron_customer_pyramid_recompute"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # The ranking settings are plain fields, written to the company together in
    # set_values: as related fields each would be written alone (and fail the
    # add-up-to-100 rule), and saving the form for a preview would apply them.
    customer_pyramid_window_months = fields.Integer(string="Active window (months)")
    customer_pyramid_top_share = fields.Float(string="Top customers (%)", digits=(5, 2))
    customer_pyramid_big_share = fields.Float(string="Big customers (%)", digits=(5, 2))
    customer_pyramid_medium_share = fields.Float(
        string="Medium customers (%)", digits=(5, 2)
    )
    customer_pyramid_small_share = fields.Float(
        string="Small customers (%)", digits=(5, 2)
    )
    customer_pyramid_amount_basis = fields.Selection(
        selection="_selection_customer_pyramid_amount_basis", string="Ranking basis"
    )
    customer_pyramid_revenue_source = fields.Selection(
        selection="_selection_customer_pyramid_revenue_source", string="Revenue from"
    )
    customer_pyramid_group_companies = fields.Boolean(
        string="Rank groups of companies as one customer"
    )
    customer_pyramid_grace_band = fields.Float(string="Grace band (%)", digits=(5, 2))
    customer_pyramid_retention_activity = fields.Boolean(
        related="company_id.customer_pyramid_retention_activity", readonly=False
    )
    customer_pyramid_retention_days = fields.Integer(
        related="company_id.customer_pyramid_retention_days", readonly=False
    )
    customer_pyramid_retention_lead_days = fields.Integer(
        related="company_id.customer_pyramid_retention_lead_days", readonly=False
    )
    customer_pyramid_outlook_days = fields.Integer(
        related="company_id.customer_pyramid_outlook_days", readonly=False
    )
    customer_pyramid_risk_factor = fields.Float(
        related="company_id.customer_pyramid_risk_factor", readonly=False
    )
    customer_pyramid_rebuild_days = fields.Integer(
        related="company_id.customer_pyramid_rebuild_days", readonly=False
    )
    customer_pyramid_last_full_run = fields.Datetime(
        related="company_id.customer_pyramid_last_full_run"
    )
    customer_pyramid_risk_default_days = fields.Integer(
        related="company_id.customer_pyramid_risk_default_days", readonly=False
    )
    customer_pyramid_grow_activity = fields.Boolean(
        related="company_id.customer_pyramid_grow_activity", readonly=False
    )
    customer_pyramid_grow_band = fields.Float(
        related="company_id.customer_pyramid_grow_band", readonly=False
    )
    customer_lifecycle_winback_stage_id = fields.Many2one(
        related="company_id.customer_lifecycle_winback_stage_id", readonly=False
    )
    customer_pyramid_last_run = fields.Datetime(
        related="company_id.customer_pyramid_last_run"
    )
    customer_pyramid_last_settings = fields.Char(
        related="company_id.customer_pyramid_last_settings"
    )
    customer_pyramid_cron_warning = fields.Char(
        string="Pyramid warning", compute="_compute_customer_pyramid_cron_warning"
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

    @api.depends("company_id")
    def _compute_customer_pyramid_cron_warning(self):
        cron = self._customer_pyramid_cron()
        for settings in self:
            settings.customer_pyramid_cron_warning = (
                settings.company_id._customer_pyramid_cron_warning(cron)
            )

    @api.model
    def _selection_customer_pyramid_amount_basis(self):
        return self.env["res.company"]._selection_customer_pyramid_amount_basis()

    @api.model
    def _selection_customer_pyramid_revenue_source(self):
        return self.env["res.company"]._selection_customer_pyramid_revenue_source()

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
        res.update({fname: self.env.company[fname] for fname in RANKING_FIELDS})
        cron = self._customer_pyramid_cron()
        if cron:
            res.update(
                customer_pyramid_cron_interval_number=cron.interval_number,
                customer_pyramid_cron_interval_type=cron.interval_type,
            )
        return res

    def set_values(self):
        res = super().set_values()
        ranking = self._customer_pyramid_ranking_values()
        if any(self.company_id[fname] != value for fname, value in ranking.items()):
            self.company_id.write(ranking)
        cron = self._customer_pyramid_cron()
        interval = {
            "interval_number": self.customer_pyramid_cron_interval_number,
            "interval_type": self.customer_pyramid_cron_interval_type,
        }
        if cron and any(cron[key] != value for key, value in interval.items()):
            cron.write(interval)
        return res

    def action_customer_pyramid_preview(self):
        """Preview the ranking settings of this form without saving them."""
        self.ensure_one()
        self._check_customer_pyramid_manager()
        preview = self.env["customer.pyramid.preview"]._create_preview(
            self.company_id, self._customer_pyramid_ranking_values()
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Preview of the customer pyramid"),
            "res_model": "customer.pyramid.preview",
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_customer_pyramid_recompute(self):
        self.ensure_one()
        self._check_customer_pyramid_manager()
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

    @api.model
    def _check_customer_pyramid_manager(self):
        if not self.env.user.has_group("customer_pyramid.group_manager"):
            raise AccessError(
                _("Only customer pyramid managers can recompute or preview it.")
            )

    def _customer_pyramid_ranking_values(self):
        """The ranking settings of this form, saved or not."""
        self.ensure_one()
        return {fname: self[fname] for fname in RANKING_FIELDS}

    def _customer_pyramid_cron(self):
        """Our scheduled action (empty when deleted), as superuser.

        sudo: only its interval is read and written, from a settings form that
        only admins reach; ir.cron itself is writable by system users only.
        """
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        return (cron or self.env["ir.cron"]).sudo()
