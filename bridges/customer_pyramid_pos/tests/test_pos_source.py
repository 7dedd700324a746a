from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.customer_pyramid.tests.common import CustomerPyramidCase, MarginCase
from odoo.addons.customer_pyramid_pos.hooks import uninstall_hook


class PosSourceCase(CustomerPyramidCase):
    """The test company ranking by sale orders and paid Point of Sale
    orders, with shares of 10 / 20 / 30 / 40 % and a shop with a cash
    payment method and an open session.

    Nine customers bought by sale order (1000, 900, ..., 200) and a walk-in
    customer at the counter only: two items at 325 (650), paid. The ten
    active customers split 1 top (1000), 2 big (900, 800), 3 medium (700,
    the walk-in's 650, 600) and 4 small (500 to 200): the cut-offs are
    1000, 800, 600 and 200.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._rank_by_source("sale_order_pos")
        cash_journal = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.cash = cls.env["pos.payment.method"].create(
            {
                "name": "Cash",
                "journal_id": cash_journal.id,
                "company_id": cls.company.id,
            }
        )
        cls.shop = cls.env["pos.config"].create(
            {
                "name": "Pyramid shop",
                "company_id": cls.company.id,
                "payment_method_ids": [Command.set(cls.cash.ids)],
            }
        )
        cls.shop.open_ui()
        cls.customers = cls._partners(9)
        cls._bulk_orders(
            [
                (partner, 1000 - index * 100)
                for index, partner in enumerate(cls.customers)
            ]
        )
        cls.walk_in = cls._partners(1, prefix="Walk-in")
        cls.walk_in_order = cls._pos_order(cls.walk_in, 325, 2)
        cls.engine.recompute_companies(cls.company)

    @classmethod
    def _pos_order(cls, partner, price, qty, refunded_line=None, shop=None):
        """A Point of Sale order of ``qty`` items at ``price``, untaxed, paid
        in cash in ``shop`` (the company's shop by default), as the request
        that pays it ends. A negative ``qty`` is a refund of
        ``refunded_line``."""
        shop = shop or cls.shop
        amount = price * qty
        order = cls.env["pos.order"].create(
            {
                "company_id": cls.company.id,
                "session_id": shop.current_session_id.id,
                "partner_id": partner.id if partner else False,
                "lines": [
                    Command.create(
                        {
                            "name": "Pyramid shop line",
                            "product_id": cls.product.id,
                            "price_unit": price,
                            "qty": qty,
                            "tax_ids": [Command.clear()],
                            "price_subtotal": amount,
                            "price_subtotal_incl": amount,
                            "refunded_orderline_id": refunded_line.id
                            if refunded_line
                            else False,
                        }
                    )
                ],
                "amount_total": amount,
                "amount_tax": 0.0,
                "amount_paid": 0.0,
                "amount_return": 0.0,
                "last_order_preparation_change": "{}",
            }
        )
        context = {"active_id": order.id, "active_ids": order.ids}
        cls.env["pos.make.payment"].with_context(**context).create(
            {"amount": amount, "payment_method_id": shop.payment_method_ids.id}
        ).check()
        cls._end_transaction()
        return order

    def _standing(self, partner):
        partner.invalidate_recordset()
        partner = partner.with_company(self.company)
        return (
            partner.customer_pyramid_level,
            partner.customer_pyramid_revenue,
            partner.customer_pyramid_order_count,
        )


@tagged("post_install", "-at_install", "customer_pyramid_pos")
class TestPosSource(PosSourceCase):
    def test_paid_pos_order_ranks_a_customer_without_sale_orders(self):
        self.assertEqual(self.walk_in_order.state, "paid")
        self.assertEqual(self._standing(self.walk_in), ("medium", 650, 1))

    def test_sale_orders_still_count_beside_pos_orders(self):
        self.assertEqual(
            [self._standing(partner) for partner in self.customers[:3]],
            [("top", 1000, 1), ("big", 900, 1), ("big", 800, 1)],
        )

    def test_paid_pos_order_is_an_event(self):
        self._pos_order(self.customers[8], 700, 1)  # 200 + 700
        self.assertEqual(self._standing(self.customers[8]), ("big", 900, 2))
        history = self.env["customer.pyramid.history"].search(
            [("partner_id", "=", self.customers[8].id), ("cause", "=", "pos")]
        )
        self.assertEqual(history.mapped("new_level"), ["big"])

    def test_refund_lowers_the_revenue_and_is_no_order(self):
        self._pos_order(self.walk_in, 325, -1, self.walk_in_order.lines)
        self.assertEqual(self._standing(self.walk_in), ("small", 325, 1))

    def test_order_without_customer_is_nobody_revenue(self):
        self._pos_order(False, 5000, 1)
        self._recompute()
        self.assertEqual(self._standing(self.customers[0]), ("top", 1000, 1))
        self.assertEqual(self._standing(self.walk_in), ("medium", 650, 1))

    def test_pos_orders_count_only_with_the_pos_source(self):
        self.company.customer_pyramid_revenue_source = "sale_order"
        self._recompute()
        # no sale order, quotation or opportunity: nothing the source reads
        self.assertEqual(self._standing(self.walk_in), ("suspect", 0, 0))

    def test_draft_pos_order_is_no_revenue(self):
        self.env["pos.order"].create(
            {
                "company_id": self.company.id,
                "session_id": self.shop.current_session_id.id,
                "partner_id": self.customers[8].id,
                "amount_total": 5000,
                "amount_tax": 0.0,
                "amount_paid": 0.0,
                "amount_return": 0.0,
            }
        )
        self._end_transaction()
        self._recompute()
        self.assertEqual(self._standing(self.customers[8]), ("small", 200, 1))

    def test_source_is_offered_with_point_of_sale(self):
        sources = dict(
            self.env["res.config.settings"]
            ._fields["customer_pyramid_revenue_source"]
            ._description_selection(self.env)
        )
        self.assertIn("sale_order_pos", sources)

    def test_run_records_the_source(self):
        self.assertIn(
            "from Confirmed sale orders and paid Point of Sale orders",
            self.company.customer_pyramid_last_settings,
        )

    def test_pos_order_edited_in_sql_is_noted_for_the_daily_run(self):
        changes = self.env["customer.pyramid.change"]
        changes._take(self.company)
        self.env.cr.execute(
            SQL(
                "UPDATE pos_order SET amount_total = amount_total + 1 WHERE id = %s",
                self.walk_in_order.id,
            )
        )
        self.assertEqual(changes._take(self.company), {self.walk_in.id})

    def test_uninstalling_ranks_by_sale_orders_again(self):
        uninstall_hook(self.env)
        self.assertEqual(self.company.customer_pyramid_revenue_source, "sale_order")


@tagged("post_install", "-at_install", "customer_pyramid_pos")
class TestPosSourceOtherCurrency(PosSourceCase):
    """A second shop of the company sells in EUR, at 2 EUR for 1 USD."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.env["res.currency.rate"].create(
            {
                "name": fields.Date.today() - timedelta(days=1),
                "rate": 2.0,
                "currency_id": eur.id,
                "company_id": cls.company.id,
            }
        )
        journals = cls.env["account.journal"].create(
            [
                {
                    "name": f"Euro {kind}",
                    "type": kind,
                    "code": f"EU{kind[:2].upper()}",
                    "company_id": cls.company.id,
                    "currency_id": eur.id,
                }
                for kind in ("sale", "cash")
            ]
        )
        pricelist = cls.env["product.pricelist"].create(
            {"name": "Euro", "currency_id": eur.id, "company_id": cls.company.id}
        )
        cls.euro_shop = cls.env["pos.config"].create(
            {
                "name": "Euro shop",
                "company_id": cls.company.id,
                "journal_id": journals[0].id,
                "use_pricelist": True,
                "available_pricelist_ids": [Command.set(pricelist.ids)],
                "pricelist_id": pricelist.id,
                "payment_method_ids": [
                    Command.create(
                        {
                            "name": "Euro cash",
                            "journal_id": journals[1].id,
                            "company_id": cls.company.id,
                        }
                    )
                ],
            }
        )
        cls.euro_shop.open_ui()
        cls.euro_buyer = cls._partners(1, prefix="Euro buyer")
        cls.euro_order = cls._pos_order(cls.euro_buyer, 550, 2, shop=cls.euro_shop)

    def test_order_in_another_currency_counts_at_its_rate(self):
        self.assertEqual(self.euro_order.currency_id.name, "EUR")
        self.assertEqual(self._standing(self.euro_buyer)[1:], (550, 1))

    def test_refund_in_another_currency_converts_the_same_way(self):
        self._pos_order(
            self.euro_buyer, 550, -1, self.euro_order.lines, shop=self.euro_shop
        )
        self.assertEqual(self._standing(self.euro_buyer)[1:], (275, 1))


@tagged(
    "post_install", "-at_install", "customer_pyramid_pos", "customer_pyramid_margin"
)
class TestPosSourceMargin(MarginCase):
    """With sale_margin: the margin is read from sale orders only."""

    def test_margin_basis_with_pos_orders_is_refused(self):
        self.company.customer_pyramid_amount_basis = "margin"
        with self.assertRaisesRegex(
            ValidationError, "margin is read from sale orders only"
        ):
            self.company.customer_pyramid_revenue_source = "sale_order_pos"
