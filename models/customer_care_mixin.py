from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .customer_consent import (
    CONSENT_PURPOSE_SELECTION,
    CONSENT_STATE_SELECTION,
    profiling_refused,
)
from .customer_pyramid_standing import (
    PYRAMID_USER,
)


class CustomerCareMixin(models.AbstractModel):
    """The customer-care rules of a partner, per company: refused offers,
    complaints, the consents and what they allow, for ``res.partner``."""

    _name = "customer.care.mixin"
    _description = "Customer care of a partner"

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
