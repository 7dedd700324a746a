from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Merging moves the orders, leads and feedback of the merged partners
        to the survivor in SQL: refresh it wherever one of them stood.

        The merged partners are deleted, and their standing rows with them
        (``res.partner.unlink``).
        """
        partners = self.env["res.partner"].browse(partner_ids).exists()
        companies = partners._customer_pyramid_scope().keys()
        res = super()._merge(partner_ids, dst_partner, extra_checks)
        if survivor := partners.exists():
            events = self.env["customer.pyramid.event"]
            for company in companies | survivor._customer_pyramid_scope().keys():
                events.queue(company, survivor, "merge")
            events.apply_pending()
        return res
