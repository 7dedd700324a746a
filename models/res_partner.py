from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..lib.pyramid_split import LEVEL_SELECTION, LEVELS
from .customer_consent import (
    CONSENT_PURPOSE_SELECTION,
    CONSENT_STATE_SELECTION,
    profiling_refused,
)
from .customer_pyramid_standing import (
    RELATIONSHIP_GOAL_SELECTION,
    RELATIONSHIP_TYPE_SELECTION,
    STANDING_FIELDS,
)

# Who reads, searches, groups and exports what the addon knows of a partner.
PYRAMID_USER = "customer_pyramid.group_user"
MARK_SELECTION = [
    ("prospect", "Prospect"),
    ("suspect", "Suspect"),
    ("rest", "No need (rest of the world)"),
]
PIN_FIELDS = (
    "customer_pyramid_pinned_level",
    "customer_pyramid_pin_reason",
    "customer_pyramid_pin_until",
)
# A user's write of a relationship field marks it as set by hand.
RELATIONSHIP_MANUAL_FIELDS = {
    "customer_relationship_type": "customer_relationship_type_manual",
    "customer_relationship_goal": "customer_relationship_goal_manual",
}
# A partner's change of these takes it into or out of the pyramid's scope,
# or moves its orders to another commercial partner.
SCOPE_FIELDS = {"parent_id", "active", "company_id", "is_company"}


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


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "customer.pyramid.level.order.mixin"]
    _customer_pyramid_level_fields = (
        "customer_pyramid_level",
        "customer_pyramid_computed_level",
    )

    # Pyramid: per company, written by customer.pyramid.engine in SQL on the
    # commercial partner, kept in customer.pyramid.standing (see
    # _field_to_sql); contacts show it through customer_pyramid_commercial_level.
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
    customer_pyramid_commercial_level = fields.Selection(
        related="commercial_partner_id.customer_pyramid_level",
        string="Company pyramid level",
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

    customer_relationship_type = fields.Selection(
        RELATIONSHIP_TYPE_SELECTION,
        string="Relationship type",
        help="How we serve this customer (business model canvas).",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_relationship_type"),
        inverse="_inverse_customer_relationship_type",
        groups=PYRAMID_USER,
    )
    customer_relationship_goal = fields.Selection(
        RELATIONSHIP_GOAL_SELECTION,
        string="Relationship goal",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_relationship_goal"),
        inverse="_inverse_customer_relationship_goal",
        groups=PYRAMID_USER,
    )
    customer_relationship_type_manual = fields.Boolean(
        string="Relationship type set by hand",
        company_dependent=True,
        copy=False,
        help="Set when a user chose the type: it no longer follows the level.",
        groups=PYRAMID_USER,
    )
    customer_relationship_goal_manual = fields.Boolean(
        string="Relationship goal set by hand",
        company_dependent=True,
        copy=False,
        help="Set when a user chose the goal: it no longer follows the level.",
        groups=PYRAMID_USER,
    )

    # Customer care, per company (the company the user works in).
    customer_offer_refusal_ids = fields.One2many(
        "customer.offer.refusal",
        "commercial_partner_id",
        string="Refused offers",
        groups=PYRAMID_USER,
    )
    customer_do_not_offer = fields.Boolean(
        string="Do not offer",
        compute="_compute_customer_offer_state",
        search="_search_customer_do_not_offer",
        help="Refused an offer in the cooling-off period, or twice within it.",
        groups=PYRAMID_USER,
    )
    customer_do_not_offer_until = fields.Date(
        string="Do not offer until",
        compute="_compute_customer_offer_state",
        groups=PYRAMID_USER,
    )
    customer_offer_blocked = fields.Boolean(
        string="Offers blocked",
        compute="_compute_customer_offer_state",
        help="Two offers refused within the cooling-off period: offers are "
        "blocked until a sales manager clears the refusals.",
        groups=PYRAMID_USER,
    )
    customer_complaint_open = fields.Boolean(
        string="Open complaint",
        company_dependent=True,
        copy=False,
        help="Solve first, sell later: offers are blocked while it is set.",
        groups=PYRAMID_USER,
    )
    customer_open_complaint_count = fields.Integer(
        string="Open complaints",
        compute="_compute_customer_open_complaint_count",
        help="The complaint mark and the open complaint activities, as the "
        "company's complaint setting counts them.",
        groups=PYRAMID_USER,
    )
    customer_care_warning = fields.Text(
        string="Customer care",
        compute="_compute_customer_care_warning",
        groups=PYRAMID_USER,
    )
    customer_care_blocked = fields.Boolean(
        string="Offers refused by customer care",
        compute="_compute_customer_care_warning",
        groups=PYRAMID_USER,
    )
    customer_consent_ids = fields.One2many(
        "customer.consent",
        "partner_id",
        string="Consents",
        groups=PYRAMID_USER,
    )
    customer_consent_marketing = fields.Selection(
        CONSENT_STATE_SELECTION,
        string="Marketing consent",
        compute="_compute_customer_consents",
        groups=PYRAMID_USER,
    )
    customer_consent_profiling = fields.Selection(
        CONSENT_STATE_SELECTION,
        string="Profiling consent",
        compute="_compute_customer_consents",
        search="_search_customer_consent_profiling",
        groups=PYRAMID_USER,
    )
    customer_consent_referrals = fields.Selection(
        CONSENT_STATE_SELECTION,
        string="Referrals consent",
        compute="_compute_customer_consents",
        groups=PYRAMID_USER,
    )
    customer_not_profiled_reason = fields.Char(
        string="Not profiled",
        compute="_compute_customer_consents",
        groups=PYRAMID_USER,
    )

    # Lifecycle: per company, moved forward by events, backwards only by hand.
    customer_lifecycle_stage_id = fields.Many2one(
        "customer.lifecycle.stage",
        string="Lifecycle stage",
        company_dependent=True,
        group_expand="_read_group_customer_lifecycle_stage_ids",
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_lifecycle_stage_date = fields.Datetime(
        string="In stage since",
        company_dependent=True,
        index=False,
        readonly=True,
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_lifecycle_days_in_stage = fields.Integer(
        string="Days in stage",
        compute="_compute_customer_lifecycle_days_in_stage",
        groups=PYRAMID_USER,
    )
    customer_lifecycle_history_count = fields.Integer(
        compute="_compute_customer_lifecycle_history_count",
        groups=PYRAMID_USER,
    )
    customer_referred_by_id = fields.Many2one(
        "res.partner",
        string="Referred by",
        index="btree_not_null",
        help="The customer who brought this one; it becomes an advocate when "
        "this partner converts.",
        groups=PYRAMID_USER,
        copy=False,
    )
    customer_referral_ids = fields.One2many(
        "res.partner",
        "customer_referred_by_id",
        string="Referrals",
        groups=PYRAMID_USER,
    )
    customer_lifecycle_promoter = fields.Boolean(
        string="Promoter",
        help="Recommends us: enters the Advocacy stage.",
        groups=PYRAMID_USER,
        copy=False,
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

    def _inverse_customer_relationship_type(self):
        self._customer_relationship_store("customer_relationship_type")

    def _inverse_customer_relationship_goal(self):
        self._customer_relationship_store("customer_relationship_goal")

    def _compute_customer_pyramid_days_since_last_order(self):
        today = fields.Date.context_today(self)
        for partner in self:
            last = partner.commercial_partner_id.customer_pyramid_last_order_date
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
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.customer_pyramid_history_count = counts.get(
                partner.commercial_partner_id, 0
            )

    @api.depends(
        "commercial_partner_id.customer_offer_refusal_ids.date",
        "commercial_partner_id.customer_offer_refusal_ids.cleared_on",
    )
    @api.depends_context("company")
    def _compute_customer_offer_state(self):
        commercial = self.commercial_partner_id._origin
        state = self.env["customer.offer.refusal"]._refusal_state(
            self.env.company, commercial.ids
        )
        today = fields.Date.context_today(self)
        for partner in self:
            until, blocked = state.get(
                partner.commercial_partner_id._origin.id, (False, False)
            )
            partner.customer_offer_blocked = blocked
            partner.customer_do_not_offer = blocked or bool(until and until >= today)
            partner.customer_do_not_offer_until = (
                until if until and until >= today else False
            )

    def _search_customer_do_not_offer(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Filter 'Do not offer' with = or != only."))
        today = fields.Date.context_today(self)
        flagged = [
            partner_id
            for partner_id, (until, blocked) in self.env["customer.offer.refusal"]
            ._refusal_state(self.env.company)
            .items()
            if blocked or until >= today
        ]
        positive = (operator == "=") == bool(value)
        return [("commercial_partner_id", "in" if positive else "not in", flagged)]

    @api.depends("commercial_partner_id.customer_complaint_open")
    @api.depends_context("company")
    def _compute_customer_open_complaint_count(self):
        source = self.env.company._customer_pyramid_setting("customer_complaint_source")
        commercial = self.commercial_partner_id._origin
        activity_counts = {}
        if source in ("activity", "both") and commercial:
            # sudo: the count is shown to users who may not read every
            # contact or activity; only numbers leave this method.
            family = (
                self.env["res.partner"]
                .sudo()
                .with_context(active_test=False)
                .search([("commercial_partner_id", "in", commercial.ids)])
            )
            commercial_of = {
                member.id: member.commercial_partner_id.id for member in family
            }
            for res_id, count in (
                self.env["mail.activity"]
                .sudo()
                ._read_group(
                    [
                        ("res_model", "=", "res.partner"),
                        ("res_id", "in", family.ids),
                        ("activity_type_id.customer_complaint", "=", True),
                    ],
                    ["res_id"],
                    ["__count"],
                )
            ):
                key = commercial_of[res_id]
                activity_counts[key] = activity_counts.get(key, 0) + count
        for partner in self:
            company_partner = partner.commercial_partner_id
            count = activity_counts.get(company_partner._origin.id, 0)
            if source in ("flag", "both") and company_partner.customer_complaint_open:
                count += 1
            partner.customer_open_complaint_count = count

    @api.depends(
        "customer_do_not_offer",
        "customer_offer_blocked",
        "customer_open_complaint_count",
    )
    @api.depends_context("company")
    def _compute_customer_care_warning(self):
        for partner in self:
            issues = partner._customer_care_offer_issues()
            partner.customer_care_warning = "\n".join(text for _b, text in issues)
            partner.customer_care_blocked = any(blocking for blocking, _t in issues)

    @api.depends(
        "customer_consent_ids.date",
        "customer_consent_ids.state",
        "customer_consent_ids.purpose",
    )
    @api.depends_context("company")
    def _compute_customer_consents(self):
        consents = (
            self.env["customer.consent"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self._origin.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                order="date desc, id desc",
            )
        )
        latest = {}
        for consent in consents:
            latest.setdefault((consent.partner_id.id, consent.purpose), consent)
        for partner in self:
            current = {
                purpose: latest.get((partner._origin.id, purpose), consents.browse())
                for purpose, _label in CONSENT_PURPOSE_SELECTION
            }
            partner.customer_consent_marketing = current["marketing"].state
            partner.customer_consent_profiling = current["profiling"].state
            partner.customer_consent_referrals = current["referrals"].state
            profiling = current["profiling"]
            partner.customer_not_profiled_reason = (
                _(
                    "Not profiled: profiling refused on %(date)s (source: %(origin)s).",
                    date=profiling.date,
                    origin=profiling.source,
                )
                if profiling.state == "refused"
                else False
            )

    def _search_customer_consent_profiling(self, operator, value):
        if operator not in ("=", "!=") or value not in ("refused", False):
            raise UserError(
                _("Filter the profiling consent on 'Refused' with = or != only.")
            )
        self.env["customer.consent"].flush_model()
        refusing = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT p.id FROM res_partner p WHERE %s",
                    profiling_refused("p", self.env.company.id),
                )
            )
        ]
        positive = (operator == "=") == (value == "refused")
        return [("id", "in" if positive else "not in", refusing)]

    def _compute_customer_lifecycle_days_in_stage(self):
        now = fields.Datetime.now()
        for partner in self:
            since = partner.customer_lifecycle_stage_date
            partner.customer_lifecycle_days_in_stage = (
                (now - since).days if since else 0
            )

    def _compute_customer_lifecycle_history_count(self):
        counts = dict(
            self.env["customer.lifecycle.history"]._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.customer_lifecycle_history_count = counts.get(partner, 0)

    @api.model
    def _read_group_customer_pyramid_levels(self, values, domain):
        return list(LEVELS)

    @api.model
    def _read_group_customer_lifecycle_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.constrains("customer_referred_by_id")
    def _check_customer_referred_by_id(self):
        for partner in self:
            referrer = partner.customer_referred_by_id
            if (
                referrer
                and referrer.commercial_partner_id == partner.commercial_partner_id
            ):
                raise ValidationError(
                    _(
                        "%(partner)s cannot be referred by itself.",
                        partner=partner.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("customer_relationship_automatic"):
            vals_list = [self._customer_relationship_mark_manual(v) for v in vals_list]
        partners = super().create(vals_list)
        if not self.env.context.get("customer_pyramid_skip_events"):
            partners._customer_pyramid_on_new_partners()
        return partners

    def write(self, vals):
        if "customer_pyramid_potential" in vals:
            self._check_customer_pyramid_potential(vals["customer_pyramid_potential"])
        if any(fname in vals for fname in PIN_FIELDS):
            self._check_customer_pyramid_pin(vals)
            if (
                "customer_pyramid_pinned_level" in vals
                and not (vals["customer_pyramid_pinned_level"])
            ):
                vals = dict(vals, customer_pyramid_pin_until=False)
        if not self.env.context.get("customer_relationship_automatic"):
            vals = self._customer_relationship_mark_manual(vals)
        complaint_changed = "customer_complaint_open" in vals and self.filtered(
            lambda p: p.customer_complaint_open != bool(vals["customer_complaint_open"])
        )
        manual_move = (
            "customer_lifecycle_stage_id" in vals
            and not self.env.context.get("customer_lifecycle_automatic")
        )
        if manual_move:
            previous = {
                partner: partner.customer_lifecycle_stage_id for partner in self
            }
            vals = dict(vals, customer_lifecycle_stage_date=fields.Datetime.now())
        scope_before = (
            SCOPE_FIELDS.intersection(vals) and self._customer_pyramid_scope()
        )
        res = super().write(vals)
        events = self.env["customer.pyramid.event"]
        if manual_move:
            self.env["customer.lifecycle.engine"].log_moves(self, previous, "manual")
        if scope_before:
            self._customer_pyramid_queue_scope_change(scope_before)
        if "customer_pyramid_pinned_level" in vals:
            cause = "pin" if vals["customer_pyramid_pinned_level"] else "unpin"
            events.queue(self.env.company, self, cause)
        elif "customer_pyramid_mark" in vals:
            events.queue(self.env.company, self, "mark")
        elif "customer_pyramid_potential" in vals:
            events.queue(self.env.company, self, "potential")
        if complaint_changed:
            complaint_changed._customer_complaint_log(vals["customer_complaint_open"])
            events.queue(self.env.company, complaint_changed, "feedback")
        events.apply_pending()
        if vals.get("customer_lifecycle_promoter"):
            self.env["customer.lifecycle.engine"].advance(
                self, "advocacy", self.env.company
            )
        return res

    def unlink(self):
        ids = self.ids
        res = super().unlink()
        self.env["customer.pyramid.standing"]._delete_rows_of("partner_id", ids)
        return res

    def export_data(self, fields_to_export):
        # Odoo checks the groups of a stored field where it reads it; the
        # pyramid's fields are computed: the export checks them as read does.
        for path in fields_to_export:
            model = self
            for fname in path.split("/"):
                field = model._fields.get(fname)
                if field is None:
                    break
                model.check_field_access_rights("read", [fname])
                if not field.relational:
                    break
                model = self.env[field.comodel_name]
        return super().export_data(fields_to_export)

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
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_company_current": 1}
        return action

    def action_customer_lifecycle_history(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_lifecycle_history_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_customer_relationship_reset(self):
        """Follow the level again: the company's default type and goal."""
        defaults = {
            default.level: default
            for default in self.env["customer.relationship.default"].search(
                [("company_id", "=", self.env.company.id)]
            )
        }
        for partner in self:
            default = defaults.get(partner.commercial_partner_id.customer_pyramid_level)
            vals = {fname: False for fname in RELATIONSHIP_MANUAL_FIELDS.values()}
            if default and default.relationship_type:
                vals["customer_relationship_type"] = default.relationship_type
            if default and default.relationship_goal:
                vals["customer_relationship_goal"] = default.relationship_goal
            partner.with_context(customer_relationship_automatic=True).write(vals)
        return True

    def action_customer_offer_refusal_log(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_offer_refusal_action"
        )
        action.update(
            views=[(False, "form")],
            view_mode="form",
            target="new",
            context={"default_partner_id": self.id},
        )
        return action

    def action_customer_offer_clear_refusals(self):
        """A manager lifts the "do not offer" state of the company."""
        self.env["customer.offer.refusal"].search(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("cleared_on", "=", False),
            ]
        ).action_clear()
        return True

    def _customer_relationship_mark_manual(self, vals):
        """The values with the set-by-hand marks of the relationship fields written."""
        marks = {
            manual: True
            for fname, manual in RELATIONSHIP_MANUAL_FIELDS.items()
            if fname in vals and manual not in vals
        }
        return dict(vals, **marks) if marks else vals

    def _customer_relationship_store(self, fname):
        """A user's relationship type or goal, into the company's standing row."""
        column = SQL.identifier(STANDING_FIELDS[fname])
        rows = [
            SQL("(%s, %s, %s)", partner.id, self.env.company.id, partner[fname] or None)
            for partner in self
            if partner.id
        ]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_pyramid_standing AS st
                       (partner_id, company_id, %(column)s)
                VALUES %(rows)s
                ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET %(column)s = EXCLUDED.%(column)s
                """,
                column=column,
                rows=SQL(", ").join(rows),
            )
        )

    def _customer_complaint_log(self, opened):
        company = self.env.company.name
        body = (
            _(
                "Complaint opened for %(company)s: offers are blocked until it "
                "is solved.",
                company=company,
            )
            if opened
            else _("Complaint solved for %(company)s.", company=company)
        )
        self._message_log_batch({partner.id: body for partner in self})

    def _customer_care_offer_issues(self):
        """What stands against an offer to this partner in the current company.

        A list of (blocking, message): a repeat refusal and an open complaint
        always block, a single refusal blocks only in the company's block mode.
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        company = self.env.company
        issues = []
        if partner.customer_offer_blocked:
            issues.append(
                (
                    True,
                    _(
                        "%(partner)s refused two offers within %(days)s days: "
                        "offers are blocked until a sales manager clears the "
                        "refusals.",
                        partner=partner.display_name,
                        days=company.customer_offer_cooling_days,
                    ),
                )
            )
        elif partner.customer_do_not_offer:
            issues.append(
                (
                    company._customer_pyramid_setting("customer_offer_refusal_mode")
                    == "block",
                    _(
                        "%(partner)s refused an offer: do not offer anything "
                        "until %(until)s (cooling-off period).",
                        partner=partner.display_name,
                        until=partner.customer_do_not_offer_until,
                    ),
                )
            )
        if partner.customer_open_complaint_count:
            issues.append(
                (
                    True,
                    _(
                        "%(partner)s has %(count)s open complaint(s): solve "
                        "first, sell later.",
                        partner=partner.display_name,
                        count=partner.customer_open_complaint_count,
                    ),
                )
            )
        return issues

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

    def _customer_pyramid_on_new_partners(self):
        """A new commercial partner gets its level and enters Awareness,
        when the transaction commits: Odoo creates partners in bulk (imports,
        lead conversion, the mail gateway), and one pass serves them all."""
        commercial = self.filtered(lambda p: p.is_company or not p.parent_id)
        events = self.env["customer.pyramid.event"]
        for company, new_partners in commercial.grouped("company_id").items():
            events.queue(company or self.env.company, new_partners, "partner")
        events.queue_lifecycle(self.env.company, commercial, "awareness")

    def _customer_pyramid_queue_scope_change(self, before=None):
        """Queue these partners where they may have entered or left the
        pyramid: where they counted ``before`` (``_customer_pyramid_scope``
        read before the change) and where they count now."""
        before = before or {}
        after = self._customer_pyramid_scope()
        events = self.env["customer.pyramid.event"]
        for company in before.keys() | after.keys():
            partners = before.get(company, self.browse()) | after.get(
                company, self.browse()
            )
            events.queue(company, partners | self, "partner_change")

    def _customer_pyramid_scope(self):
        """{company: commercial partners} where these partners count: the
        companies where one of them stands, their own and the user's."""
        commercial = self.sudo().commercial_partner_id
        self.env["customer.pyramid.standing"].flush_model()
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT company_id FROM customer_pyramid_standing"
                " WHERE partner_id = ANY(%s)",
                (self | commercial).ids,
            )
        )
        companies = (
            self.env["res.company"]
            .sudo()
            .browse([company_id for (company_id,) in rows])
            .exists()
            | self.sudo().company_id
            | self.env.company
        )
        return dict.fromkeys(companies, commercial)
