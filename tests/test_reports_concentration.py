from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestConcentrationReport(CustomerPyramidCase):
    """Revenue concentration over the default window (the last 12 months).

    Ten customers bought 1000, 500, 200, 100, 80, 50, 30, 20, 10 and 10 in the
    window: N = 10, 2000 in all. Left out: a former customer whose only order
    (3000) is 400 days old, and a customer marked "no need" who bought 300.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.amounts = [1000, 500, 200, 100, 80, 50, 30, 20, 10, 10]
        customers = cls._partners(len(cls.amounts))
        cls._bulk_orders(list(zip(customers, cls.amounts, strict=True)))
        cls.former = cls._partners(1, prefix="Former")
        cls._order(cls.former, 3000, days_ago=400)
        no_need = cls._partners(1, prefix="No need")
        no_need.customer_pyramid_mark = "rest"
        cls._order(no_need, 300)
        cls.report = cls.env["customer.pyramid.concentration"].create(
            {"company_id": cls.company.id}
        )
        cls.report.action_compute()

    def _lorenz(self, curve="lorenz"):
        return {
            line.customer_percent: line.revenue_percent
            for line in self.report.line_ids
            if line.curve == curve
        }

    def test_default_period_is_the_active_window(self):
        today = fields.Date.context_today(self.report)
        self.assertEqual(self.report.date_to, today)
        self.assertEqual(self.report.date_from, today - relativedelta(months=12))

    def test_customers_are_those_with_revenue_in_the_window(self):
        self.assertEqual(self.report.customer_count, 10)
        self.assertEqual(self.report.revenue, 2000)

    def test_top_1_and_5_percent_of_ten_customers_is_the_first(self):
        # ceil(10 x 1 %) = ceil(10 x 5 %) = 1 customer: 1000 / 2000
        self.assertEqual(self.report.top_1_share, 50)
        self.assertEqual(self.report.top_5_share, 50)

    def test_top_20_percent_bring_three_quarters(self):
        # ceil(10 x 20 %) = 2 customers: (1000 + 500) / 2000
        self.assertEqual(self.report.top_20_share, 75)

    def test_gini_coefficient(self):
        # ascending 10, 10, 20, 30, 50, 80, 100, 200, 500, 1000:
        # sum(i x_i) = 10 + 20 + 60 + 120 + 250 + 480 + 700 + 1600 + 4500 + 10000
        #            = 17740; G = 2 x 17740 / (10 x 2000) - 11 / 10 = 0.674
        self.assertAlmostEqual(self.report.gini, 0.674, places=6)

    def test_lorenz_curve_every_five_percent(self):
        lorenz = self._lorenz()
        self.assertEqual(sorted(lorenz), list(range(0, 101, 5)))
        # floor(10 x p %) poorest customers: 5 % -> 0, 10 % -> 1 (10 of 2000),
        # 50 % -> 5 (120), 80 % -> 8 (500), 100 % -> all
        self.assertEqual(lorenz[5], 0)
        self.assertEqual(lorenz[10], 0.5)
        self.assertEqual(lorenz[50], 6)
        self.assertEqual(lorenz[80], 25)
        self.assertEqual(lorenz[100], 100)

    def test_line_of_equality_is_the_diagonal(self):
        equality = self._lorenz("equality")
        self.assertEqual(equality, {percent: percent for percent in range(0, 101, 5)})

    def test_chosen_window_counts_only_its_orders(self):
        today = fields.Date.today()
        report = self.env["customer.pyramid.concentration"].create(
            {
                "company_id": self.company.id,
                "date_from": today - timedelta(days=450),
                "date_to": today - timedelta(days=350),
            }
        )
        report.action_compute()
        # only the former customer's 3000, 400 days ago: one customer, all of it
        self.assertEqual(
            (report.customer_count, report.revenue, report.top_1_share, report.gini),
            (1, 3000, 100, 0),
        )

    def test_default_window_finds_the_revenue_the_pyramid_ranked(self):
        self._recompute()
        ranked = self.env["customer.pyramid.snapshot"].search(
            [
                ("company_id", "=", self.company.id),
                ("level", "in", ("top", "big", "medium", "small")),
            ]
        )
        self.assertEqual(sum(ranked.mapped("revenue")), self.report.revenue)

    def test_end_before_start_is_refused(self):
        today = fields.Date.today()
        with self.assertRaisesRegex(ValidationError, "From .* must not be after To"):
            with self.env.cr.savepoint():
                self.env["customer.pyramid.concentration"].create(
                    {
                        "company_id": self.company.id,
                        "date_from": today,
                        "date_to": today - timedelta(days=1),
                    }
                )
