from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "customer.pyramid.input.mixin"]
    # An open or won opportunity makes its partner a prospect.
    _customer_pyramid_inputs = frozenset(
        {"type", "partner_id", "active", "company_id", "stage_id", "probability"}
    )
    _customer_pyramid_cause = "lead"
    _customer_pyramid_apply_at_commit = True

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

    def _customer_pyramid_concerns(self):
        # only opportunities give a relationship; a lead turned into one is
        # written as an opportunity and counts from there
        return super(
            CrmLead, self.filtered(lambda lead: lead.type == "opportunity")
        )._customer_pyramid_concerns()

    def _customer_lifecycle_on_lead(self):
        """A lead makes its partner aware; an opportunity makes it consider."""
        events = self.env["customer.pyramid.event"]
        for lead in self.filtered("partner_id"):
            partner = lead.partner_id.commercial_partner_id.sudo()
            if lead.customer_referred_by_id and not partner.customer_referred_by_id:
                partner.customer_referred_by_id = lead.customer_referred_by_id
            company = lead.company_id or self.env.company
            rule = "consideration" if lead.type == "opportunity" else "awareness"
            events.queue_lifecycle(company, partner, rule)
