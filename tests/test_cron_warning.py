from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestCronWarning(CustomerPyramidCase):
    """Managers are warned in Settings when the levels may be stale."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron.write({"interval_number": 1, "interval_type": "days"})
        cls.engine.recompute_companies(cls.company)

    def _warning(self):
        return self.env["res.config.settings"].create({}).customer_pyramid_cron_warning

    def test_no_warning_after_a_recent_recompute(self):
        self.assertFalse(self._warning())

    def test_warning_when_the_cron_failed(self):
        self.cron.sudo().write(
            {"failure_count": 3, "first_failure_date": fields.Datetime.now()}
        )
        self.assertIn("failed 3 times in a row", self._warning())

    def test_warning_when_not_recomputed_for_two_intervals(self):
        self.company.customer_pyramid_last_run = fields.Datetime.now() - timedelta(
            days=2, hours=1
        )
        self.assertIn("has not been recomputed for two intervals", self._warning())

    def test_no_warning_within_two_intervals(self):
        self.company.customer_pyramid_last_run = fields.Datetime.now() - timedelta(
            days=1, hours=23
        )
        self.assertFalse(self._warning())

    def test_warning_when_the_cron_is_archived(self):
        self.cron.sudo().active = False
        self.assertIn("archived or deleted", self._warning())
