from odoo import models

from .customer_pyramid_query import PAID_STATES, POS_SOURCE

# What the source reads of an order, besides its customer and company: a
# change of it written in SQL is noted for the next daily run.
WATCHED_COLUMNS = ["state", "date_order", "amount_total", "amount_tax", "currency_rate"]


class PosOrder(models.Model):
    _name = "pos.order"
    _inherit = ["pos.order", "customer.pyramid.input.mixin"]
    # What the source reads of an order: paying it writes its state; its
    # amounts, customer and date are set before, and may be edited after.
    _customer_pyramid_inputs = frozenset(
        {
            "state",
            "partner_id",
            "company_id",
            "date_order",
            "amount_total",
            "amount_tax",
            "lines",
        }
    )
    _customer_pyramid_cause = "pos"
    # A session synchronises its orders in batches (an offline shop sends
    # a day at once): one pass for the whole transaction, at its commit.
    _customer_pyramid_apply_at_commit = True

    def init(self):
        self.env["customer.pyramid.change"]._create_change_triggers(
            self._table, WATCHED_COLUMNS
        )

    def _customer_pyramid_concerns(self):
        """The customers of these orders once paid, in the companies that
        rank by sale orders and Point of Sale orders: for the others, and
        before it is paid, an order is no event."""
        # sudo: which partners an event concerns does not depend on what the
        # user may read; only their ids are queued.
        paid = self.sudo().filtered(
            lambda order: order.state in PAID_STATES
            and order.partner_id
            and order.company_id._customer_pyramid_setting(
                "customer_pyramid_revenue_source"
            )
            == POS_SOURCE
        )
        return {
            company: orders.partner_id
            for company, orders in paid.grouped("company_id").items()
        }
