from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPyramidRanking(CustomerPyramidCase):
    """Active customers ranked by revenue into top, big, medium and small."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.thousand = cls._partners(1000)
        # distinct revenues, highest for the first partner
        cls._bulk_orders(
            [
                (partner, 100000 - index * 10)
                for index, partner in enumerate(cls.thousand)
            ]
        )

    def test_thousand_active_customers_split_10_40_150_800(self):
        self._run_cron()
        counts = self._level_counts(self.thousand)
        self.assertEqual(counts, {"top": 10, "big": 40, "medium": 150, "small": 800})

    def test_history_groups_levels_from_the_top(self):
        self._recompute()
        groups = self.env["customer.pyramid.history"].read_group(
            [("partner_id", "in", self.thousand.ids)], ["new_level"], ["new_level"]
        )
        # new partners entered as suspects (no history row for entering),
        # then the ranking moved them
        self.assertEqual(
            [group["new_level"] for group in groups],
            ["top", "big", "medium", "small"],
        )

    def test_highest_revenues_are_top(self):
        self._recompute()
        self.assertEqual(set(self._levels(self.thousand[:10])), {"top"})
        self.assertEqual(self._levels(self.thousand[10:11]), ["big"])
        self.assertEqual(self._levels(self.thousand[199:201]), ["medium", "small"])

    def test_partner_shows_why_it_has_its_level(self):
        self._recompute()
        partner = self.thousand[11].with_company(self.company)
        partner.invalidate_recordset()
        self.assertEqual(partner.customer_pyramid_revenue, 99890)
        self.assertEqual(partner.customer_pyramid_rank, 12)
        self.assertEqual(partner.customer_pyramid_percentile, 1.2)
        # the big level's cut-off is the 50th customer's revenue
        self.assertEqual(partner.customer_pyramid_cutoff, 100000 - 49 * 10)
        self.assertEqual(partner.customer_pyramid_order_count, 1)
        self.assertEqual(partner.customer_pyramid_lifetime_revenue, 99890)
        self.assertTrue(partner.customer_pyramid_last_order_date)
        self.assertEqual(
            partner.customer_pyramid_first_order_date,
            partner.customer_pyramid_last_order_date,
        )

    def test_snapshot_counts_each_level_of_the_run(self):
        self._recompute()
        snapshots = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id)]
        )
        by_level = {s.level: s for s in snapshots}
        self.assertEqual(by_level["top"].customer_count, 10)
        self.assertEqual(by_level["small"].customer_count, 800)
        self.assertEqual(
            by_level["top"].revenue, sum(100000 - i * 10 for i in range(10))
        )
        self.assertEqual(by_level["top"].cutoff_revenue, 100000 - 9 * 10)
        self.assertEqual(by_level["inactive"].customer_count, 0)

    def test_changed_shares_change_the_split(self):
        self.company.write(
            {
                "customer_pyramid_top_share": 2,
                "customer_pyramid_big_share": 8,
                "customer_pyramid_medium_share": 20,
                "customer_pyramid_small_share": 70,
            }
        )
        self._recompute()
        counts = self._level_counts(self.thousand)
        self.assertEqual(counts, {"top": 20, "big": 80, "medium": 200, "small": 700})


@tagged("post_install", "-at_install")
class TestPyramidSmallCounts(CustomerPyramidCase):
    """Rounding and ties with few customers."""

    def test_seven_customers_give_one_top_one_medium_five_small(self):
        partners = self._partners(7)
        for index, partner in enumerate(partners):
            self._order(partner, 1000 - index * 100)
        self._recompute()
        self.assertEqual(
            self._levels(partners),
            ["top", "medium", "small", "small", "small", "small", "small"],
        )

    def test_tie_at_a_boundary_goes_to_the_higher_level(self):
        partners = self._partners(20)
        # 20 customers: 1 top, 1 big, 3 medium; the 1st and 2nd tie
        amounts = [500, 500] + [400 - index for index in range(18)]
        for partner, amount in zip(partners, amounts, strict=True):
            self._order(partner, amount)
        self._recompute()
        levels = self._levels(partners)
        self.assertEqual(levels[:2], ["top", "top"])
        self.assertEqual(levels[2:4], ["medium", "medium"])
        self.assertEqual(levels.count("small"), 16)

    def test_percentile_rounds_half_up(self):
        partners = self._partners(32)
        self._bulk_orders(
            [(partner, 1000 - index) for index, partner in enumerate(partners)]
        )
        self._recompute()
        first = partners[0].with_company(self.company)
        first.invalidate_recordset()
        # 100 x 1 / 32 = 3.125; rounding half to even would give 3.12
        self.assertEqual(first.customer_pyramid_percentile, 3.13)

    def test_ties_are_deterministic_between_runs(self):
        partners = self._partners(20)
        for partner in partners:
            self._order(partner, 300)
        self._recompute()
        first = self._levels(partners)
        self._recompute()
        self.assertEqual(self._levels(partners), first)
        self.assertEqual(set(first), {"top"})


@tagged("post_install", "-at_install")
class TestPyramidLevelsWithoutRevenue(CustomerPyramidCase):
    """Inactive, prospect, suspect and rest of the world."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer, cls.former, cls.quoted, cls.courted, cls.unknown = cls._partners(5)
        cls._order(cls.buyer, 100)
        cls._order(cls.former, 100, days_ago=400)
        cls._order(cls.quoted, 100, confirm=False)
        cls.env["crm.lead"].create(
            {
                "name": "Deal",
                "type": "opportunity",
                "partner_id": cls.courted.id,
                "company_id": cls.company.id,
            }
        )

    def test_buyer_outside_the_window_is_inactive(self):
        self._recompute()
        self.assertEqual(self._level(self.former), "inactive")

    def test_quotation_makes_a_prospect(self):
        self._recompute()
        self.assertEqual(self._level(self.quoted), "prospect")

    def test_open_opportunity_makes_a_prospect(self):
        self._recompute()
        self.assertEqual(self._level(self.courted), "prospect")

    def test_lost_opportunity_leaves_a_suspect(self):
        self.env["crm.lead"].search(
            [("partner_id", "=", self.courted.id)]
        ).action_set_lost()
        self._recompute()
        self.assertEqual(self._level(self.courted), "suspect")

    def test_partner_without_relationship_is_a_suspect(self):
        self._recompute()
        self.assertEqual(self._level(self.unknown), "suspect")

    def test_marked_prospect_without_orders_is_a_prospect(self):
        self.unknown.with_company(self.company).customer_pyramid_mark = "prospect"
        self.assertEqual(self._level(self.unknown), "prospect")

    def test_rest_of_the_world_is_never_overwritten_by_orders(self):
        self.buyer.with_company(self.company).customer_pyramid_mark = "rest"
        self._order(self.buyer, 5000)
        self._recompute()
        self.assertEqual(self._level(self.buyer), "rest")

    def test_rest_of_the_world_is_left_out_of_the_ranking(self):
        self.buyer.with_company(self.company).customer_pyramid_mark = "rest"
        self._recompute()
        self.buyer.invalidate_recordset()
        self.assertFalse(self.buyer.with_company(self.company).customer_pyramid_rank)

    def test_quotation_never_counts_as_revenue(self):
        self._recompute()
        self.quoted.invalidate_recordset()
        self.assertEqual(
            self.quoted.with_company(self.company).customer_pyramid_revenue, 0
        )

    def test_contact_shows_its_company_level(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer's contact", "parent_id": self.buyer.id}
        )
        self._recompute()
        contact.invalidate_recordset()
        self.assertEqual(
            contact.with_company(self.company).customer_pyramid_account_level, "top"
        )

    def test_order_of_a_contact_counts_for_its_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Former's contact", "parent_id": self.former.id}
        )
        self._order(contact, 50)
        self.assertEqual(self._level(self.former), "small")
        self.assertEqual(
            self.former.with_company(self.company).customer_pyramid_revenue, 50
        )
        self.assertFalse(contact.with_company(self.company).customer_pyramid_level)


@tagged("post_install", "-at_install")
class TestPyramidWindowAndAmounts(CustomerPyramidCase):
    """The active window's edges, currencies and the revenue basis."""

    def test_order_on_the_first_day_of_the_window_counts(self):
        partner = self._partners(1)
        order = self._order(partner, 100)
        # 12 months back from today, at midnight: the window's first instant
        order.date_order = self._window_start()
        self._recompute()
        self.assertEqual(self._level(partner), "top")

    def test_order_the_day_before_the_window_does_not_count(self):
        partner = self._partners(1)
        order = self._order(partner, 100)
        order.date_order = self._window_start() - timedelta(seconds=1)
        self._recompute()
        self.assertEqual(self._level(partner), "inactive")

    def test_shorter_window_makes_an_old_buyer_inactive(self):
        partner = self._partners(1)
        self._order(partner, 100, days_ago=100)
        self.company.customer_pyramid_window_months = 3
        self._recompute()
        self.assertEqual(self._level(partner), "inactive")

    def test_foreign_currency_order_converts_at_the_order_rate(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": eur.id, "rate": 2.0, "company_id": self.company.id}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": eur.id, "company_id": self.company.id}
        )
        partner = self._partners(1)
        self._order(partner, 300, pricelist_id=pricelist.id)
        self._recompute()
        partner.invalidate_recordset()
        self.assertEqual(
            partner.with_company(self.company).customer_pyramid_revenue, 150
        )

    def test_total_basis_counts_taxes(self):
        tax_group = self.env["account.tax.group"].create(
            {"name": "VAT", "company_id": self.company.id}
        )
        tax = self.env["account.tax"].create(
            {
                "name": "10%",
                "amount": 10,
                "company_id": self.company.id,
                "tax_group_id": tax_group.id,
                "country_id": self.env.ref("base.us").id,
            }
        )
        partner = self._partners(1)
        order = self._order(partner, 200, confirm=False)
        order.order_line.tax_id = [Command.set(tax.ids)]
        order.action_confirm()
        self._end_transaction()
        self._recompute()
        partner.invalidate_recordset()
        self.assertEqual(
            partner.with_company(self.company).customer_pyramid_revenue, 200
        )
        self.company.customer_pyramid_amount_basis = "total"
        self._recompute()
        partner.invalidate_recordset()
        self.assertEqual(
            partner.with_company(self.company).customer_pyramid_revenue, 220
        )

    def test_revenue_adds_up_every_order_in_the_window(self):
        partner = self._partners(1)
        self._order(partner, 100)
        self._order(partner, 250, days_ago=30)
        self._order(partner, 999, days_ago=500)
        self._recompute()
        partner = partner.with_company(self.company)
        partner.invalidate_recordset()
        self.assertEqual(partner.customer_pyramid_revenue, 350)
        self.assertEqual(partner.customer_pyramid_lifetime_revenue, 1349)
        self.assertEqual(partner.customer_pyramid_order_count, 3)

    def _window_start(self):
        today = fields.Date.context_today(self.engine)
        start = today - relativedelta(
            months=self.company.customer_pyramid_window_months
        )
        return fields.Datetime.to_datetime(start)
