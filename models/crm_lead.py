from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    customer_referred_by_id = fields.Many2one(
        "res.partner",
        string="Referred by",
        help="The customer who brought this lead; copied to the partner.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._customer_lifecycle_on_lead()
        return leads

    def write(self, vals):
        res = super().write(vals)
        if {"type", "partner_id", "customer_referred_by_id"} & set(vals):
            self._customer_lifecycle_on_lead()
        return res

    def _customer_lifecycle_on_lead(self):
        """A lead makes its partner aware; an opportunity makes it consider.

        An opportunity also makes a suspect a prospect at once.
        """
        opportunities = self.filtered(lambda lead: lead.type == "opportunity")
        for company, leads in opportunities.grouped("company_id").items():
            self.env["customer.pyramid.engine"].refresh_partners(
                company or self.env.company, leads.partner_id, "lead"
            )
        for lead in self.filtered("partner_id"):
            partner = lead.partner_id.commercial_partner_id
            if lead.customer_referred_by_id and not partner.customer_referred_by_id:
                partner.customer_referred_by_id = lead.customer_referred_by_id
            company = lead.company_id or self.env.company
            rule = "consideration" if lead.type == "opportunity" else "awareness"
            partner._customer_lifecycle_prospective()._customer_lifecycle_advance(
                rule, company
            )
