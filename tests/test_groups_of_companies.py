from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import CustomerPyramidCase


class GroupsOfCompaniesCase(CustomerPyramidCase):
    """Nine customers ranked alone (1000, 900, ..., 200) and a group of
    three companies: Holding (50), its subsidiary Sub A (300) and Sub A's
    subsidiary Sub B (150, and 150 more through its buyer, a contact).

    With shares of 10 / 20 / 30 / 40 % and groups of companies on, the ten
    accounts split 1 top (1000), 2 big (900, 800), 3 medium (700, the
    group's 650, 600) and 4 small (500 to 200): the cut-offs are 1000,
    800, 600 and 200.
    """

    group_companies = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "customer_pyramid_group_companies": cls.group_companies,
                "customer_pyramid_top_share": 10,
                "customer_pyramid_big_share": 20,
                "customer_pyramid_medium_share": 30,
                "customer_pyramid_small_share": 40,
            }
        )
        cls.alone = cls._partners(9)
        cls.holding = cls._partners(1, prefix="Holding")
        cls.sub_a = cls._subsidiary("Sub A", cls.holding)
        cls.sub_b = cls._subsidiary("Sub B", cls.sub_a)
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Buyer of Sub B", "parent_id": cls.sub_b.id}
        )
        cls._end_transaction()
        cls._bulk_orders(
            [(partner, 1000 - index * 100) for index, partner in enumerate(cls.alone)]
            + [(cls.holding, 50), (cls.sub_a, 300), (cls.sub_b, 150), (cls.buyer, 150)]
        )
        cls.engine.recompute_companies(cls.company)

    @classmethod
    def _subsidiary(cls, name, parent):
        subsidiary = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "parent_id": parent.id,
                "company_id": cls.company.id,
            }
        )
        cls._end_transaction()
        return subsidiary

    def _standing(self, partner):
        partner.invalidate_recordset()
        partner = partner.with_company(self.company)
        return (partner.customer_pyramid_level, partner.customer_pyramid_revenue)


@tagged("post_install", "-at_install")
class TestGroupsOfCompanies(GroupsOfCompaniesCase):
    def test_group_is_ranked_with_its_subsidiaries_revenue(self):
        self.assertEqual(self._standing(self.holding), ("medium", 650))
        self.assertEqual(
            [self._standing(partner) for partner in self.alone[3:6]],
            [("medium", 700), ("medium", 600), ("small", 500)],
        )

    def test_subsidiaries_are_not_ranked_on_their_own(self):
        self.assertEqual(self._standing(self.sub_a), (False, 0))
        self.assertEqual(self._standing(self.sub_b), (False, 0))

    def test_subsidiaries_and_their_contacts_show_the_group_level(self):
        for partner in self.sub_a | self.sub_b | self.buyer:
            partner = partner.with_company(self.company)
            self.assertEqual(partner.customer_pyramid_account_id, self.holding)
            self.assertEqual(partner.customer_pyramid_account_level, "medium")
            self.assertTrue(partner.customer_pyramid_ranked_as_other)
        self.assertFalse(
            self.holding.with_company(self.company).customer_pyramid_ranked_as_other
        )

    def test_order_of_a_subsidiary_moves_the_group(self):
        self._order(self.sub_b, 400)
        self.assertEqual(self._standing(self.holding), ("top", 1050))

    def test_subsidiary_moved_out_of_the_group_takes_its_own_subsidiaries(self):
        self.sub_a.parent_id = False
        self._end_transaction()
        self.assertEqual(self.sub_b.customer_pyramid_group_id, self.sub_a)
        self.assertEqual(self._standing(self.holding), ("small", 50))
        self.assertEqual(self._standing(self.sub_a), ("medium", 600))

    def test_company_moved_into_the_group_adds_its_revenue(self):
        newcomer = self.alone[8]  # 200, small
        newcomer.parent_id = self.holding
        self._end_transaction()
        self.assertEqual(self._standing(self.holding), ("big", 850))
        self.assertEqual(self._standing(newcomer), (False, 0))

    def test_group_history_says_it_was_ranked_as_a_group(self):
        self._order(self.sub_a, 400)
        history = self.env["customer.pyramid.history"].search(
            [
                ("partner_id", "=", self.holding.id),
                ("company_id", "=", self.company.id),
                ("cause", "=", "order"),
            ]
        )
        self.assertEqual(
            history.mapped(lambda row: (row.new_level, row.group_of_companies)),
            [("top", True)],
        )
        notes = self.holding.message_ids.filtered(
            lambda message: "Ranked as a group of companies" in (message.body or "")
        )
        # the first placement as a group (prospect to medium), then the order
        self.assertEqual(len(notes), 2)

    def test_run_records_that_it_ranked_groups(self):
        self.assertIn(
            "groups of companies as one", self.company.customer_pyramid_last_settings
        )
        snapshot = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.assertIn("groups of companies as one", snapshot.settings)

    def test_full_run_sums_what_the_events_summed(self):
        self._order(self.sub_b, 400)
        self.sub_a.parent_id = False
        self._end_transaction()
        accounts = self.alone | self.holding | self.sub_a | self.sub_b
        after_events = [self._standing(partner)[1] for partner in accounts]
        self._recompute()
        self.assertEqual(
            [self._standing(partner)[1] for partner in accounts], after_events
        )
        self.assertEqual(self._standing(self.sub_a)[1], 1000)

    def test_group_column_filled_in_sql_as_the_orm_computes_it(self):
        partners = self.env["res.partner"].with_context(active_test=False)
        computed = {p.id: p.customer_pyramid_group_id.id for p in partners.search([])}
        self.env.cr.execute(
            SQL("UPDATE res_partner SET customer_pyramid_group_id = NULL")
        )
        partners._customer_pyramid_fill_groups()
        partners.invalidate_model(["customer_pyramid_group_id"])
        self.assertEqual(
            {p.id: p.customer_pyramid_group_id.id for p in partners.search([])},
            computed,
        )
        self.assertEqual(computed[self.buyer.id], self.holding.id)


@tagged("post_install", "-at_install")
class TestGroupsOfCompaniesOff(GroupsOfCompaniesCase):
    """The same partners in a company that ranks each company alone: the
    default. Twelve active customers, Holding the smallest."""

    group_companies = False

    def test_groups_of_companies_are_off_by_default(self):
        company = self.env["res.company"].create({"name": "Another company"})
        self.assertFalse(company.customer_pyramid_group_companies)

    def test_each_company_of_a_group_is_ranked_alone(self):
        self.assertEqual(self._standing(self.holding), ("small", 50))
        self.assertEqual(self._standing(self.sub_a)[1], 300)
        self.assertEqual(self._standing(self.sub_b)[1], 300)
        self.assertEqual(
            self.buyer.with_company(self.company).customer_pyramid_account_id,
            self.sub_b,
        )

    def test_preview_shows_the_effect_of_turning_groups_on(self):
        settings = Form(self.env["res.config.settings"])
        settings.customer_pyramid_group_companies = True
        action = settings.save().action_customer_pyramid_preview()
        preview = self.env["customer.pyramid.preview"].browse(action["res_id"])
        moves = {
            move.partner_id: (move.old_level, move.new_level, move.revenue)
            for move in preview.move_ids
        }
        self.assertEqual(moves[self.holding], ("small", "medium", 650))
        self.assertEqual(moves[self.sub_a][1:], (False, 0))
        self.assertEqual(moves[self.sub_b][1:], (False, 0))
        counts = {
            line.level: (line.current_count, line.new_count)
            for line in preview.level_ids
            if line.current_count or line.new_count
        }
        self.assertEqual(sum(today for today, _new in counts.values()), 12)
        self.assertEqual(
            {level: new for level, (_today, new) in counts.items() if new},
            {"top": 1, "big": 2, "medium": 3, "small": 4},
        )
        self.assertIn("groups of companies as one", preview.new_settings)
        self.assertFalse(self.company.customer_pyramid_group_companies)
