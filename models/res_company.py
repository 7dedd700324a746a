from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SHARE_FIELDS = (
    "customer_pyramid_top_share",
    "customer_pyramid_big_share",
    "customer_pyramid_medium_share",
    "customer_pyramid_small_share",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_pyramid_window_months = fields.Integer(
        string="Active window (months)",
        default=12,
        help="Customers who bought within this many months, ending today, are active.",
    )
    customer_pyramid_top_share = fields.Float(
        string="Top customers (%)", default=1.0, digits=(5, 2)
    )
    customer_pyramid_big_share = fields.Float(
        string="Big customers (%)", default=4.0, digits=(5, 2)
    )
    customer_pyramid_medium_share = fields.Float(
        string="Medium customers (%)", default=15.0, digits=(5, 2)
    )
    customer_pyramid_small_share = fields.Float(
        string="Small customers (%)", default=80.0, digits=(5, 2)
    )
    customer_pyramid_amount_basis = fields.Selection(
        [("untaxed", "Untaxed amount"), ("total", "Total amount")],
        string="Revenue basis",
        default="untaxed",
        required=True,
    )
    customer_pyramid_retention_activity = fields.Boolean(
        string="Retention activity on a drop",
        default=True,
        help="When an active customer drops to a lower level or to inactive, "
        "schedule a retention activity for its salesperson.",
    )
    customer_pyramid_retention_days = fields.Integer(
        string="Retention activity due in (days)", default=7
    )
    customer_pyramid_last_run = fields.Datetime(
        string="Pyramid last computed", readonly=True, copy=False
    )
    customer_pyramid_last_settings = fields.Char(
        string="Pyramid computed with", readonly=True, copy=False
    )
    customer_lifecycle_auto_awareness = fields.Boolean(
        string="Awareness on a new lead or customer", default=True
    )
    customer_lifecycle_auto_consideration = fields.Boolean(
        string="Consideration on an opportunity or quotation", default=True
    )
    customer_lifecycle_auto_conversion = fields.Boolean(
        string="Conversion on the first confirmed order", default=True
    )
    customer_lifecycle_auto_loyalty = fields.Boolean(
        string="Loyalty after repeat orders", default=True
    )
    customer_lifecycle_auto_advocacy = fields.Boolean(
        string="Advocacy on a converted referral or a promoter", default=True
    )
    customer_lifecycle_loyalty_orders = fields.Integer(
        string="Loyalty: confirmed orders", default=3
    )
    customer_lifecycle_loyalty_months = fields.Integer(
        string="Loyalty: within (months)", default=12
    )
    customer_offer_cooling_days = fields.Integer(
        string="Cooling-off after a refused offer (days)",
        default=90,
        help="After a refused offer the customer is flagged 'do not offer' for "
        "this many days; a second refusal within them blocks offers until a "
        "sales manager clears it. 0 switches the rule off.",
    )
    customer_offer_refusal_mode = fields.Selection(
        [("warn", "Warn"), ("block", "Block")],
        string="During the cooling-off",
        default="warn",
        required=True,
        help="Warn: quotations show the refusal and may be sent. Block: "
        "sending a quotation is refused.",
    )
    customer_complaint_source = fields.Selection(
        [
            ("both", "Complaint mark or complaint activity"),
            ("flag", "Complaint mark on the partner"),
            ("activity", "Open complaint activity"),
            ("none", "Not used"),
        ],
        string="Open complaints come from",
        default="both",
        required=True,
        help="While a partner has an open complaint, offers are blocked.",
    )

    @api.constrains(*SHARE_FIELDS)
    def _check_customer_pyramid_shares(self):
        for company in self:
            for fname in SHARE_FIELDS:
                if company[fname] <= 0:
                    raise ValidationError(
                        _(
                            "%(field)s must be greater than 0 (company %(company)s).",
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            company=company.name,
                        )
                    )
            total = round(sum(company[fname] for fname in SHARE_FIELDS), 2)
            if total != 100:
                raise ValidationError(
                    _(
                        "The shares of top, big, medium and small customers must "
                        "add up to 100%%; they add up to %(total)s%% "
                        "(company %(company)s).",
                        total=total,
                        company=company.name,
                    )
                )

    @api.constrains(
        "customer_pyramid_window_months",
        "customer_pyramid_retention_days",
        "customer_lifecycle_loyalty_orders",
        "customer_lifecycle_loyalty_months",
        "customer_offer_cooling_days",
    )
    def _check_customer_pyramid_periods(self):
        minimums = {
            "customer_pyramid_window_months": 1,
            "customer_pyramid_retention_days": 0,
            "customer_lifecycle_loyalty_orders": 2,
            "customer_lifecycle_loyalty_months": 1,
            "customer_offer_cooling_days": 0,
        }
        for company in self:
            for fname, minimum in minimums.items():
                if company[fname] < minimum:
                    raise ValidationError(
                        _(
                            "%(field)s must be at least %(minimum)s; "
                            "%(value)s was entered (company %(company)s).",
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            minimum=minimum,
                            value=company[fname],
                            company=company.name,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # sudo: whoever creates a company gets its starting defaults, which
        # only managers may otherwise create.
        self.env["customer.relationship.default"].sudo()._create_missing_defaults(
            companies
        )
        return companies

    def _customer_pyramid_shares(self):
        self.ensure_one()
        return {
            "top": self.customer_pyramid_top_share,
            "big": self.customer_pyramid_big_share,
            "medium": self.customer_pyramid_medium_share,
            "small": self.customer_pyramid_small_share,
        }

    def _customer_pyramid_settings_label(self):
        self.ensure_one()
        return _(
            "%(top)s/%(big)s/%(medium)s/%(small)s%%, %(months)s months, %(basis)s",
            top=self.customer_pyramid_top_share,
            big=self.customer_pyramid_big_share,
            medium=self.customer_pyramid_medium_share,
            small=self.customer_pyramid_small_share,
            months=self.customer_pyramid_window_months,
            basis=dict(
                self._fields["customer_pyramid_amount_basis"]._description_selection(
                    self.env
                )
            )[self.customer_pyramid_amount_basis],
        )
