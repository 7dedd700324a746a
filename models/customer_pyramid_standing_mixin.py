from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..lib.pyramid_split import LEVEL_SELECTION, LEVELS
from .customer_pyramid_standing import (
    PYRAMID_USER,
    STANDING_FIELDS,
)

MARK_SELECTION = [
    ("prospect", "Prospect"),
    ("suspect", "Suspect"),
    ("rest", "No need (rest of the world)"),
]


def _search_standing(fname):
    """The search method of the standing field ``fname``.

    Searching, like grouping and sorting, goes through ``_field_to_sql``:
    a partner without a standing row compares as if its row were empty,
    exactly as an unset stored field would.
    """

    def search(partners, operator, value):
        query = partners._where_calc([], active_test=False)
        query.add_where(
            partners._condition_to_sql(partners._table, fname, operator, value, query)
        )
        return [("id", "in", query)]

    search.__name__ = f"_search_{fname}"
    return search


class CustomerPyramidStandingMixin(models.AbstractModel):
    """A partner's place in the pyramid of the company the user works in:
    the standing row's fields and what users set (pins, marks, potential),
    for ``res.partner``; the relationship is customer.relationship.mixin."""

    _name = "customer.pyramid.standing.mixin"
    _description = "Customer pyramid standing of a partner"

    # Pyramid: per company, written by customer.pyramid.engine in SQL on the
    # commercial partner, kept in customer.pyramid.standing (see
    # _field_to_sql); contacts and subsidiaries ranked with their group show their
    # account's through customer_pyramid_account_id (res.partner).
    # The company-dependent fields below are what users set (pins, marks,
    # potential); index=False: Odoo 18 gives each an "is set" index by
    # default, which no search here needs. Pins keep theirs: they are rare,
    # and the scheduled action finds the expired ones through it.
    customer_pyramid_level = fields.Selection(
        LEVEL_SELECTION,
        string="Pyramid level",
        group_expand="_read_group_customer_pyramid_levels",
        help="The pinned level when a manager pinned one, else the computed level.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_level"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_computed_level = fields.Selection(
        LEVEL_SELECTION,
        string="Computed level",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_computed_level"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_pinned_level = fields.Selection(
        LEVEL_SELECTION,
        string="Pinned level",
        company_dependent=True,
        help="A level set by a sales manager; the computation never overrides it.",
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_pyramid_pin_reason = fields.Char(
        string="Pin reason",
        company_dependent=True,
        index=False,
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_pyramid_pin_until = fields.Date(
        string="Pinned until",
        company_dependent=True,
        help="The scheduled action unpins the level after this date; "
        "empty keeps the pin until a manager removes it.",
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_pyramid_mark = fields.Selection(
        MARK_SELECTION,
        string="Relationship mark",
        company_dependent=True,
        index=False,
        help="Prospect or suspect: used while the partner has never bought. "
        "No need: always 'Rest of the world', left out of the ranking.",
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_pyramid_revenue = fields.Float(
        string="Revenue in window",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_revenue"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_lifetime_revenue = fields.Float(
        string="Lifetime revenue",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_lifetime_revenue"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_order_count = fields.Integer(
        string="Confirmed orders",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_order_count"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_first_order_date = fields.Date(
        string="First order",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_first_order_date"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_last_order_date = fields.Date(
        string="Last order",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_last_order_date"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_rank = fields.Integer(
        string="Rank",
        help="Position by revenue among active customers (1 is the highest).",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_rank"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_percentile = fields.Float(
        string="Percentile",
        help="The customer is within the top this-many percent of active customers.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_percentile"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_cutoff = fields.Float(
        string="Level cut-off",
        help="The lowest revenue in the window that reaches this level.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_cutoff"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_held = fields.Boolean(
        string="Held by the grace band",
        help="Its revenue ranks it on a neighbouring level, but within the grace "
        "band of that level's cut-off: it keeps its level.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_held"),
        groups=PYRAMID_USER,
    )
    # Performance factors beside the level: value (the revenues above),
    # behaviour and satisfaction; written by the engine like the facts.
    customer_pyramid_order_frequency = fields.Float(
        string="Orders per year",
        digits=(16, 2),
        help="Confirmed orders in the active window, per year.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_order_frequency"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_days_since_last_order = fields.Integer(
        string="Days since last order",
        compute="_compute_customer_pyramid_days_since_last_order",
        search="_search_customer_pyramid_days_since_last_order",
        groups=PYRAMID_USER,
    )
    customer_pyramid_potential = fields.Float(
        string="Estimated potential per year",
        company_dependent=True,
        index=False,
        help="What the customer spends per year on what we sell, from us or "
        "others, as estimated by a sales manager: the base of the share of wallet.",
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_pyramid_wallet_share = fields.Float(
        string="Share of wallet (%)",
        digits=(16, 1),
        help="Revenue in the active window, per year, against the estimated potential.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_wallet_share"),
        groups=PYRAMID_USER,
    )
    customer_satisfaction = fields.Float(
        string="Satisfaction",
        digits=(16, 1),
        help="Average feedback score (1 to 5) in the active window.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_satisfaction"),
        groups=PYRAMID_USER,
    )
    customer_feedback_ids = fields.One2many(
        "customer.feedback",
        "partner_id",
        string="Feedback",
        groups=PYRAMID_USER,
    )
    customer_pyramid_refreshed_on = fields.Datetime(
        string="Facts refreshed on",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_refreshed_on"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_entered_on = fields.Datetime(
        string="In the pyramid since",
        help="When the pyramid first placed this partner; the level history "
        "lists every change of level after that.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_entered_on"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_customer_pyramid_currency_id",
        groups=PYRAMID_USER,
    )
    customer_pyramid_last_run = fields.Datetime(
        string="Pyramid last computed",
        compute="_compute_customer_pyramid_last_run",
        groups=PYRAMID_USER,
    )
    customer_pyramid_history_count = fields.Integer(
        compute="_compute_customer_pyramid_history_count",
        groups=PYRAMID_USER,
    )

    @api.depends_context("company")
    def _compute_customer_pyramid_standing(self):
        company = self.env.company
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, %s FROM customer_pyramid_standing"
                " WHERE company_id = %s AND partner_id = ANY(%s)",
                SQL(", ").join(map(SQL.identifier, STANDING_FIELDS.values())),
                company.id,
                [partner_id for partner_id in self._origin.ids if partner_id],
            )
        )
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        empty = (None,) * len(STANDING_FIELDS)
        for partner in self:
            values = rows.get(partner._origin.id, empty)
            for fname, value in zip(STANDING_FIELDS, values, strict=True):
                partner[fname] = value if value is not None else False

    def _compute_customer_pyramid_days_since_last_order(self):
        today = fields.Date.context_today(self)
        for partner in self:
            last = partner.customer_pyramid_account_id.customer_pyramid_last_order_date
            partner.customer_pyramid_days_since_last_order = (
                (today - last).days if last else 0
            )

    def _search_customer_pyramid_days_since_last_order(self, operator, value):
        # more days since the last order is an earlier last order date
        mirrored = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "="}
        if operator not in mirrored or not isinstance(value, int):
            raise UserError(
                _(
                    "Search the days since the last order with a whole number "
                    "and one of >, >=, <, <=, =."
                )
            )
        date = fields.Date.context_today(self) - timedelta(days=value)
        return [("customer_pyramid_last_order_date", mirrored[operator], date)]

    def _compute_customer_pyramid_currency_id(self):
        self.customer_pyramid_currency_id = self.env.company.currency_id

    def _compute_customer_pyramid_last_run(self):
        self.customer_pyramid_last_run = self.env.company.customer_pyramid_last_run

    def _compute_customer_pyramid_history_count(self):
        counts = dict(
            self.env["customer.pyramid.history"]._read_group(
                [
                    ("partner_id", "in", self.customer_pyramid_account_id.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.customer_pyramid_history_count = counts.get(
                partner.customer_pyramid_account_id, 0
            )

    @api.model
    def _read_group_customer_pyramid_levels(self, values, domain):
        return list(LEVELS)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The standing fields as columns of the current company's standing row.

        What makes them searchable, groupable (the boards group by level),
        sortable and summable like stored fields, the way Odoo's
        ``mail.activity.mixin`` groups by ``activity_state``.
        """
        column = STANDING_FIELDS.get(fname)
        if column is None:
            return super()._field_to_sql(alias, fname, query, flush)
        if query is None:
            raise ValueError(f"{fname} is read through a join: it needs a query")
        self.check_field_access_rights("read", [fname])
        standing = query.make_alias(alias, "customer_pyramid_standing")
        query.add_join(
            "LEFT JOIN",
            standing,
            "customer_pyramid_standing",
            SQL(
                "%s = %s AND %s = %s",
                SQL.identifier(standing, "partner_id"),
                SQL.identifier(alias, "id"),
                SQL.identifier(standing, "company_id"),
                self.env.company.id,
            ),
        )
        return SQL.identifier(standing, column)

    def action_customer_pyramid_history(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_pyramid_history_action"
        )
        action["domain"] = [("partner_id", "=", self.customer_pyramid_account_id.id)]
        action["context"] = {"search_default_company_current": 1}
        return action

    def _check_customer_pyramid_pin(self, vals):
        # sudo skips the group check: the profiling refusal of a customer
        # recorded by a salesperson removes the pin (customer.consent).
        if not self.env.su and not self.env.user.has_group(
            "customer_pyramid.group_manager"
        ):
            raise AccessError(_("Only customer pyramid managers can pin a level."))
        if vals.get("customer_pyramid_pinned_level"):
            not_profiled = self.filtered(
                lambda p: p.customer_consent_profiling == "refused"
            )
            if not_profiled:
                raise ValidationError(
                    _(
                        "%(partner)s refused profiling: its pyramid level cannot "
                        "be pinned.",
                        partner=not_profiled[0].display_name,
                    )
                )
            for partner in self:
                reason = vals.get(
                    "customer_pyramid_pin_reason", partner.customer_pyramid_pin_reason
                )
                if not (reason or "").strip():
                    raise ValidationError(
                        _(
                            "Give a reason for pinning the pyramid level of "
                            "%(partner)s.",
                            partner=partner.display_name,
                        )
                    )
            non_commercial = self.filtered(lambda p: p.commercial_partner_id != p)
            if non_commercial:
                raise ValidationError(
                    _(
                        "Pin the level on the company %(company)s, not on its contact.",
                        company=non_commercial[0].commercial_partner_id.display_name,
                    )
                )
        pin_until = fields.Date.to_date(vals.get("customer_pyramid_pin_until"))
        if pin_until and pin_until < fields.Date.context_today(self):
            raise ValidationError(
                _(
                    "Pinned until must be today or later; %(date)s was entered.",
                    date=fields.Date.to_string(pin_until),
                )
            )

    def _check_customer_pyramid_potential(self, potential):
        if not self.env.user.has_group("customer_pyramid.group_manager"):
            raise AccessError(
                _("Only customer pyramid managers can enter a customer's potential.")
            )
        non_commercial = self.filtered(lambda p: p.commercial_partner_id != p)
        if non_commercial:
            raise ValidationError(
                _(
                    "Enter the potential on the company %(company)s, not on its "
                    "contact.",
                    company=non_commercial[0].commercial_partner_id.display_name,
                )
            )
        if (potential or 0) < 0:
            raise ValidationError(
                _(
                    "The estimated potential cannot be negative; %(value)s was "
                    "entered.",
                    value=potential,
                )
            )
