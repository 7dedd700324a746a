from odoo import fields, models


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    customer_complaint = fields.Boolean(
        string="Counts as a complaint",
        help="An open activity of this type on a partner is an open complaint: "
        "offers to the partner are blocked until it is done.",
    )
