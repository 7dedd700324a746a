from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPerformanceFactors(CustomerPyramidCase):
    """Value, behaviour and satisfaction beside the level.

    The customer bought 100 four months ago, 200 two months ago and 300
    today (in the 12-month window), and 1000 two years ago (outside it).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._partners(1)
        cls.other = cls._partners(1, prefix="Other")
        cls.today = fields.Date.context_today(cls.customer)
        cls._order(cls.customer, 1000, days_ago=730)
        cls._order(cls.customer, 100, days_ago=120)
        cls._order(cls.customer, 200, days_ago=60)
        cls._order(cls.customer, 300)
        cls._order(cls.other, 50, days_ago=200)
        cls.engine.recompute_companies(cls.company)
        cls.partner = cls.customer.with_company(cls.company)

    def _feedback(self, score, partner=None, months_ago=0):
        return self.env["customer.feedback"].create(
            {
                "partner_id": (partner or self.customer).id,
                "score": str(score),
                "date": self.today - relativedelta(months=months_ago),
            }
        )

    def test_value_is_revenue_in_window_and_lifetime(self):
        self.assertEqual(
            (
                self.partner.customer_pyramid_revenue,
                self.partner.customer_pyramid_lifetime_revenue,
            ),
            (600, 1600),
        )

    def test_customer_since_is_the_first_order(self):
        self.assertEqual(
            (self.today - self.partner.customer_pyramid_first_order_date).days, 730
        )

    def test_order_frequency_counts_orders_in_window_per_year(self):
        # 3 orders in a 12-month window
        self.assertEqual(self.partner.customer_pyramid_order_frequency, 3)

    def test_order_frequency_scales_to_a_year_for_a_shorter_window(self):
        # 3-month window: the orders of 60 and 0 days ago, times 4
        self.company.customer_pyramid_window_months = 3
        self._recompute()
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_pyramid_order_frequency, 8)

    def test_days_since_last_order(self):
        other = self.other.with_company(self.company)
        self.assertEqual(
            (
                self.partner.customer_pyramid_days_since_last_order,
                other.customer_pyramid_days_since_last_order,
            ),
            (0, 200),
        )

    def test_days_since_last_order_is_searchable(self):
        found = (
            self.env["res.partner"]
            .with_company(self.company)
            .search(
                [
                    ("id", "in", (self.customer | self.other).ids),
                    ("customer_pyramid_days_since_last_order", ">", 90),
                ]
            )
        )
        self.assertEqual(found, self.other)

    def test_share_of_wallet_from_the_estimated_potential(self):
        # 600 in 12 months against a potential of 2400 a year: 25 %
        self.partner.customer_pyramid_potential = 2400
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_pyramid_wallet_share, 25)

    def test_share_of_wallet_is_empty_without_potential(self):
        self.assertFalse(self.partner.customer_pyramid_wallet_share)

    def test_only_managers_enter_the_potential(self):
        salesman = new_test_user(
            self.env,
            login="factors_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.partner.with_user(salesman).customer_pyramid_potential = 1000

    def test_negative_potential_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.partner.customer_pyramid_potential = -1

    def test_satisfaction_averages_feedback_in_the_window(self):
        self._feedback(5)
        self._feedback(2, months_ago=3)
        # 14 months ago: outside the window, left out
        self._feedback(1, months_ago=14)
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_satisfaction, 3.5)

    def test_satisfaction_follows_a_corrected_score(self):
        feedback = self._feedback(2)
        feedback.score = "4"
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_satisfaction, 4)

    def test_satisfaction_is_empty_after_its_feedback_is_deleted(self):
        self._feedback(4).unlink()
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.customer_satisfaction)

    def test_factors_are_searchable_and_groupable(self):
        self._feedback(2, partner=self.other)
        partners = self.env["res.partner"].with_company(self.company)
        domain = [("id", "in", (self.customer | self.other).ids)]
        groups = partners.read_group(
            domain
            + [("customer_satisfaction", ">", 0), ("customer_satisfaction", "<", 3)],
            ["customer_satisfaction"],
            ["customer_satisfaction"],
        )
        self.assertEqual(
            [
                (g["customer_satisfaction"], g["customer_satisfaction_count"])
                for g in groups
            ],
            [(2.0, 1)],
        )
        by_frequency = partners.read_group(
            domain,
            ["customer_pyramid_order_frequency"],
            ["customer_pyramid_order_frequency"],
        )
        self.assertEqual(
            sorted(g["customer_pyramid_order_frequency"] for g in by_frequency), [1, 3]
        )

    def test_open_complaint_mark_lowers_satisfaction_by_one(self):
        self._feedback(5)
        self._feedback(2)
        self.partner.customer_complaint_open = True
        self.partner.invalidate_recordset()
        # (5 + 2) / 2 = 3.5, one open complaint: 2.5
        self.assertEqual(self.partner.customer_satisfaction, 2.5)

    def test_complaint_without_feedback_counts_from_neutral(self):
        self.partner.customer_complaint_open = True
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_satisfaction, 2)

    def test_satisfaction_recovers_when_the_complaint_activity_is_done(self):
        self._feedback(4)
        activity = self.customer.activity_schedule(
            "customer_pyramid.mail_activity_type_complaint",
            summary="Late delivery",
        )
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_satisfaction, 3)
        activity.action_feedback(feedback="Redelivered")
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_satisfaction, 4)

    def test_quotation_feedback_and_complaint_of_one_prospect_each_count_once(self):
        prospect = self._partners(1, prefix="Prospect")
        self._order(prospect, 80, confirm=False)
        self._feedback(5, partner=prospect)
        self._feedback(2, partner=prospect)
        prospect.activity_schedule(
            "customer_pyramid.mail_activity_type_complaint", summary="No answer"
        )
        self._recompute()
        prospect = prospect.with_company(self.company)
        prospect.invalidate_recordset()
        # the quotation makes a prospect; (5 + 2) / 2 = 3.5, one complaint: 2.5
        self.assertEqual(
            (prospect.customer_pyramid_level, prospect.customer_satisfaction),
            ("prospect", 2.5),
        )

    def test_complaints_do_not_lower_satisfaction_when_not_used(self):
        self.company.customer_complaint_source = "none"
        self._feedback(4)
        self.partner.customer_complaint_open = True
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.customer_satisfaction, 4)
