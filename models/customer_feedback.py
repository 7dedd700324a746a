from odoo import api, fields, models

SCORE_SELECTION = [
    ("1", "1 - Very dissatisfied"),
    ("2", "2 - Dissatisfied"),
    ("3", "3 - Neutral"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very satisfied"),
]


class CustomerFeedback(models.Model):
    """What a customer told us about us: the source of its satisfaction score."""

    _name = "customer.feedback"
    _description = "Customer feedback"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    score = fields.Selection(SCORE_SELECTION, required=True)
    comment = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Logged by", default=lambda self: self.env.user
    )

    @api.model_create_multi
    def create(self, vals_list):
        feedback = super().create(vals_list)
        self._refresh_satisfaction(feedback._partners_by_company())
        return feedback

    def write(self, vals):
        before = self._partners_by_company()
        res = super().write(vals)
        after = self._partners_by_company()
        for company, partners in before.items():
            after[company] = after.get(company, partners) | partners
        self._refresh_satisfaction(after)
        return res

    def unlink(self):
        before = self._partners_by_company()
        res = super().unlink()
        self._refresh_satisfaction(before)
        return res

    def _partners_by_company(self):
        return {
            company: feedback.partner_id
            for company, feedback in self.grouped("company_id").items()
        }

    @api.model
    def _refresh_satisfaction(self, partners_by_company):
        engine = self.env["customer.pyramid.engine"]
        for company, partners in partners_by_company.items():
            engine.refresh_partners(company, partners, "feedback")
