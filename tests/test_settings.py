from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPyramidSettings(CustomerPyramidCase):
    """Settings per company, refused with a message naming the field."""

    def test_shares_not_adding_up_to_100_are_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "add up to 100%; they add up to 101"
        ):
            self.company.customer_pyramid_top_share = 2

    def test_zero_share_is_refused_naming_the_field(self):
        with self.assertRaisesRegex(ValidationError, "Big customers"):
            self.company.write(
                {"customer_pyramid_big_share": 0, "customer_pyramid_small_share": 84}
            )

    def test_zero_window_is_refused_naming_the_field(self):
        with self.assertRaisesRegex(ValidationError, "Active window"):
            self.company.customer_pyramid_window_months = 0

    def test_negative_window_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "-3 was entered"):
            self.company.customer_pyramid_window_months = -3

    def test_negative_loyalty_count_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Loyalty: confirmed orders"):
            self.company.customer_lifecycle_loyalty_orders = -1

    def test_zero_loyalty_period_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Loyalty: within"):
            self.company.customer_lifecycle_loyalty_months = 0

    def test_settings_form_saves_per_company(self):
        settings = Form(self.env["res.config.settings"])
        settings.customer_pyramid_top_share = 2
        settings.customer_pyramid_small_share = 79
        settings.customer_pyramid_window_months = 6
        settings.save().execute()
        self.assertEqual(self.company.customer_pyramid_top_share, 2)
        self.assertEqual(self.company.customer_pyramid_window_months, 6)
        main = self.env.ref("base.main_company")
        self.assertEqual(main.customer_pyramid_top_share, 1)

    def test_settings_form_refuses_shares_not_adding_up(self):
        settings = Form(self.env["res.config.settings"])
        settings.customer_pyramid_top_share = 5
        # a request that fails is rolled back: so is this savepoint
        with (
            self.assertRaisesRegex(ValidationError, "they add up to 104"),
            self.env.cr.savepoint(),
        ):
            settings.save().execute()
        self.company.invalidate_recordset()
        self.assertEqual(self.company.customer_pyramid_top_share, 1)

    def test_settings_form_sets_the_cron_interval(self):
        settings = Form(self.env["res.config.settings"])
        settings.customer_pyramid_cron_interval_number = 6
        settings.customer_pyramid_cron_interval_type = "hours"
        settings.save().execute()
        self.assertEqual(self.cron.interval_number, 6)
        self.assertEqual(self.cron.interval_type, "hours")

    def test_zero_cron_interval_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Recompute every"):
            settings = Form(self.env["res.config.settings"])
            settings.customer_pyramid_cron_interval_number = 0
            settings.save().execute()

    def test_recompute_now_button_recomputes_and_stamps(self):
        partner = self._partners(1)
        self._order(partner, 10)
        settings = self.env["res.config.settings"].create({})
        settings.action_customer_pyramid_recompute()
        self.company.invalidate_recordset()
        self.assertTrue(self.company.customer_pyramid_last_run)
        self.assertIn("1.0/4.0/15.0/80.0%", self.company.customer_pyramid_last_settings)
        self.assertEqual(
            self.env["customer.pyramid.history"]
            .search([("partner_id", "=", partner.id)], limit=1)
            .cause,
            "manual_recompute",
        )
