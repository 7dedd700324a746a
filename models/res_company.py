from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SHARE_FIELDS = (
    "customer_pyramid_top_share",
    "customer_pyramid_big_share",
    "customer_pyramid_medium_share",
    "customer_pyramid_small_share",
)


# Beyond half of a cut-off the band would hold customers on any level.
MAX_GRACE_BAND = 50
MINIMUMS = {
    "customer_pyramid_window_months": 1,
    "customer_pyramid_retention_days": 0,
    "customer_lifecycle_loyalty_orders": 2,
    "customer_lifecycle_loyalty_months": 1,
    "customer_offer_cooling_days": 0,
    "customer_pyramid_risk_factor": 1,
    "customer_pyramid_risk_default_days": 1,
    "customer_pyramid_outlook_days": 1,
    "customer_pyramid_retention_lead_days": 0,
    "customer_pyramid_rebuild_days": 1,
}
# The grow band is a share of the next level's cut-off.
MAX_GROW_BAND = 100
CHECKED_FIELDS = (
    *SHARE_FIELDS,
    "customer_pyramid_amount_basis",
    "customer_pyramid_revenue_source",
    "customer_pyramid_grace_band",
    "customer_pyramid_grow_band",
    *MINIMUMS,
)
# Settings for which an empty value is never meant: read as their default.
SETTINGS_WITH_DEFAULT = (
    *SHARE_FIELDS,
    "customer_pyramid_window_months",
    "customer_pyramid_amount_basis",
    "customer_pyramid_revenue_source",
    "customer_lifecycle_loyalty_orders",
    "customer_lifecycle_loyalty_months",
    "customer_offer_refusal_mode",
    "customer_complaint_source",
    "customer_pyramid_risk_factor",
    "customer_pyramid_risk_default_days",
    "customer_pyramid_outlook_days",
    "customer_pyramid_grow_band",
    "customer_pyramid_rebuild_days",
)
# What the preview can try before it is saved: the settings that rank.
RANKING_FIELDS = (
    *SHARE_FIELDS,
    "customer_pyramid_window_months",
    "customer_pyramid_amount_basis",
    "customer_pyramid_revenue_source",
    "customer_pyramid_group_companies",
    "customer_pyramid_grace_band",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _selection_customer_pyramid_amount_basis(self):
        basis = [
            ("untaxed", self.env._("Untaxed amount")),
            ("total", self.env._("Total amount")),
        ]
        if self._customer_pyramid_margin_available():
            basis.append(("margin", self.env._("Margin")))
        return basis

    @api.model
    def _selection_customer_pyramid_revenue_source(self):
        """Where revenue comes from (customer.pyramid.query._revenue_documents);
        customer_pyramid_pos adds Point of Sale orders."""
        return [
            ("sale_order", self.env._("Confirmed sale orders")),
            ("invoice", self.env._("Posted invoices minus credit notes")),
        ]

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
        selection="_selection_customer_pyramid_amount_basis",
        string="Ranking basis",
        default="untaxed",
        help="What ranks the active customers: the untaxed or total amount of "
        "their confirmed orders, or their margin (with the Sales margin app).",
    )
    customer_pyramid_revenue_source = fields.Selection(
        selection="_selection_customer_pyramid_revenue_source",
        string="Revenue from",
        default="sale_order",
        help="What the revenue of a customer is summed from: its confirmed sale "
        "orders, or its posted customer invoices minus its posted credit notes "
        "(in the company's currency, by invoice date), sale order or not; with "
        "Point of Sale, its confirmed sale orders and paid Point of Sale orders.",
    )
    customer_pyramid_group_companies = fields.Boolean(
        string="Rank groups of companies as one customer",
        help="The top-most parent company of a group is ranked with the revenue "
        "of all its subsidiaries; the subsidiaries and their contacts show the "
        "group's level.",
    )
    customer_pyramid_grace_band = fields.Float(
        string="Grace band (%)",
        digits=(5, 2),
        default=0.0,
        help="0 turns the band off. Else an active customer keeps its level while "
        "its revenue stays within this percentage of the cut-off it would cross, "
        "so that customers near a boundary do not change level every day.",
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
    customer_pyramid_retention_lead_days = fields.Integer(
        string="Retention activity before a forecast drop (days)",
        default=0,
        help="Schedule the retention activity this many days before the day a "
        "customer's level would drop if it bought nothing more. 0: only after "
        "the drop.",
    )
    customer_pyramid_outlook_days = fields.Integer(
        string="Dropping soon: within (days)",
        default=30,
        help="A customer whose level would drop within this many days is "
        "'dropping soon' on the boards and in the weekly list.",
    )
    customer_pyramid_risk_factor = fields.Float(
        string="At risk after (times the usual gap)",
        digits=(5, 2),
        default=1.5,
        help="A customer is at risk when the days since its last order exceed "
        "its median gap between orders times this factor.",
    )
    customer_pyramid_risk_default_days = fields.Integer(
        string="At risk after, for one-order customers (days)",
        default=90,
        help="The gap used for customers that ordered on one day only.",
    )
    customer_pyramid_grow_activity = fields.Boolean(
        string="Grow activity near the next level",
        help="Schedule an activity when a customer comes within the grow band "
        "of the next level's cut-off.",
    )
    customer_pyramid_grow_band = fields.Float(
        string="Grow band (%)",
        digits=(5, 2),
        default=10.0,
        help="How close to the next level's cut-off, as a share of it, counts "
        "as near the next level.",
    )
    customer_pyramid_last_run = fields.Datetime(
        string="Pyramid last computed", readonly=True, copy=False
    )
    customer_pyramid_last_settings = fields.Char(
        string="Pyramid computed with", readonly=True, copy=False
    )
    customer_pyramid_rebuild_days = fields.Integer(
        string="Full rebuild every (days)",
        default=7,
        help="The scheduled recompute sums every order again at least this "
        "often. In between, it refreshes only the customers whose orders, "
        "invoices or opportunities changed or left the window, and ranks "
        "everyone again only when their ranks would change. A settings change "
        "and Recompute now always rebuild.",
    )
    # The last full rebuild: when, with what, and how many customers it
    # ranked; the quiet runs compare with them.
    customer_pyramid_last_full_run = fields.Datetime(
        string="Pyramid last rebuilt", readonly=True, copy=False
    )
    customer_pyramid_full_run_signature = fields.Char(
        string="Ranking signature of the last rebuild", readonly=True, copy=False
    )
    customer_pyramid_ranked_count = fields.Integer(
        string="Customers ranked by the last rebuild", readonly=True, copy=False
    )
    # What the outlook of every partner was last refreshed with, and when.
    customer_pyramid_outlook_signature = fields.Char(readonly=True, copy=False)
    customer_pyramid_outlook_refreshed_on = fields.Date(readonly=True, copy=False)
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
    customer_lifecycle_winback_stage_id = fields.Many2one(
        "customer.lifecycle.stage",
        string="Win-back stage",
        help="Move a customer in Loyalty or Advocacy whose pyramid level became "
        "inactive to this stage; empty: the card says lapsed and stays. Put it "
        "before Conversion, so that the customer's next order moves it forward.",
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
        help="While a partner has an open complaint, offers are blocked.",
    )

    @api.constrains(*CHECKED_FIELDS)
    def _check_customer_pyramid_settings(self):
        for company in self:
            company._customer_pyramid_check_values(
                {fname: company[fname] for fname in CHECKED_FIELDS}
            )

    def _customer_pyramid_check_values(self, values):
        """Raise a ValidationError naming the first bad value in ``values``.

        Shared by the constraints and the preview, which checks settings that
        are not saved yet.
        """
        self.ensure_one()
        self._customer_pyramid_check_shares(values)
        if (
            values["customer_pyramid_amount_basis"] == "margin"
            and not self._customer_pyramid_margin_available()
        ):
            raise ValidationError(
                _(
                    "Ranking by margin needs the Sales margin app (sale_margin) "
                    "(company %(company)s).",
                    company=self.name,
                )
            )
        if (
            values["customer_pyramid_amount_basis"] == "margin"
            and self._customer_pyramid_revenue_source(values) != "sale_order"
        ):
            raise ValidationError(
                _(
                    "Ranking by margin needs confirmed sale orders alone as the "
                    "revenue source: the margin is read from sale orders only. "
                    "Choose the untaxed or total amount, or sale orders "
                    "(company %(company)s).",
                    company=self.name,
                )
            )
        self._customer_pyramid_check_ranges(values)

    def _customer_pyramid_label(self, fname):
        return self._fields[fname].get_description(self.env)["string"]

    def _customer_pyramid_check_shares(self, values):
        label = self._customer_pyramid_label
        for fname in SHARE_FIELDS:
            if values[fname] <= 0:
                raise ValidationError(
                    _(
                        "%(field)s must be greater than 0 (company %(company)s).",
                        field=label(fname),
                        company=self.name,
                    )
                )
        total = round(sum(values[fname] for fname in SHARE_FIELDS), 2)
        if total != 100:
            raise ValidationError(
                _(
                    "The shares of top, big, medium and small customers must "
                    "add up to 100%%; they add up to %(total)s%% "
                    "(company %(company)s).",
                    total=total,
                    company=self.name,
                )
            )

    def _customer_pyramid_check_ranges(self, values):
        label = self._customer_pyramid_label
        band = values["customer_pyramid_grace_band"]
        if not 0 <= band <= MAX_GRACE_BAND:
            raise ValidationError(
                _(
                    "%(field)s must be between 0 and %(maximum)s; %(value)s was "
                    "entered (company %(company)s).",
                    field=label("customer_pyramid_grace_band"),
                    maximum=MAX_GRACE_BAND,
                    value=band,
                    company=self.name,
                )
            )
        grow_band = values["customer_pyramid_grow_band"]
        if not 0 < grow_band <= MAX_GROW_BAND:
            raise ValidationError(
                _(
                    "%(field)s must be greater than 0 and at most %(maximum)s; "
                    "%(value)s was entered (company %(company)s).",
                    field=label("customer_pyramid_grow_band"),
                    maximum=MAX_GROW_BAND,
                    value=grow_band,
                    company=self.name,
                )
            )
        for fname, minimum in MINIMUMS.items():
            if values[fname] < minimum:
                raise ValidationError(
                    _(
                        "%(field)s must be at least %(minimum)s; "
                        "%(value)s was entered (company %(company)s).",
                        field=label(fname),
                        minimum=minimum,
                        value=values[fname],
                        company=self.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # A company's partner is created before it is linked to the company, so
        # it would look like a new customer of the current company: our own
        # companies are never customers (as employees, see res.users).
        companies = (
            super(ResCompany, self.with_context(customer_pyramid_skip_events=True))
            .create(vals_list)
            .with_env(self.env)
        )
        # sudo: whoever creates a company gets its starting defaults, which
        # only managers may otherwise create.
        self.env["customer.relationship.default"].sudo()._create_missing_defaults(
            companies
        )
        return companies

    def unlink(self):
        ids = self.ids
        res = super().unlink()
        self.env["customer.pyramid.standing"]._delete_rows_of("company_id", ids)
        return res

    @api.model
    def _customer_pyramid_margin_available(self):
        """Margins exist when the Sales margin app (sale_margin) is installed."""
        return "margin" in self.env["sale.order"]._fields

    def _customer_pyramid_parameters(self, values=None):
        """The settings the engine ranks with: the company's, or ``values``.

        ``values`` maps the RANKING_FIELDS to values not saved yet (preview).
        """
        self.ensure_one()
        values = values or {
            fname: self._customer_pyramid_setting(fname) for fname in RANKING_FIELDS
        }
        basis = values["customer_pyramid_amount_basis"]
        source = self._customer_pyramid_revenue_source(values)
        # margin needs sale orders and sale_margin: a source or an app changed
        # behind the settings' back (SQL, an uninstallation) falls back
        if basis == "margin" and (
            source != "sale_order" or not self._customer_pyramid_margin_available()
        ):
            basis = "untaxed"
        return {
            "window_months": values["customer_pyramid_window_months"],
            "shares": {
                "top": values["customer_pyramid_top_share"],
                "big": values["customer_pyramid_big_share"],
                "medium": values["customer_pyramid_medium_share"],
                "small": values["customer_pyramid_small_share"],
            },
            "basis": basis,
            "source": source,
            "group_companies": bool(values["customer_pyramid_group_companies"]),
            "grace_band": values["customer_pyramid_grace_band"],
        }

    def _customer_pyramid_revenue_source(self, values):
        """The revenue source in ``values``, its default when empty: a
        company created while the addon was not loaded has none, and the
        settings form and the preview pass the empty value on."""
        fname = "customer_pyramid_revenue_source"
        return values[fname] or self._fields[fname].default(self)

    def _customer_pyramid_setting(self, fname):
        """The company's setting ``fname``, or its default when empty.

        The addon adds no NOT NULL column to res_company: a company created
        while the addon's models are not loaded (another module's install or
        tests, a script) leaves them empty, and is read with the defaults.
        """
        self.ensure_one()
        value = self[fname]
        if value or fname not in SETTINGS_WITH_DEFAULT:
            return value
        return self._fields[fname].default(self)

    def _customer_pyramid_cron_warning(self, cron):
        """Why managers should not trust the levels, or False.

        ``cron`` is the scheduled action (empty when it was deleted). Its
        failures are counted by Odoo and reset on success; "late" is two
        intervals without a recompute of this company.
        """
        self.ensure_one()
        if not cron or not cron.active:
            return _(
                "The scheduled action that recomputes the customer pyramid is "
                "archived or deleted: levels only change on order events."
            )
        if cron.failure_count:
            return _(
                "The scheduled recompute of the customer pyramid failed %(count)s "
                "times in a row since %(date)s; the levels are those of its last "
                "success. See the server log.",
                count=cron.failure_count,
                date=fields.Datetime.to_string(cron.first_failure_date),
            )
        interval = relativedelta(**{cron.interval_type: cron.interval_number})
        late_since = fields.Datetime.now() - 2 * interval
        last_run = self.customer_pyramid_last_run
        if not last_run or last_run < late_since:
            return _(
                "The customer pyramid of %(company)s has not been recomputed for "
                "two intervals of the scheduled action (last computed: %(date)s).",
                company=self.name,
                date=fields.Datetime.to_string(last_run) if last_run else _("never"),
            )
        return False

    def _customer_pyramid_settings_label(self, parameters=None):
        self.ensure_one()
        parameters = parameters or self._customer_pyramid_parameters()
        shares = parameters["shares"]
        label = _(
            "%(top)s/%(big)s/%(medium)s/%(small)s%%, %(months)s months, %(basis)s",
            top=shares["top"],
            big=shares["big"],
            medium=shares["medium"],
            small=shares["small"],
            months=parameters["window_months"],
            basis=dict(self._selection_customer_pyramid_amount_basis())[
                parameters["basis"]
            ],
        )
        if parameters["source"] != "sale_order":
            label = _(
                "%(label)s, from %(documents)s",
                label=label,
                documents=dict(
                    self._fields[
                        "customer_pyramid_revenue_source"
                    ]._description_selection(self.env)
                )[parameters["source"]],
            )
        if parameters["group_companies"]:
            label = _("%(label)s, groups of companies as one", label=label)
        if parameters["grace_band"]:
            label = _(
                "%(label)s, grace band %(band)s%%",
                label=label,
                band=parameters["grace_band"],
            )
        return label
