from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerPyramidCase

REPORT_MODELS = (
    "customer.pyramid.report",
    "customer.pyramid.concentration",
    "customer.pyramid.migration",
    "customer.lifecycle.funnel",
)


@tagged("post_install", "-at_install")
class TestReportsAccess(CustomerPyramidCase):
    """The manager reports are for sales managers, within their companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Company"})
        cls.salesman = cls._user("rep.salesman", "sales_team.group_sale_salesman")
        cls.manager = cls._user("rep.manager", "sales_team.group_sale_manager")
        cls.stranger = cls._user(
            "rep.stranger", "sales_team.group_sale_manager", cls.other_company
        )
        cls._order(cls._partners(1), 100)
        cls.engine.recompute_companies(cls.company)

    def _as(self, user, model):
        return self.env[model].with_user(user).with_company(user.company_id)

    def test_sales_user_cannot_open_the_reports(self):
        for model in REPORT_MODELS:
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self._as(self.salesman, model).create({})

    def test_manager_computes_a_report_of_the_company(self):
        report = self._as(self.manager, "customer.pyramid.concentration").create({})
        report.action_compute()
        self.assertEqual(report.customer_count, 1)
        self.assertEqual(report.line_ids.company_id, self.company)

    def test_manager_of_another_company_cannot_read_the_report(self):
        report = self._as(self.manager, "customer.pyramid.migration").create({})
        report.action_compute()
        with self.assertRaises(AccessError):
            report.with_user(self.stranger).read(["partner_count"])
        with self.assertRaises(AccessError):
            report.line_ids.with_user(self.stranger).read(["partner_id"])

    def test_manager_cannot_report_on_a_company_not_allowed(self):
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self._as(self.stranger, "customer.lifecycle.funnel").create(
                {"company_id": self.company.id}
            )
