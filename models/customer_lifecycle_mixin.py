from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .customer_pyramid_standing import (
    PYRAMID_USER,
)


class CustomerLifecycleMixin(models.AbstractModel):
    """A partner's lifecycle stage per company, its referrals and the
    promoter mark, for ``res.partner``; ``customer.lifecycle.engine`` moves
    the stages."""

    _name = "customer.lifecycle.mixin"
    _description = "Customer lifecycle of a partner"

    # Lifecycle: per company, moved forward by events, backwards only by hand;
    # the stage itself is declared on res.partner (see there).
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

    def action_customer_lifecycle_history(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_lifecycle_history_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action
