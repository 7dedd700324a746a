from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CustomerPyramidCase


class CustomerCareCase(CustomerPyramidCase):
    """A customer with a contact, a salesperson, a sales manager, a campaign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.customer = cls._partners(1).with_company(cls.company)
        cls.contact = cls.env["res.partner"].create(
            {"name": "Contact of customer", "parent_id": cls.customer.id}
        )
        cls.campaign = cls.env["utm.campaign"].create({"name": "Spring upgrade"})
        cls.salesman = cls._user("care.salesman", "sales_team.group_sale_salesman")
        cls.manager = cls._user("care.manager", "sales_team.group_sale_manager")

    def _refuse(self, days_ago=0, partner=None, user=None, **values):
        refusals = self.env["customer.offer.refusal"]
        if user:
            refusals = refusals.with_user(user)
        return refusals.create(
            dict(
                {
                    "partner_id": (partner or self.customer).id,
                    "company_id": self.company.id,
                    "date": self.today - timedelta(days=days_ago),
                    "product_id": self.product.id,
                    "channel": "phone",
                },
                **values,
            )
        )

    def _quotation(self, partner=None):
        return self._order(partner or self.customer, 10, confirm=False)

    def _care(self, partner=None):
        partner = (partner or self.customer).with_company(self.company)
        partner.invalidate_recordset()
        return partner

    def _last_note(self, partner=None):
        return (partner or self.customer).message_ids[:1].body


@tagged("post_install", "-at_install")
class TestOfferRefusals(CustomerCareCase):
    """No pushing after a refusal: cooling-off, warn or block, repeat block."""

    def test_refusal_flags_do_not_offer_for_ninety_days(self):
        self._refuse()
        customer = self._care()
        self.assertTrue(customer.customer_do_not_offer)
        self.assertEqual(
            customer.customer_do_not_offer_until, self.today + timedelta(days=90)
        )

    def test_refusal_of_ninety_days_ago_still_flags_today(self):
        self._refuse(days_ago=90)
        self.assertTrue(self._care().customer_do_not_offer)

    def test_refusal_older_than_the_cooling_off_no_longer_flags(self):
        self._refuse(days_ago=91)
        self.assertFalse(self._care().customer_do_not_offer)

    def test_cooling_off_days_are_a_setting(self):
        self.company.customer_offer_cooling_days = 30
        self._refuse(days_ago=40)
        self.assertFalse(self._care().customer_do_not_offer)

    def test_zero_cooling_off_days_switch_the_rule_off(self):
        self.company.customer_offer_cooling_days = 0
        self._refuse()
        self._refuse()
        customer = self._care()
        self.assertFalse(customer.customer_do_not_offer)
        self.assertFalse(customer.customer_offer_blocked)

    def test_negative_cooling_off_days_are_refused_naming_field_and_value(self):
        with (
            self.assertRaisesRegex(
                ValidationError,
                r"Cooling-off after a refused offer \(days\) must be at least 0; "
                r"-5 was entered",
            ),
            self.env.cr.savepoint(),
        ):
            self.company.customer_offer_cooling_days = -5
        self.assertEqual(self.company.customer_offer_cooling_days, 90)

    def test_refusal_of_a_contact_flags_its_company(self):
        self._refuse(partner=self.contact)
        self.assertTrue(self._care().customer_do_not_offer)

    def test_refusal_in_another_company_does_not_flag(self):
        other = self.env["res.company"].create({"name": "Other care company"})
        self.env.user.company_ids |= other
        self._refuse(
            company_id=other.id, product_id=False, campaign_id=self.campaign.id
        )
        self.assertFalse(self._care().customer_do_not_offer)

    def test_refusal_needs_a_product_or_a_campaign(self):
        with (
            self.assertRaisesRegex(
                ValidationError, "the product offered or the campaign"
            ),
            self.env.cr.savepoint(),
        ):
            self._refuse(product_id=False)

    def test_refusal_of_a_campaign_is_enough(self):
        refusal = self._refuse(product_id=False, campaign_id=self.campaign.id)
        self.assertIn("Spring upgrade", self._last_note())
        self.assertEqual(refusal.campaign_id, self.campaign)

    def test_refusal_in_the_future_is_refused(self):
        with (
            self.assertRaisesRegex(ValidationError, "cannot be logged in the future"),
            self.env.cr.savepoint(),
        ):
            self._refuse(days_ago=-1)

    def test_log_a_refused_offer_opens_a_form_for_the_partner(self):
        action = self.customer.action_customer_offer_refusal_log()
        self.assertEqual(
            (action["res_model"], action["target"], action["context"]),
            ("customer.offer.refusal", "new", {"default_partner_id": self.customer.id}),
        )

    def test_salesperson_logs_a_refusal_in_the_chatter(self):
        self._refuse(user=self.salesman, channel="email")
        note = self._last_note()
        self.assertIn("Offer refused on", note)
        self.assertIn("E-mail", note)
        self.assertIn(str(self.today + timedelta(days=90)), note)

    def test_quotation_banner_warns_during_the_cooling_off(self):
        self._refuse()
        quotation = self._quotation()
        self.assertIn("refused an offer", quotation.customer_care_warning)
        self.assertFalse(quotation.customer_care_blocked)

    def test_warn_mode_lets_the_quotation_be_sent_and_logs_it(self):
        self._refuse()
        quotation = self._quotation()
        quotation.action_quotation_sent()
        self.assertEqual(quotation.state, "sent")
        self.assertIn(f"Quotation {quotation.name} sent by", self._last_note())

    def test_warn_mode_opens_the_mail_composer(self):
        self._refuse()
        action = self._quotation().action_quotation_send()
        self.assertEqual(action["res_model"], "mail.compose.message")

    def test_block_mode_refuses_to_send_by_email(self):
        self.company.customer_offer_refusal_mode = "block"
        self._refuse()
        quotation = self._quotation()
        self.assertTrue(quotation.customer_care_blocked)
        with self.assertRaisesRegex(UserError, "cannot be sent"):
            quotation.action_quotation_send()

    def test_block_mode_refuses_to_mark_as_sent(self):
        self.company.customer_offer_refusal_mode = "block"
        self._refuse()
        with self.assertRaisesRegex(UserError, "do not offer anything until"):
            self._quotation().action_quotation_sent()

    def test_block_mode_refuses_the_composer_sending(self):
        self.company.customer_offer_refusal_mode = "block"
        self._refuse()
        quotation = self._quotation()
        with self.assertRaisesRegex(UserError, "cannot be sent"):
            quotation.with_context(mark_so_as_sent=True).message_post(body="Offer")

    def test_confirming_an_order_stays_allowed_when_blocked(self):
        self.company.customer_offer_refusal_mode = "block"
        self._refuse()
        quotation = self._quotation()
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")

    def test_choosing_the_partner_on_a_quotation_warns(self):
        self._refuse()
        order = self.env["sale.order"].new(
            {"company_id": self.company.id, "partner_id": self.contact.id}
        )
        warning = order._onchange_partner_id_customer_care()["warning"]
        self.assertEqual(warning["title"], "Customer care")
        self.assertIn("refused an offer", warning["message"])

    def test_second_refusal_within_the_period_blocks_in_warn_mode(self):
        self._refuse(days_ago=60)
        self._refuse(days_ago=10)
        self.assertTrue(self._care().customer_offer_blocked)
        with self.assertRaisesRegex(UserError, "refused two offers within 90 days"):
            self._quotation().action_quotation_sent()

    def test_second_refusal_is_logged_as_a_block(self):
        self._refuse(days_ago=60)
        self._refuse(days_ago=10)
        self.assertIn("Second refused offer within 90 days", self._last_note())

    def test_refusals_further_apart_than_the_period_do_not_block(self):
        self._refuse(days_ago=150)
        self._refuse(days_ago=50)
        customer = self._care()
        self.assertFalse(customer.customer_offer_blocked)
        self.assertTrue(customer.customer_do_not_offer)

    def test_block_outlasts_the_cooling_off_until_cleared(self):
        self._refuse(days_ago=200)
        self._refuse(days_ago=190)
        customer = self._care()
        self.assertTrue(customer.customer_offer_blocked)
        self.assertTrue(customer.customer_do_not_offer)

    def test_manager_clears_the_refusals(self):
        self._refuse(days_ago=60)
        refusal = self._refuse(days_ago=10)
        self.customer.with_user(self.manager).action_customer_offer_clear_refusals()
        customer = self._care()
        self.assertFalse(customer.customer_offer_blocked)
        self.assertFalse(customer.customer_do_not_offer)
        self.assertEqual(refusal.cleared_by_id, self.manager)
        self.assertIn("cleared by care.manager", self._last_note())

    def test_sales_user_cannot_clear_a_refusal(self):
        refusal = self._refuse()
        with self.assertRaisesRegex(AccessError, "Only customer pyramid managers"):
            refusal.with_user(self.salesman).action_clear()

    def test_sales_user_cannot_edit_a_refusal(self):
        refusal = self._refuse()
        with self.assertRaises(AccessError):
            refusal.with_user(self.salesman).write({"date": self.today})

    def test_do_not_offer_filter_finds_the_company_and_its_contacts(self):
        self._refuse()
        found = self.env["res.partner"].search(
            [("customer_do_not_offer", "=", True), ("id", "child_of", self.customer.id)]
        )
        self.assertEqual(found, self.customer | self.contact)

    def test_do_not_offer_filter_leaves_out_partners_without_refusal(self):
        other = self._partners(1, prefix="Happy")
        found = self.env["res.partner"].search(
            [("customer_do_not_offer", "=", False), ("id", "in", other.ids)]
        )
        self.assertEqual(found, other)


@tagged("post_install", "-at_install")
class TestComplaints(CustomerCareCase):
    """Solve first, sell later: an open complaint blocks offers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complaint_type = cls.env.ref(
            "customer_pyramid.mail_activity_type_complaint"
        )

    def _complaint_activity(self, partner=None):
        return (partner or self.customer).activity_schedule(
            "customer_pyramid.mail_activity_type_complaint",
            summary="Late delivery",
            user_id=self.env.uid,
        )

    def test_complaint_mark_counts_one_open_complaint(self):
        self.customer.customer_complaint_open = True
        self.assertEqual(self._care().customer_open_complaint_count, 1)

    def test_complaint_activity_on_a_contact_counts_for_its_company(self):
        self._complaint_activity(self.contact)
        self.assertEqual(self._care().customer_open_complaint_count, 1)

    def test_mark_and_activities_add_up(self):
        # 1 mark + 2 open complaint activities = 3
        self.customer.customer_complaint_open = True
        self._complaint_activity()
        self._complaint_activity(self.contact)
        self.assertEqual(self._care().customer_open_complaint_count, 3)

    def test_other_activities_are_not_complaints(self):
        self.customer.activity_schedule("mail.mail_activity_data_todo")
        self.assertEqual(self._care().customer_open_complaint_count, 0)

    def test_done_complaint_activity_is_no_longer_open(self):
        self._complaint_activity().action_done()
        self.assertEqual(self._care().customer_open_complaint_count, 0)

    def test_open_complaint_blocks_sending_in_warn_mode(self):
        self.customer.customer_complaint_open = True
        with self.assertRaisesRegex(UserError, "1 open complaint"):
            self._quotation().action_quotation_send()

    def test_open_complaint_shows_a_blocking_banner(self):
        self._complaint_activity()
        quotation = self._quotation()
        self.assertTrue(quotation.customer_care_blocked)
        self.assertIn("solve first, sell later", quotation.customer_care_warning)

    def test_partner_form_shows_the_complaint_in_red(self):
        self.customer.customer_complaint_open = True
        customer = self._care()
        self.assertTrue(customer.customer_care_blocked)
        self.assertIn("open complaint", customer.customer_care_warning)

    def test_solved_complaint_lets_the_quotation_be_sent(self):
        self.customer.customer_complaint_open = True
        self.customer.customer_complaint_open = False
        quotation = self._quotation()
        quotation.action_quotation_sent()
        self.assertEqual(quotation.state, "sent")

    def test_complaint_mark_is_logged_in_the_chatter(self):
        self.customer.customer_complaint_open = True
        self.assertIn("Complaint opened for Pyramid Test Company", self._last_note())

    def test_mark_only_setting_ignores_activities(self):
        self.company.customer_complaint_source = "flag"
        self._complaint_activity()
        self.assertEqual(self._care().customer_open_complaint_count, 0)

    def test_activity_only_setting_ignores_the_mark(self):
        self.company.customer_complaint_source = "activity"
        self.customer.customer_complaint_open = True
        self._complaint_activity()
        self.assertEqual(self._care().customer_open_complaint_count, 1)

    def test_complaints_not_used_setting_never_blocks(self):
        self.company.customer_complaint_source = "none"
        self.customer.customer_complaint_open = True
        self._complaint_activity()
        quotation = self._quotation()
        quotation.action_quotation_sent()
        self.assertEqual(quotation.state, "sent")

    def test_any_activity_type_can_count_as_a_complaint(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        todo.customer_complaint = True
        self.customer.activity_schedule("mail.mail_activity_data_todo")
        self.assertEqual(self._care().customer_open_complaint_count, 1)


@tagged("post_install", "-at_install")
class TestOffersFitTheCustomer(CustomerCareCase):
    """Products and pricelists restricted to levels warn on other levels.

    The customer is the only active one: it is top.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(cls.customer, 100)
        cls.engine.recompute_companies(cls.company)
        level = "customer_pyramid.customer_pyramid_level_"
        cls.top = cls.env.ref(level + "top")
        cls.small = cls.env.ref(level + "small")
        cls.medium = cls.env.ref(level + "medium")
        cls.small_offer = cls.env["product.product"].create(
            {
                "name": "Starter pack",
                "list_price": 5.0,
                "customer_pyramid_level_ids": [Command.set(cls.small.ids)],
            }
        )
        # the standard pricelist comes first: quotations take it by default
        cls.env["product.pricelist"].create(
            {"name": "Standard prices", "company_id": cls.company.id, "sequence": 1}
        )
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Long tail prices",
                "sequence": 99,
                "company_id": cls.company.id,
                "customer_pyramid_level_ids": [
                    Command.set((cls.small | cls.medium).ids)
                ],
            }
        )

    def test_restricted_product_warns_when_added_to_a_line(self):
        order = self._quotation()
        line = self.env["sale.order.line"].new(
            {"order_id": order.id, "product_id": self.small_offer.id}
        )
        warning = line._onchange_product_id_customer_pyramid_level()["warning"]
        self.assertEqual(
            warning["message"],
            "The product Starter pack is for Small customers; Customer 0001 is Top.",
        )

    def test_product_of_the_customer_level_does_not_warn(self):
        self.small_offer.customer_pyramid_level_ids = self.top | self.small
        order = self._quotation()
        line = self.env["sale.order.line"].new(
            {"order_id": order.id, "product_id": self.small_offer.id}
        )
        self.assertFalse(line._onchange_product_id_customer_pyramid_level())

    def test_product_without_levels_is_for_everyone(self):
        quotation = self._quotation()
        self.assertFalse(quotation.customer_care_warning)

    def test_restricted_pricelist_warns_when_chosen(self):
        order = self.env["sale.order"].new(
            {
                "company_id": self.company.id,
                "partner_id": self.customer.id,
                "pricelist_id": self.pricelist.id,
            }
        )
        warning = order._onchange_pricelist_id_customer_care()["warning"]
        self.assertEqual(
            warning["message"],
            "The pricelist Long tail prices is for Medium, Small customers; "
            "Customer 0001 is Top.",
        )

    def test_quotation_banner_lists_the_restricted_offers(self):
        quotation = self._quotation()
        quotation.write(
            {
                "pricelist_id": self.pricelist.id,
                "order_line": [Command.create({"product_id": self.small_offer.id})],
            }
        )
        self.assertEqual(
            quotation.customer_care_warning.splitlines(),
            [
                "The pricelist Long tail prices is for Medium, Small customers; "
                "Customer 0001 is Top.",
                "The product Starter pack is for Small customers; "
                "Customer 0001 is Top.",
            ],
        )
        self.assertFalse(quotation.customer_care_blocked)

    def test_restricted_offer_may_still_be_sent_and_confirmed(self):
        quotation = self._quotation()
        quotation.order_line = [Command.create({"product_id": self.small_offer.id})]
        quotation.action_quotation_sent()
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")
