from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CustomerPyramidCase, MarginCase


class InvoiceSourceCase(CustomerPyramidCase):
    """The test company with a chart of accounts, ranking by posted invoices
    minus credit notes, with shares of 10 / 20 / 30 / 40 %: ten active
    customers split 1 top, 2 big, 3 medium, 4 small.

    Ten customers are invoiced 1000, 900, ..., 100 without any sale order
    and ranked by a full run: the cut-offs are 1000 (top), 800 (big), 500
    (medium) and 100 (small).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._rank_by_source("invoice")
        cls.customers = cls._partners(10)
        cls.invoices = [
            cls._invoice(partner, 1000 - index * 100)
            for index, partner in enumerate(cls.customers)
        ]
        cls.engine.recompute_companies(cls.company)

    @classmethod
    def _invoice(cls, partner, amount, move_type="out_invoice", currency=None):
        """A posted customer invoice (or credit note) of ``amount``, untaxed,
        dated today, as a request that posts it ends."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": fields.Date.today(),
                "currency_id": (currency or cls.usd).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        cls._end_transaction()
        return move

    def _standing(self, partner):
        partner.invalidate_recordset()
        partner = partner.with_company(self.company)
        return (partner.customer_pyramid_level, partner.customer_pyramid_revenue)


@tagged("post_install", "-at_install")
class TestInvoiceSource(InvoiceSourceCase):
    def test_invoices_without_sale_orders_rank_their_customers(self):
        self.assertEqual(
            [self._standing(partner) for partner in self.customers[:4]],
            [("top", 1000), ("big", 900), ("big", 800), ("medium", 700)],
        )
        self.assertEqual(self._standing(self.customers[-1]), ("small", 100))

    def test_a_partial_credit_note_moves_its_customer_down(self):
        top = self.customers[0]
        self._invoice(top, 350, move_type="out_refund")
        # 650 against the last cut-offs: medium from 500, big from 800
        self.assertEqual(self._standing(top), ("medium", 650))
        history = self.env["customer.pyramid.history"].search(
            [("partner_id", "=", top.id)], order="id desc", limit=1
        )
        self.assertRecordValues(
            history,
            [{"old_level": "top", "new_level": "medium", "cause": "invoice"}],
        )

    def test_a_credit_note_is_not_an_order(self):
        top = self.customers[0].with_company(self.company)
        self._invoice(top, 350, move_type="out_refund")
        top.invalidate_recordset()
        self.assertEqual(top.customer_pyramid_order_count, 1)

    def test_a_reversed_invoice_no_longer_counts(self):
        big = self.customers[1]
        self.invoices[1]._reverse_moves(cancel=True)
        self._end_transaction()
        # invoiced once, credited in full: bought before, nothing in the window
        self.assertEqual(self._standing(big), ("inactive", 0))

    def test_an_invoice_reset_to_draft_no_longer_counts(self):
        self.invoices[2].button_draft()
        self._end_transaction()
        self.assertEqual(self._standing(self.customers[2]), ("suspect", 0))

    def test_a_cancelled_invoice_no_longer_counts(self):
        self.invoices[2].button_draft()
        self.invoices[2].button_cancel()
        self._end_transaction()
        self.assertEqual(self._standing(self.customers[2]), ("suspect", 0))

    def test_a_posted_invoice_places_a_new_customer(self):
        newcomer = self._partners(1, prefix="Newcomer")
        self._invoice(newcomer, 850)
        self.assertEqual(self._standing(newcomer), ("big", 850))

    def test_an_invoice_in_another_currency_counts_at_its_rate(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "name": fields.Date.today() - timedelta(days=1),
                "rate": 2.0,  # 2 EUR for 1 USD
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        newcomer = self._partners(1, prefix="Euro buyer")
        self._invoice(newcomer, 1400, currency=eur)
        self.assertEqual(self._standing(newcomer), ("medium", 700))

    def test_a_confirmed_order_not_yet_invoiced_is_no_revenue(self):
        prospect = self._partners(1, prefix="Ordering")
        self._order(prospect, 5000)
        # a relationship, not a sale: a prospect until it is invoiced
        self.assertEqual(self._standing(prospect), ("prospect", 0))

    def test_the_run_records_the_invoice_source(self):
        snapshot = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.assertIn("Posted invoices minus credit notes", snapshot.settings)


@tagged("post_install", "-at_install")
class TestSaleOrderSource(CustomerPyramidCase):
    """Ranking by sale orders, the default, an invoice is no revenue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.buyer = cls._partners(1)
        cls.order = cls._order(cls.buyer, 300)
        cls.engine.recompute_companies(cls.company)

    def test_invoicing_an_order_does_not_count_it_twice(self):
        self.order._create_invoices().action_post()
        self._end_transaction()
        buyer = self.buyer.with_company(self.company)
        buyer.invalidate_recordset()
        self.assertEqual(buyer.customer_pyramid_revenue, 300)

    def test_a_company_without_a_source_previews_by_orders(self):
        # as a company created while the addon's models were not loaded
        self.env.cr.execute(
            "UPDATE res_company SET customer_pyramid_revenue_source = NULL"
            " WHERE id = %s",
            [self.company.id],
        )
        self.company.invalidate_recordset()
        action = (
            Form(self.env["res.config.settings"])
            .save()
            .action_customer_pyramid_preview()
        )
        preview = self.env["customer.pyramid.preview"].browse(action["res_id"])
        self.assertNotIn("invoices", preview.new_settings)
        self.assertFalse(preview.move_ids)

    def test_preview_shows_the_switch_to_invoices(self):
        settings = Form(self.env["res.config.settings"])
        settings.customer_pyramid_revenue_source = "invoice"
        action = settings.save().action_customer_pyramid_preview()
        preview = self.env["customer.pyramid.preview"].browse(action["res_id"])
        # the order is not invoiced: by invoices, its buyer bought nothing
        self.assertRecordValues(
            preview.move_ids,
            [
                {
                    "partner_id": self.buyer.id,
                    "old_level": "top",
                    "new_level": "prospect",
                }
            ],
        )


@tagged("post_install", "-at_install", "customer_pyramid_margin")
class TestInvoiceSourceMargin(MarginCase):
    """With sale_margin: invoices carry no margin."""

    def test_margin_basis_with_invoices_is_refused(self):
        self.company.customer_pyramid_amount_basis = "margin"
        with self.assertRaisesRegex(
            ValidationError, "margin is read from sale orders only"
        ):
            self.company.customer_pyramid_revenue_source = "invoice"
