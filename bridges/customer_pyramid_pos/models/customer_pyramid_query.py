from odoo import models
from odoo.tools import SQL

# The revenue source this module adds (res.company).
POS_SOURCE = "sale_order_pos"
# A Point of Sale order that was paid: in its open session (paid), posted with
# its closed session (done), or invoiced.
PAID_STATES = ("paid", "done", "invoiced")


class CustomerPyramidQuery(models.AbstractModel):
    _inherit = "customer.pyramid.query"

    def _revenue_documents(self, company, parameters, partner_ids=None):
        """The sale orders, and with the Point of Sale source the paid Point
        of Sale orders of a customer too."""
        documents = super()._revenue_documents(company, parameters, partner_ids)
        if parameters["source"] != POS_SOURCE:
            return documents
        return SQL(
            "%s UNION ALL %s",
            documents,
            self._pos_documents(company, parameters, partner_ids),
        )

    def _pos_documents(self, company, parameters, partner_ids):
        """SQL: the paid Point of Sale orders of a customer, as the rows of
        ``_revenue_documents``: in the company's currency at the order's
        rate, as a sale order; a refund (a negative order) lowers the
        revenue and is not an order of the customer. An order without a
        customer is nobody's revenue."""
        amount = SQL("po.amount_total")
        if parameters["basis"] != "total":
            amount = SQL("(po.amount_total - po.amount_tax)")
        return SQL(
            """
            SELECT po.partner_id, po.date_order,
                   %(amount)s / NULLIF(po.currency_rate, 0) AS amount,
                   po.amount_total >= 0 AS counted
              FROM pos_order po
             WHERE po.company_id = %(company)s AND po.state = ANY(%(paid)s)
               AND po.partner_id IS NOT NULL
               %(partner_filter)s
            """,
            amount=amount,
            company=company.id,
            paid=list(PAID_STATES),
            partner_filter=self._of_accounts("po", partner_ids, parameters),
        )
