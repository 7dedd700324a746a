from odoo.tests import TransactionCase, tagged


@tagged("customer_pyramid_demo", "post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """What a new user sees right after installing with demo data.

    Runs only on the demo database (scripts/odoo_suite.py), where the demo
    customers live in the main company.
    """

    def _count(self, level):
        return self.env["res.partner"].search_count(
            [("customer_pyramid_level", "=", level)]
        )

    def test_thousand_demo_customers_split_10_40_150_800(self):
        counts = tuple(
            self._count(level) for level in ("top", "big", "medium", "small")
        )
        self.assertEqual(counts, (10, 40, 150, 800))

    def test_former_customers_are_inactive(self):
        self.assertEqual(self._count("inactive"), 200)

    def test_prospects_and_unfit_partners(self):
        prospects = self.env["res.partner"].search(
            [
                ("name", "like", "Prospect Customer"),
                ("customer_pyramid_level", "=", "prospect"),
            ]
        )
        self.assertEqual(len(prospects), 40)
        self.assertEqual(self._count("rest"), 5)

    def test_revenue_is_long_tailed(self):
        # the main company's run: stock's demo adds a company without orders,
        # whose snapshot of the same run counts no revenue
        main_company = self.env.ref("base.main_company")
        top = self.env["customer.pyramid.snapshot"].search(
            [
                ("company_id", "=", main_company.id),
                ("level", "in", ("top", "big", "medium")),
            ],
            order="run_date desc",
            limit=3,
        )
        everyone = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", main_company.id), ("run_date", "=", top[:1].run_date)]
        )
        share = sum(top.mapped("revenue")) / sum(everyone.mapped("revenue"))
        # the top 20% of customers bring well over half the revenue
        self.assertGreater(share, 0.5)

    def test_referrers_are_advocates(self):
        advocacy = self.env.ref("customer_pyramid.customer_lifecycle_stage_advocacy")
        referrers = self.env["res.partner"].search(
            [("customer_referral_ids", "!=", False)]
        )
        self.assertEqual(len(referrers), 8)
        self.assertEqual(
            set(referrers.mapped("customer_lifecycle_stage_id")), {advocacy}
        )

    def test_surveyed_customers_have_a_satisfaction_score(self):
        # 300 feedbacks on 300 distinct customers; 5 complaints among all
        # actives may add scores for customers who gave no feedback
        scored = self.env["res.partner"].search_count(
            [("customer_satisfaction", ">", 0)]
        )
        self.assertGreaterEqual(scored, 300)
        self.assertLessEqual(scored, 305)

    def test_complaints_and_refused_offers_are_flagged(self):
        partners = self.env["res.partner"].search([("name", "like", " Customer ")])
        self.assertEqual(len(partners.filtered("customer_open_complaint_count")), 5)
        self.assertEqual(len(partners.filtered("customer_do_not_offer")), 4)
