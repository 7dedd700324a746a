import contextlib

from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestStandingFields(CustomerPyramidCase):
    """The standing row of each company reads like partner fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hundred = cls._ranked_hundred()
        cls.newcomer = cls._partners(1, prefix="Newcomer")
        cls.other_company = cls.env["res.company"].create({"name": "Other company"})
        cls.env.user.company_ids |= cls.other_company

    def _partners_in(self, domain, company=None):
        company = company or self.company
        return (
            self.env["res.partner"]
            .with_company(company)
            .search([("id", "in", (self.hundred | self.newcomer).ids), *domain])
        )

    def test_search_by_level_finds_the_ranked_partners(self):
        self.assertEqual(
            self._partners_in([("customer_pyramid_level", "in", ("top", "big"))]),
            self.hundred[:5],
        )

    def test_search_for_an_unset_fact_includes_partners_without_a_row(self):
        # the newcomer has a row (suspect) but no revenue; in another company
        # nobody has a row, and everyone's level is unset
        self.assertEqual(
            self._partners_in([("customer_pyramid_revenue", "=", 0)]), self.newcomer
        )
        self.assertEqual(
            len(
                self._partners_in(
                    [("customer_pyramid_level", "=", False)], self.other_company
                )
            ),
            101,
        )

    def test_group_by_level_counts_each_level_with_its_revenue(self):
        groups = (
            self.env["res.partner"]
            .with_company(self.company)
            ._read_group(
                [("id", "in", (self.hundred | self.newcomer).ids)],
                ["customer_pyramid_level"],
                ["__count", "customer_pyramid_revenue:sum"],
            )
        )
        self.assertEqual(
            groups,
            [
                ("top", 1, 1000.0),
                ("big", 4, 3900.0),
                ("medium", 15, 13200.0),
                ("small", 80, 32400.0),
                ("suspect", 1, 0.0),
            ],
        )

    def test_sort_by_revenue_puts_the_biggest_customer_first(self):
        partners = (
            self.env["res.partner"]
            .with_company(self.company)
            .search(
                [("id", "in", self.hundred.ids)],
                order="customer_pyramid_revenue desc",
                limit=3,
            )
        )
        self.assertEqual(partners, self.hundred[:3])

    def test_each_company_sees_its_own_row(self):
        partner = self.hundred[0]
        self.assertEqual(
            partner.with_company(self.company).customer_pyramid_level, "top"
        )
        self.assertFalse(
            partner.with_company(self.other_company).customer_pyramid_level
        )

    def test_fields_are_offered_to_filter_group_and_sort(self):
        level = self.env["res.partner"].fields_get(
            ["customer_pyramid_level"], ["searchable", "groupable", "sortable"]
        )["customer_pyramid_level"]
        self.assertEqual(
            level, {"searchable": True, "groupable": True, "sortable": True}
        )


@tagged("post_install", "-at_install")
class TestQueuedOrderEvents(CustomerPyramidCase):
    """Order events are applied when the call that caused them returns:
    a batch of confirmations in one pass, seen by the rest of the
    transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hundred = cls._ranked_hundred()
        cls.buyers = cls._partners(3, prefix="Buyer")
        cls.quotations = cls.env["sale.order"]
        for buyer in cls.buyers:
            # between the medium (810) and the big (960) cut-offs
            cls.quotations |= cls._order(buyer, 900, confirm=False)

    def _confirmed_history_count(self, partners):
        # SQL: an ORM search would flush, and a flush may read a level
        self.env.cr.execute(
            "SELECT count(*) FROM customer_pyramid_history"
            " WHERE partner_id = ANY(%s) AND cause = 'order' AND new_level = 'medium'",
            [partners.ids],
        )
        return self.env.cr.fetchone()[0]

    def test_batch_confirmation_is_applied_when_the_call_returns(self):
        self.quotations.action_confirm()
        self.assertEqual(self._confirmed_history_count(self.buyers), 3)

    def test_level_read_after_a_confirmation_is_the_new_one(self):
        self.quotations.action_confirm()
        self.assertEqual(self._levels(self.buyers), ["medium"] * 3)

    def test_search_by_level_after_a_confirmation_finds_the_new_one(self):
        self.quotations.action_confirm()
        found = (
            self.env["res.partner"]
            .with_company(self.company)
            .search(
                [
                    ("id", "in", self.buyers.ids),
                    ("customer_pyramid_level", "=", "medium"),
                ]
            )
        )
        self.assertEqual(found, self.buyers)

    def test_queued_events_of_a_rolled_back_savepoint_are_ignored(self):
        with contextlib.suppress(ValueError), self.env.cr.savepoint():
            company = self.env["res.company"].create({"name": "Short-lived"})
            partner = self._partners(1, prefix="Short-lived")
            self.env["customer.pyramid.event"].queue(company, partner, "order")
            raise ValueError("rolled back")
        self._end_transaction()
        self.assertFalse(
            self.env["customer.pyramid.history"].search(
                [("company_id", "=", company.id)]
            )
        )
