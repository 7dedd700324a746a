from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        # A user's partner is created before it is linked to the user, so it
        # would look like a new customer: employees are not. Portal users are,
        # and get the new-partner events once they exist.
        users = (
            super(ResUsers, self.with_context(customer_pyramid_skip_events=True))
            .create(vals_list)
            .with_env(self.env)
        )
        users.filtered("share").partner_id._customer_pyramid_on_new_partners()
        # an existing customer given an internal user leaves the pyramid
        users.filtered(
            lambda user: not user.share
        ).partner_id.sudo()._customer_pyramid_queue_scope_change()
        self.env["customer.pyramid.event"].apply_pending()
        return users

    def write(self, vals):
        # Compared before and after, not read from ``vals``: the user form
        # sends the user type in its own fields, turned into groups below.
        before = {
            user: (user.partner_id, user.share, user.active) for user in self.sudo()
        }
        res = super().write(vals)
        # an internal user's partner is not a customer, a portal user's is;
        # a user moved to another partner gives the old one back
        changed = self.env["res.partner"].sudo()
        for user, (partner, share, active) in before.items():
            if (user.partner_id, user.share, user.active) != (partner, share, active):
                changed |= partner | user.partner_id
        if changed:
            changed._customer_pyramid_queue_scope_change()
            self.env["customer.pyramid.event"].apply_pending()
        return res
