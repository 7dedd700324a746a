from odoo import models
from odoo.tools import SQL


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Merging moves the orders, leads and feedback of the merged partners
        to the survivor in SQL: refresh it wherever one of them stood.

        The merged partners are deleted, and their standing rows with them
        (``res.partner.unlink``).
        """
        partners = self.env["res.partner"].browse(partner_ids).exists()
        self.env["customer.pyramid.standing"].flush_model()
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT company_id FROM customer_pyramid_standing"
                " WHERE partner_id = ANY(%s)",
                (partners | partners.commercial_partner_id).ids,
            )
        )
        res = super()._merge(partner_ids, dst_partner, extra_checks)
        survivor = partners.exists()
        if survivor:
            companies = (
                self.env["res.company"].sudo().browse([r[0] for r in rows]).exists()
                | survivor.sudo().company_id
                | self.env.company
            )
            events = self.env["customer.pyramid.event"]
            for company in companies:
                events.queue(company, survivor, "merge")
            events.apply_pending()
        return res
