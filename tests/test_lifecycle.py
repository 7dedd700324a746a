from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestLifecycleMoves(CustomerPyramidCase):
    """Automatic moves go forward on events; users may move cards back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = {
            rule: cls.env.ref(f"customer_pyramid.customer_lifecycle_stage_{rule}")
            for rule in (
                "awareness",
                "consideration",
                "conversion",
                "loyalty",
                "advocacy",
            )
        }

    def _stage(self, partner):
        partner.invalidate_recordset()
        return partner.with_company(self.company).customer_lifecycle_stage_id

    def test_new_customer_enters_awareness(self):
        partner = self._partners(1)
        self.assertEqual(self._stage(partner), self.stage["awareness"])

    def test_new_vendor_stays_out_of_the_board(self):
        vendor = self._partners(1, prefix="Vendor", supplier_rank=1)
        self.assertFalse(self._stage(vendor))

    def test_new_employee_stays_out_of_the_board(self):
        employee = self.env["res.users"].create(
            {
                "name": "Employee",
                "login": "pyramid.employee",
                "company_id": self.company.id,
                "company_ids": [self.company.id],
            }
        )
        self.assertFalse(self._stage(employee.partner_id))

    def test_new_company_stays_out_of_the_board(self):
        company = self.env["res.company"].create({"name": "Our New Branch"})
        self.assertFalse(self._stage(company.partner_id))

    def test_relationship_type_and_goal_group_the_board(self):
        first, second, third = self._partners(3).with_company(self.company)
        (first | second).customer_relationship_type = "dedicated"
        third.customer_relationship_type = "automated"
        first.customer_relationship_goal = "retain"
        groups = self.env["res.partner"]._read_group(
            [("id", "in", (first | second | third).ids)],
            ["customer_relationship_type"],
            ["__count"],
        )
        self.assertEqual(dict(groups), {"automated": 1, "dedicated": 2})
        retained = self.env["res.partner"].search(
            [("customer_relationship_goal", "=", "retain")]
        )
        self.assertEqual(retained, first)

    def test_new_contact_of_a_company_stays_out_of_the_board(self):
        company = self._partners(1)
        contact = self.env["res.partner"].create(
            {"name": "Jo", "parent_id": company.id}
        )
        self.assertFalse(self._stage(contact))

    def test_new_lead_makes_its_partner_aware(self):
        partner = self._partners(1)
        partner.with_company(self.company).customer_lifecycle_stage_id = False
        self.env["crm.lead"].create(
            {"name": "Lead", "type": "lead", "partner_id": partner.id}
        )
        self._end_transaction()
        self.assertEqual(self._stage(partner), self.stage["awareness"])

    def test_opportunity_moves_to_consideration(self):
        partner = self._partners(1)
        self.env["crm.lead"].create(
            {
                "name": "Deal",
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": self.company.id,
            }
        )
        self._end_transaction()
        self.assertEqual(self._stage(partner), self.stage["consideration"])

    def test_lead_converted_to_opportunity_moves_to_consideration(self):
        partner = self._partners(1)
        lead = self.env["crm.lead"].create(
            {"name": "Lead", "type": "lead", "partner_id": partner.id}
        )
        lead.type = "opportunity"
        self._end_transaction()
        self.assertEqual(self._stage(partner), self.stage["consideration"])

    def test_quotation_moves_to_consideration(self):
        partner = self._partners(1)
        self._order(partner, 10, confirm=False)
        self.assertEqual(self._stage(partner), self.stage["consideration"])

    def test_first_confirmed_order_moves_to_conversion(self):
        partner = self._partners(1)
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["conversion"])

    def test_third_order_within_twelve_months_moves_to_loyalty(self):
        partner = self._partners(1)
        self._order(partner, 10)
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["conversion"])
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["loyalty"])

    def test_orders_older_than_the_loyalty_period_do_not_count(self):
        partner = self._partners(1)
        self._order(partner, 10, days_ago=400)
        self._order(partner, 10, days_ago=400)
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["conversion"])

    def test_loyalty_order_count_is_a_setting(self):
        self.company.customer_lifecycle_loyalty_orders = 2
        partner = self._partners(1)
        self._order(partner, 10)
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["loyalty"])

    def test_referrer_becomes_an_advocate_when_the_referral_converts(self):
        referrer = self._partners(1, prefix="Referrer")
        referral = self._partners(
            1, prefix="Referral", customer_referred_by_id=referrer.id
        )
        self._order(referral, 10, confirm=False)
        self.assertEqual(self._stage(referrer), self.stage["awareness"])
        referral.sale_order_ids.action_confirm()
        self._end_transaction()
        self.assertEqual(self._stage(referrer), self.stage["advocacy"])

    def test_referral_on_a_lead_is_copied_to_the_partner(self):
        referrer = self._partners(1, prefix="Referrer")
        referral = self._partners(1, prefix="Referral")
        self.env["crm.lead"].create(
            {
                "name": "Referred deal",
                "type": "opportunity",
                "partner_id": referral.id,
                "customer_referred_by_id": referrer.id,
            }
        )
        self.assertEqual(referral.customer_referred_by_id, referrer)

    def test_promoter_mark_moves_to_advocacy(self):
        partner = self._partners(1)
        partner.with_company(self.company).customer_lifecycle_promoter = True
        self.assertEqual(self._stage(partner), self.stage["advocacy"])

    def test_automatic_moves_never_go_backwards(self):
        partner = self._partners(1)
        partner.with_company(self.company).customer_lifecycle_promoter = True
        self._order(partner, 10, confirm=False)
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["advocacy"])

    def test_user_may_move_a_card_backwards_and_it_is_recorded(self):
        partner = self._partners(1)
        self._order(partner, 10)
        partner.with_company(self.company).customer_lifecycle_stage_id = self.stage[
            "awareness"
        ]
        self.assertEqual(self._stage(partner), self.stage["awareness"])
        history = self.env["customer.lifecycle.history"].search(
            [("partner_id", "=", partner.id)], limit=1
        )
        self.assertRecordValues(
            history,
            [
                {
                    "cause": "manual",
                    "from_stage_id": self.stage["conversion"].id,
                    "to_stage_id": self.stage["awareness"].id,
                    "user_id": self.env.uid,
                }
            ],
        )

    def test_every_move_is_in_the_stage_history(self):
        partner = self._partners(1)
        self._order(partner, 10, confirm=False)
        partner.sale_order_ids.action_confirm()
        self._end_transaction()
        history = self.env["customer.lifecycle.history"].search(
            [("partner_id", "=", partner.id)], order="id"
        )
        self.assertEqual(
            history.mapped("cause"), ["awareness", "consideration", "conversion"]
        )
        self.assertEqual(history[1:].from_stage_id, history[:2].to_stage_id)

    def test_move_sets_the_entered_stage_date(self):
        partner = self._partners(1).with_company(self.company)
        self.assertTrue(partner.customer_lifecycle_stage_date)
        self.assertEqual(partner.customer_lifecycle_days_in_stage, 0)

    def test_move_posts_a_chatter_note(self):
        partner = self._partners(1)
        self._order(partner, 10)
        self.assertTrue(
            partner.message_ids.filtered(lambda m: "Conversion" in (m.body or ""))
        )

    def test_each_rule_can_be_turned_off(self):
        self.company.write(
            {
                "customer_lifecycle_auto_awareness": False,
                "customer_lifecycle_auto_consideration": False,
                "customer_lifecycle_auto_conversion": False,
                "customer_lifecycle_auto_loyalty": False,
                "customer_lifecycle_auto_advocacy": False,
            }
        )
        partner = self._partners(1)
        self.assertFalse(self._stage(partner))
        self._order(partner, 10, confirm=False)
        self.assertFalse(self._stage(partner))
        for _index in range(3):
            self._order(partner, 10)
        partner.with_company(self.company).customer_lifecycle_promoter = True
        self.assertFalse(self._stage(partner))

    def test_conversion_off_still_allows_loyalty(self):
        self.company.customer_lifecycle_auto_conversion = False
        partner = self._partners(1)
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["consideration"])
        self._order(partner, 10)
        self._order(partner, 10)
        self.assertEqual(self._stage(partner), self.stage["loyalty"])

    def test_board_shows_every_stage_even_when_empty(self):
        groups = self.env["res.partner"].web_read_group(
            [("id", "=", 0)],
            ["customer_lifecycle_stage_id"],
            ["customer_lifecycle_stage_id"],
        )["groups"]
        self.assertEqual(
            [g["customer_lifecycle_stage_id"][0] for g in groups],
            [self.stage[rule].id for rule in self.stage],
        )

    def test_pyramid_board_shows_every_level(self):
        groups = self.env["res.partner"].web_read_group(
            [("id", "=", 0)], ["customer_pyramid_level"], ["customer_pyramid_level"]
        )["groups"]
        self.assertEqual(
            [g["customer_pyramid_level"] for g in groups],
            [
                "top",
                "big",
                "medium",
                "small",
                "inactive",
                "prospect",
                "suspect",
                "rest",
            ],
        )

    def test_stages_on_a_database_with_orders_start_from_its_history(self):
        partner = self._partners(1)
        for _index in range(3):
            self._order(partner, 10)
        partner.with_company(self.company).with_context(
            customer_lifecycle_automatic=True
        ).customer_lifecycle_stage_id = False
        self.env["customer.lifecycle.engine"].initialize(self.company)
        self.assertEqual(self._stage(partner), self.stage["loyalty"])
        first = self.env["customer.lifecycle.history"].search(
            [("partner_id", "=", partner.id)], limit=1
        )
        self.assertRecordValues(
            first, [{"cause": "install", "to_stage_id": self.stage["loyalty"].id}]
        )

    def test_install_places_referrers_of_buyers_in_advocacy_and_no_one_else(self):
        referrer, quoted_referrer, bystander = self._partners(3, prefix="Referrer")
        buyer = self._partners(1, prefix="Buyer", customer_referred_by_id=referrer.id)
        quoted = self._partners(
            1, prefix="Quoted", customer_referred_by_id=quoted_referrer.id
        )
        self._order(buyer, 10)
        self._order(quoted, 10, confirm=False)
        everyone = referrer | quoted_referrer | bystander | buyer | quoted
        everyone.with_company(self.company).with_context(
            customer_lifecycle_automatic=True
        ).customer_lifecycle_stage_id = False
        self.env["customer.lifecycle.engine"].initialize(self.company)
        self.assertEqual(
            [self._stage(partner) for partner in everyone],
            [
                self.stage["advocacy"],
                self.stage["awareness"],
                self.stage["awareness"],
                self.stage["conversion"],
                self.stage["consideration"],
            ],
        )
