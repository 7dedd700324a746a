from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPinExpiry(CustomerPyramidCase):
    """Pins with an end date, lifted by the scheduled action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._partners(1, prefix="Pinned")
        cls._order(cls.customer, 100)
        cls.engine.recompute_companies(cls.company)
        cls.today = fields.Date.context_today(cls.customer)

    def _pin(self, until):
        self.customer.with_company(self.company).write(
            {
                "customer_pyramid_pinned_level": "top",
                "customer_pyramid_pin_reason": "Strategic account",
                "customer_pyramid_pin_until": until,
            }
        )

    def _expire(self):
        """Let the pin's end date pass, as time would (no user may set it so)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET customer_pyramid_pin_until ="
                " jsonb_build_object(%s, %s::text) WHERE id = %s",
                str(self.company.id),
                fields.Date.to_string(self.today - timedelta(days=1)),
                self.customer.id,
            )
        )
        self.customer.invalidate_recordset()

    def test_pin_holds_until_its_end_date(self):
        self._pin(self.today)
        self._run_cron()
        self.assertEqual(self._level(self.customer), "top")

    def test_scheduled_action_unpins_an_expired_pin(self):
        self._pin(self.today)
        self._expire()
        self._run_cron()
        customer = self.customer.with_company(self.company)
        customer.invalidate_recordset()
        self.assertFalse(customer.customer_pyramid_pinned_level)
        self.assertFalse(customer.customer_pyramid_pin_until)
        self.assertFalse(customer.customer_pyramid_pin_reason)
        # the only active customer is small: 1 % of 1 is rounded up to 1, top
        self.assertEqual(self._level(self.customer), "top")

    def test_expired_pin_is_logged_with_its_cause(self):
        # pinned below its computed level: lifting the pin changes the level
        self.customer.with_company(self.company).write(
            {
                "customer_pyramid_pinned_level": "medium",
                "customer_pyramid_pin_reason": "Payment problems",
                "customer_pyramid_pin_until": self.today,
            }
        )
        self._expire()
        self._run_cron()
        history = self.env["customer.pyramid.history"].search(
            [("partner_id", "=", self.customer.id)], limit=1
        )
        self.assertEqual(
            (history.cause, history.old_level, history.new_level),
            ("pin_expired", "medium", "top"),
        )

    def test_expired_pin_is_noted_in_the_chatter(self):
        self._pin(self.today)
        self._expire()
        self._run_cron()
        self.assertIn(
            "expired",
            self.customer.message_ids[0].body,
        )

    def test_form_shows_the_computed_level_next_to_the_pinned_one(self):
        self.customer.with_company(self.company).write(
            {
                "customer_pyramid_pinned_level": "small",
                "customer_pyramid_pin_reason": "Test",
            }
        )
        customer = self.customer.with_company(self.company)
        self.assertEqual(
            (customer.customer_pyramid_level, customer.customer_pyramid_computed_level),
            ("small", "top"),
        )

    def test_pin_end_date_in_the_past_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Pinned until must be today"):
            self._pin(self.today - timedelta(days=1))

    def test_unpinning_clears_the_end_date(self):
        self._pin(self.today + timedelta(days=30))
        self.customer.with_company(self.company).customer_pyramid_pinned_level = False
        self.assertFalse(
            self.customer.with_company(self.company).customer_pyramid_pin_until
        )
