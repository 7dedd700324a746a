from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPyramidEvents(CustomerPyramidCase):
    """Orders, pins and marks update the partner at once and leave a trace."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Sally Seller",
                "login": "sally.pyramid",
                "company_id": cls.company.id,
                "company_ids": [cls.company.id],
                "groups_id": [(4, cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        cls.customers = cls._partners(100, user_id=cls.salesperson.id)
        for index, partner in enumerate(cls.customers):
            cls._order(partner, 10000 - index * 50)
        cls.env["customer.pyramid.engine"].recompute_companies(cls.company)
        cls.prospect = cls._partners(1, prefix="Prospect")
        cls._order(cls.prospect, 10, confirm=False)

    def test_confirmed_order_makes_a_prospect_active_without_the_cron(self):
        self.assertEqual(self._level(self.prospect), "prospect")
        self.prospect.sale_order_ids.action_confirm()
        self._end_transaction()
        self.assertEqual(self._level(self.prospect), "small")

    def test_confirmed_order_places_the_partner_against_current_cut_offs(self):
        # the top cut-off is the revenue of the first customer: 10000
        self._order(self.prospect, 20000)
        self.assertEqual(self._level(self.prospect), "top")

    def test_cancelled_order_no_longer_counts(self):
        customer = self.customers[-1]
        customer.sale_order_ids._action_cancel()
        customer.invalidate_recordset()
        self.assertEqual(
            customer.with_company(self.company).customer_pyramid_revenue, 0
        )
        # never bought and nothing open: a suspect again
        self.assertEqual(self._level(customer), "suspect")

    def test_new_partner_enters_the_pyramid_without_a_history_row(self):
        newcomer = self._partners(1, prefix="Newcomer").with_company(self.company)
        self.assertEqual(newcomer.customer_pyramid_level, "suspect")
        self.assertTrue(newcomer.customer_pyramid_entered_on)
        self.assertEqual(newcomer.customer_pyramid_history_count, 0)

    def test_new_company_gets_no_level_in_the_current_company(self):
        branch = self.env["res.company"].create({"name": "Our New Branch"})
        self._end_transaction()
        self.assertFalse(
            self.env["customer.pyramid.standing"].search(
                [("partner_id", "=", branch.partner_id.id)]
            )
        )

    def test_relationship_chosen_before_the_first_placement_is_no_change(self):
        newcomer = (
            self.env["res.partner"]
            .with_context(customer_pyramid_skip_events=True)
            .create({"name": "Early bird", "company_id": self.company.id})
            .with_company(self.company)
        )
        newcomer.customer_relationship_type = "community"
        self._recompute()
        self.assertEqual(
            (
                newcomer.customer_pyramid_level,
                newcomer.customer_relationship_type,
                newcomer.customer_pyramid_history_count,
                bool(newcomer.customer_pyramid_entered_on),
            ),
            ("suspect", "community", 0, True),
        )

    def test_entering_date_stays_when_the_level_changes(self):
        prospect = self.prospect.with_company(self.company)
        entered_on = fields.Datetime.now() - timedelta(days=90)
        self.env["customer.pyramid.standing"].search(
            [("partner_id", "=", prospect.id), ("company_id", "=", self.company.id)]
        ).entered_on = entered_on
        prospect.sale_order_ids.action_confirm()
        self._end_transaction()
        self.assertEqual(prospect.customer_pyramid_level, "small")
        self.assertEqual(prospect.customer_pyramid_entered_on, entered_on)

    def test_level_change_writes_a_history_row_with_its_cause(self):
        self.prospect.sale_order_ids.action_confirm()
        self._end_transaction()
        history = self.env["customer.pyramid.history"].search(
            [("partner_id", "=", self.prospect.id)], limit=1
        )
        self.assertRecordValues(
            history,
            [
                {
                    "old_level": "prospect",
                    "new_level": "small",
                    "cause": "order",
                    "company_id": self.company.id,
                }
            ],
        )

    def test_level_change_posts_a_tracked_chatter_note(self):
        self.prospect.sale_order_ids.action_confirm()
        self._end_transaction()
        messages = self.prospect.message_ids.filtered(
            lambda m: m.tracking_value_ids.field_id.name == "customer_pyramid_level"
        )
        # suspect -> prospect (quotation), then prospect -> small (order)
        self.assertEqual(len(messages), 2)
        message = messages[0]
        self.assertEqual(message.tracking_value_ids.old_value_char, "Prospect")
        self.assertEqual(message.tracking_value_ids.new_value_char, "Small")

    def test_drop_to_inactive_schedules_a_retention_activity(self):
        customer = self.customers[0]
        customer.sale_order_ids.date_order = fields.Datetime.now() - timedelta(days=400)
        self._recompute()
        self.assertEqual(self._level(customer), "inactive")
        activity = customer.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("customer_pyramid.mail_activity_type_retention")
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("Top", activity.summary)

    def test_drop_between_ranked_levels_schedules_a_retention_activity(self):
        customer = self.customers[0]  # top, 10000
        customer.sale_order_ids.order_line.price_unit = 1
        self.env["sale.order"].flush_model()
        self._recompute()
        self.assertEqual(self._level(customer), "small")
        self.assertEqual(len(customer.activity_ids), 1)

    def test_no_retention_activity_when_the_rule_is_off(self):
        self.company.customer_pyramid_retention_activity = False
        customer = self.customers[0]
        customer.sale_order_ids.date_order = fields.Datetime.now() - timedelta(days=400)
        self._recompute()
        self.assertEqual(self._level(customer), "inactive")
        self.assertFalse(customer.activity_ids)

    def test_move_up_schedules_no_retention_activity(self):
        customer = self.customers[-1]
        self._order(customer, 50000)
        self.assertEqual(self._level(customer), "top")
        self.assertFalse(customer.activity_ids)

    def test_pinned_level_survives_orders_and_recomputes(self):
        customer = self.customers[-1].with_company(self.company)
        customer.write(
            {
                "customer_pyramid_pinned_level": "top",
                "customer_pyramid_pin_reason": "Key account",
            }
        )
        self.assertEqual(self._level(customer), "top")
        self._recompute()
        self._order(customer, 1)
        self.assertEqual(self._level(customer), "top")
        customer.invalidate_recordset()
        self.assertEqual(customer.customer_pyramid_computed_level, "small")

    def test_unpinning_gives_back_the_computed_level(self):
        customer = self.customers[-1].with_company(self.company)
        customer.write(
            {
                "customer_pyramid_pinned_level": "top",
                "customer_pyramid_pin_reason": "Key account",
            }
        )
        customer.customer_pyramid_pinned_level = False
        self.assertEqual(self._level(customer), "small")
        history = self.env["customer.pyramid.history"].search(
            [("partner_id", "=", customer.id)], limit=2
        )
        self.assertEqual(history.mapped("cause"), ["unpin", "pin"])
