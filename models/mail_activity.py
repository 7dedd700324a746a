from odoo import api, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model_create_multi
    def create(self, vals_list):
        activities = super().create(vals_list)
        activities._customer_refresh_satisfaction()
        return activities

    def write(self, vals):
        before = self._customer_complaints()._customer_complaint_partners()
        res = super().write(vals)
        if {"active", "activity_type_id", "res_id", "res_model"} & set(vals):
            after = self._customer_complaints()._customer_complaint_partners()
            self._customer_refresh_partners(before | after)
        return res

    def unlink(self):
        partners = self._customer_complaints()._customer_complaint_partners()
        res = super().unlink()
        self._customer_refresh_partners(partners)
        return res

    def _customer_complaints(self):
        return self.filtered(
            lambda a: a.res_model == "res.partner"
            and a.activity_type_id.customer_complaint
        )

    def _customer_complaint_partners(self):
        return self.env["res.partner"].browse(self.mapped("res_id")).exists()

    def _customer_refresh_satisfaction(self):
        """An opened or closed complaint changes the partner's satisfaction."""
        self._customer_refresh_partners(
            self._customer_complaints()._customer_complaint_partners()
        )

    def _customer_refresh_partners(self, partners):
        if partners:
            self.env["customer.pyramid.event"].refresh_now(
                self.env.company, partners, "feedback"
            )
