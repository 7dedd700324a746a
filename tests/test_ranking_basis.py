from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CustomerPyramidCase, MarginCase


@tagged("post_install", "-at_install")
class TestRankingBasisWithoutMargin(CustomerPyramidCase):
    """Without the Sales margin app there is no margin to rank by."""

    def setUp(self):
        super().setUp()
        if self.env["res.company"]._customer_pyramid_margin_available():
            self.skipTest("sale_margin is installed: see TestRankingBasisMargin")

    def test_margin_is_not_offered(self):
        basis = dict(
            self.env["res.config.settings"]._selection_customer_pyramid_amount_basis()
        )
        self.assertEqual(set(basis), {"untaxed", "total"})

    def test_margin_basis_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "needs the Sales margin app"):
            self.company.customer_pyramid_amount_basis = "margin"


@tagged("post_install", "-at_install", "customer_pyramid_margin")
class TestRankingBasisMargin(MarginCase):
    """With sale_margin, customers can be ranked by the margin of their orders.

    Two customers: a high-volume, low-margin one (1000 at cost 900: margin
    100) and a smaller, high-margin one (500 at cost 100: margin 400).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.volume, cls.margin = cls._partners(2)
        cls._order(cls.volume, 1000).order_line.purchase_price = 900
        cls._order(cls.margin, 500).order_line.purchase_price = 100
        # 2 active customers: the first 1 % (rounded up) is 1 customer, and so
        # are the first 5 % and 20 %: one top, one small
        cls.company.write({"customer_pyramid_amount_basis": "margin"})

    def test_margin_is_offered(self):
        basis = dict(
            self.env["res.config.settings"]._selection_customer_pyramid_amount_basis()
        )
        self.assertEqual(basis["margin"], "Margin")

    def test_margin_ranks_the_high_margin_customer_first(self):
        self._recompute()
        self.assertEqual(self._level(self.margin), "top")
        self.assertEqual(self._level(self.volume), "small")

    def test_margin_is_the_revenue_shown(self):
        self._recompute()
        self.assertEqual(
            self.margin.with_company(self.company).customer_pyramid_revenue, 400
        )

    def test_untaxed_basis_ranks_by_amount(self):
        self.company.customer_pyramid_amount_basis = "untaxed"
        self._recompute()
        self.assertEqual(self._level(self.volume), "top")
