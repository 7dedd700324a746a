from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPyramidAccess(CustomerPyramidCase):
    """Who sees and changes what, per group and per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Company"})
        cls.salesman = cls._user("pyr.salesman", "sales_team.group_sale_salesman")
        cls.manager = cls._user("pyr.manager", "sales_team.group_sale_manager")
        cls.portal = cls._user("pyr.portal", "base.group_portal")
        cls.stranger = cls._user(
            "pyr.stranger", "sales_team.group_sale_manager", company=cls.other_company
        )
        cls.customer = cls._partners(1)
        cls._order(cls.customer, 100)
        cls.env["customer.pyramid.engine"].recompute_companies(cls.company)
        cls.history = cls.env["customer.pyramid.history"].search(
            [("partner_id", "=", cls.customer.id)], limit=1
        )

    def test_sales_user_is_a_pyramid_user_and_manager_a_pyramid_manager(self):
        self.assertTrue(self.salesman.has_group("customer_pyramid.group_user"))
        self.assertFalse(self.salesman.has_group("customer_pyramid.group_manager"))
        self.assertTrue(self.manager.has_group("customer_pyramid.group_manager"))

    def test_sales_user_reads_levels_and_history(self):
        customer = self.customer.with_user(self.salesman)
        self.assertEqual(customer.customer_pyramid_level, "top")
        self.assertEqual(self.history.with_user(self.salesman).new_level, "top")

    def test_history_is_read_only_for_users_and_managers(self):
        for user in (self.salesman, self.manager):
            with self.assertRaises(AccessError):
                self.history.with_user(user).write({"new_level": "small"})
            with self.assertRaises(AccessError):
                self.history.with_user(user).unlink()

    def test_sales_user_cannot_pin_a_level(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write(
                {
                    "customer_pyramid_pinned_level": "top",
                    "customer_pyramid_pin_reason": "x",
                }
            )

    def test_manager_pins_a_level(self):
        self.customer.with_user(self.manager).write(
            {
                "customer_pyramid_pinned_level": "small",
                "customer_pyramid_pin_reason": "Test",
            }
        )
        self.assertEqual(self._level(self.customer), "small")

    def test_sales_user_moves_a_card(self):
        stage = self.env.ref("customer_pyramid.customer_lifecycle_stage_awareness")
        self.customer.with_user(self.salesman).customer_lifecycle_stage_id = stage
        self.assertEqual(
            self.customer.with_company(self.company).customer_lifecycle_stage_id, stage
        )

    def test_sales_user_cannot_edit_stages(self):
        stage = self.env.ref("customer_pyramid.customer_lifecycle_stage_awareness")
        with self.assertRaises(AccessError):
            stage.with_user(self.salesman).name = "Renamed"
        stage.with_user(self.manager).name = "Renamed"

    def test_portal_user_sees_no_history_stage_or_snapshot(self):
        for model in (
            "customer.pyramid.history",
            "customer.pyramid.snapshot",
            "customer.lifecycle.stage",
            "customer.lifecycle.history",
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.portal).search([])

    def test_other_company_user_sees_no_history_of_this_company(self):
        history = self.history.with_user(self.stranger).with_context(
            allowed_company_ids=self.other_company.ids
        )
        self.assertFalse(history.search([("partner_id", "=", self.customer.id)]))
        with self.assertRaises(AccessError):
            history.read(["new_level"])

    def test_other_company_user_sees_no_snapshot_of_this_company(self):
        self.engine.recompute_companies(self.company)
        snapshots = (
            self.env["customer.pyramid.snapshot"]
            .with_user(self.stranger)
            .with_context(allowed_company_ids=self.other_company.ids)
            .search([("company_id", "=", self.company.id)])
        )
        self.assertFalse(snapshots)

    def test_levels_are_per_company(self):
        shared = self.env["res.partner"].create({"name": "Shared", "is_company": True})
        self._order(shared, 50)
        self.assertEqual(
            shared.with_company(self.company).customer_pyramid_level, "small"
        )
        self.engine.recompute_companies(self.other_company)
        shared.invalidate_recordset()
        self.assertEqual(
            shared.with_company(self.other_company).customer_pyramid_level, "suspect"
        )

    def test_sales_user_cannot_recompute_from_settings(self):
        settings = self.env["res.config.settings"].with_user(self.salesman)
        with self.assertRaises(AccessError):
            settings.create({}).action_customer_pyramid_recompute()
