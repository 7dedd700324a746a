from odoo import _, api, fields, models
from odoo.tools import SQL

CONSENT_PURPOSE_SELECTION = [
    ("marketing", "Marketing"),
    ("profiling", "Profiling"),
    ("referrals", "Referrals"),
]
CONSENT_STATE_SELECTION = [
    ("given", "Given"),
    ("refused", "Refused"),
]


def profiling_refused(partner_alias, company_id, partner_ids=None):
    """SQL: the latest profiling consent of ``partner_alias`` in the company
    is a refusal; ``partner_ids``: the alias is one of them.

    The subquery does not depend on the partner, so PostgreSQL computes the
    set of refusing partners once (a hashed subplan), not once per partner;
    of ``partner_ids`` only when given, so that an event does not sort the
    consents of the whole base.
    """
    partner_filter = SQL()
    if partner_ids is not None:
        partner_filter = SQL("AND cc.partner_id = ANY(%s)", list(partner_ids))
    return SQL(
        """%(id)s IN (
            SELECT latest.partner_id FROM (
                SELECT DISTINCT ON (cc.partner_id) cc.partner_id, cc.state
                  FROM customer_consent cc
                 WHERE cc.company_id = %(company)s AND cc.purpose = 'profiling'
                       %(partner_filter)s
              ORDER BY cc.partner_id, cc.date DESC, cc.id DESC
            ) latest
             WHERE latest.state = 'refused'
        )""",
        id=SQL.identifier(partner_alias, "id"),
        company=company_id,
        partner_filter=partner_filter,
    )


class CustomerConsent(models.Model):
    """What a partner agreed to, or refused, for one purpose: a log.

    A new record supersedes the earlier ones of the same purpose; records are
    not edited, so the log shows when and where each answer came from.
    """

    _name = "customer.consent"
    _inherit = "customer.pyramid.input.mixin"
    _description = "Consent of a partner to a purpose"
    _customer_pyramid_cause = "consent"
    _order = "date desc, id desc"
    _rec_name = "purpose"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    purpose = fields.Selection(CONSENT_PURPOSE_SELECTION, required=True)
    state = fields.Selection(
        CONSENT_STATE_SELECTION, string="Answer", required=True, default="given"
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    source = fields.Char(
        required=True, help="Where the answer was given: a form, a call, an e-mail."
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded by", readonly=True, default=lambda s: s.env.user
    )

    @api.model_create_multi
    def create(self, vals_list):
        consents = super().create(vals_list)
        consents._log_on_partners()
        profiling = consents.filtered(lambda c: c.purpose == "profiling")
        for company, company_consents in profiling.grouped("company_id").items():
            company_consents._apply_profiling_consent(company)
        return consents

    def _log_on_partners(self):
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        states = dict(self._fields["state"]._description_selection(self.env))
        for consent in self:
            consent.partner_id._message_log(
                body=_(
                    "Consent to %(purpose)s for %(company)s: %(state)s on %(date)s "
                    "(source: %(origin)s).",
                    purpose=purposes[consent.purpose],
                    company=consent.company_id.name,
                    state=states[consent.state],
                    date=consent.date,
                    origin=consent.source,
                )
            )

    def _apply_profiling_consent(self, company):
        """A pin is a profile too: it goes with a refusal of profiling.

        The refusal itself is an event (``customer.pyramid.input.mixin``):
        it has taken the partner out of the pyramid already. sudo: recording
        the customer's refusal is a salesperson's job, unpinning a manager's.
        """
        partners = self.partner_id.commercial_partner_id.with_company(company)
        refusing = partners.filtered(
            lambda p: p.customer_consent_profiling == "refused"
            and p.customer_pyramid_pinned_level
        )
        if refusing:
            refusing.sudo().write(
                {
                    "customer_pyramid_pinned_level": False,
                    "customer_pyramid_pin_reason": False,
                }
            )
