from odoo import models

# The journal entries that are revenue for the invoice source.
CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "customer.pyramid.input.mixin"]
    # What the invoice source reads of an entry: posting, resetting to draft
    # and cancelling write its state; a reversal posts a credit note. The
    # amounts of a posted entry change only through its lines, which Odoo
    # lets change only in draft.
    _customer_pyramid_inputs = frozenset(
        {
            "state",
            "move_type",
            "partner_id",
            "company_id",
            "invoice_date",
            "line_ids",
            "invoice_line_ids",
        }
    )
    _customer_pyramid_cause = "invoice"

    def _customer_pyramid_concerns(self):
        """The customers of these invoices and credit notes, in the companies
        that rank by invoices: for the others an entry is no event."""
        # sudo: which partners an event concerns does not depend on what the
        # user may read; only their ids are queued.
        documents = self.sudo().filtered(
            lambda move: move.move_type in CUSTOMER_DOCUMENTS
            and move.company_id._customer_pyramid_setting(
                "customer_pyramid_revenue_source"
            )
            == "invoice"
        )
        return {
            company: moves.partner_id
            for company, moves in documents.grouped("company_id").items()
        }
