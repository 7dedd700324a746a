from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

REFUSAL_CHANNEL_SELECTION = [
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("meeting", "Meeting"),
    ("online", "Website, chat or social network"),
    ("other", "Other"),
]


class CustomerOfferRefusal(models.Model):
    """An offer the customer said no to: the log behind "no pushing".

    Salespeople log refusals; only managers clear them (who and when stay on
    the record). The partner's "do not offer" state is derived from the
    refusals not cleared, see res.partner._customer_offer_refusal_state.
    """

    _name = "customer.offer.refusal"
    _description = "Refused offer"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    product_id = fields.Many2one(
        "product.product", string="Product offered", check_company=True
    )
    campaign_id = fields.Many2one("utm.campaign", string="Campaign")
    channel = fields.Selection(REFUSAL_CHANNEL_SELECTION, required=True)
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Logged by", readonly=True, default=lambda s: s.env.user
    )
    cleared_on = fields.Datetime(readonly=True, copy=False)
    cleared_by_id = fields.Many2one("res.users", readonly=True, copy=False)

    @api.constrains("product_id", "campaign_id")
    def _check_offer(self):
        for refusal in self:
            if not refusal.product_id and not refusal.campaign_id:
                raise ValidationError(
                    _(
                        "Say what %(partner)s refused: fill in the product "
                        "offered or the campaign.",
                        partner=refusal.partner_id.display_name,
                    )
                )

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for refusal in self:
            if refusal.date > today:
                raise ValidationError(
                    _(
                        "Date: a refusal cannot be logged in the future (%(date)s).",
                        date=refusal.date,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        refusals = super().create(vals_list)
        for refusal in refusals:
            refusal._log_on_partner(
                _(
                    "Offer refused on %(date)s (%(offer)s, %(channel)s) for "
                    "%(company)s: do not offer until %(until)s.",
                    date=refusal.date,
                    offer=refusal._offer_label(),
                    channel=refusal._channel_label(),
                    company=refusal.company_id.name,
                    until=refusal._cooling_off_end(),
                )
                if refusal.company_id.customer_offer_cooling_days > 0
                else _(
                    "Offer refused on %(date)s (%(offer)s, %(channel)s) for "
                    "%(company)s; the cooling-off period is switched off.",
                    date=refusal.date,
                    offer=refusal._offer_label(),
                    channel=refusal._channel_label(),
                    company=refusal.company_id.name,
                )
            )
            partner = refusal.commercial_partner_id.with_company(refusal.company_id)
            if partner.customer_offer_blocked:
                refusal._log_on_partner(
                    _(
                        "Second refused offer within %(days)s days: offers to "
                        "%(partner)s are blocked until a sales manager clears "
                        "the refusals.",
                        days=refusal.company_id.customer_offer_cooling_days,
                        partner=partner.display_name,
                    )
                )
        return refusals

    def write(self, vals):
        if {"cleared_on", "cleared_by_id"} & set(vals):
            self._check_manager()
        return super().write(vals)

    def action_clear(self):
        """A manager lifts the refusals: offers are allowed again."""
        self._check_manager()
        refusals = self.filtered(lambda r: not r.cleared_on)
        # sudo: the clearing fields are readonly for users; the group is
        # checked above and who cleared is recorded.
        refusals.sudo().write(
            {"cleared_on": fields.Datetime.now(), "cleared_by_id": self.env.uid}
        )
        for refusal in refusals:
            refusal._log_on_partner(
                _(
                    "Refused offer of %(date)s (%(offer)s) cleared by %(user)s: "
                    "offers are allowed again.",
                    date=refusal.date,
                    offer=refusal._offer_label(),
                    user=self.env.user.name,
                )
            )
        return True

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "customer_pyramid.group_manager"
        ):
            raise AccessError(
                _("Only customer pyramid managers can clear refused offers.")
            )

    def _offer_label(self):
        self.ensure_one()
        return " / ".join(
            name
            for name in (self.product_id.display_name, self.campaign_id.name)
            if name
        )

    def _channel_label(self):
        self.ensure_one()
        return dict(self._fields["channel"]._description_selection(self.env))[
            self.channel
        ]

    def _cooling_off_end(self):
        self.ensure_one()
        return fields.Date.add(
            self.date, days=self.company_id.customer_offer_cooling_days
        )

    def _log_on_partner(self, body):
        self.ensure_one()
        self.partner_id._message_log(body=body)
        if self.commercial_partner_id != self.partner_id:
            self.commercial_partner_id._message_log(body=body)

    @api.model
    def _refusal_state(self, company, partner_ids=None):
        """{commercial partner id: (do not offer until, blocked)} in ``company``.

        From the refusals not cleared: the cooling-off ends ``days`` after the
        latest one; two of them within ``days`` of each other block offers
        until a manager clears them. One query for any number of partners.
        """
        days = company.customer_offer_cooling_days
        if days <= 0:
            return {}
        self.flush_model()
        partner_filter = SQL()
        if partner_ids is not None:
            partner_filter = SQL("AND r.commercial_partner_id = ANY(%s)", partner_ids)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT r.commercial_partner_id,
                       max(r.date) + %(days)s,
                       bool_or(EXISTS (
                           SELECT 1 FROM customer_offer_refusal o
                            WHERE o.commercial_partner_id = r.commercial_partner_id
                              AND o.company_id = r.company_id
                              AND o.cleared_on IS NULL
                              AND o.id <> r.id
                              AND o.date BETWEEN r.date - %(days)s AND r.date))
                  FROM customer_offer_refusal r
                 WHERE r.company_id = %(company)s AND r.cleared_on IS NULL
                       %(partner_filter)s
              GROUP BY r.commercial_partner_id
                """,
                days=days,
                company=company.id,
                partner_filter=partner_filter,
            )
        )
        return {partner_id: (until, blocked) for partner_id, until, blocked in rows}
