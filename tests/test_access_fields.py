from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import CustomerPyramidCase

# A field of each kind: the level, a fact, satisfaction, a care flag, the
# relationship, a pin (company-dependent) and the lifecycle stage.
PYRAMID_FIELDS = [
    "customer_pyramid_level",
    "customer_pyramid_revenue",
    "customer_satisfaction",
    "customer_do_not_offer",
    "customer_relationship_type",
    "customer_pyramid_pinned_level",
    "customer_lifecycle_stage_id",
]


@tagged("post_install", "-at_install")
class TestPyramidFieldAccess(CustomerPyramidCase):
    """What the addon knows of a partner is for the addon's groups, in the
    companies they work in: read, searched, grouped or exported."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Company"})
        # an employee who may create contacts and export, but not sell
        cls.employee = cls._user("pyr.employee", "base.group_user")
        cls.employee.groups_id |= cls.env.ref("base.group_partner_manager")
        cls.employee.groups_id |= cls.env.ref("base.group_allow_export")
        cls.portal = cls._user("pyr.portal.fields", "base.group_portal")
        cls.salesman = cls._user(
            "pyr.salesman.fields", "sales_team.group_sale_salesman"
        )
        cls.stranger = cls._user(
            "pyr.stranger.fields",
            "sales_team.group_sale_salesman",
            company=cls.other_company,
        )
        cls.customer = cls._partners(1)
        cls.customer.company_id = False  # shared: every company's user sees it
        cls._order(cls.customer, 100)
        cls.engine.recompute_companies(cls.company)

    def test_salesman_reads_searches_and_groups_the_pyramid_fields(self):
        customer = self.customer.with_user(self.salesman)
        values = customer.read(PYRAMID_FIELDS)[0]
        self.assertEqual(values["customer_pyramid_level"], "top")
        self.assertEqual(values["customer_pyramid_revenue"], 100)
        found = customer.search([("customer_pyramid_revenue", ">", 50)])
        self.assertEqual(found, self.customer)
        groups = customer._read_group(
            [("id", "=", self.customer.id)], ["customer_pyramid_level"], ["__count"]
        )
        self.assertEqual(groups, [("top", 1)])

    def test_employee_without_sales_rights_cannot_read_the_pyramid_fields(self):
        customer = self.customer.with_user(self.employee)
        for fname in PYRAMID_FIELDS:
            with self.subTest(field=fname), self.assertRaises(AccessError):
                customer.read([fname])

    def test_employee_without_sales_rights_cannot_search_by_revenue(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.employee).search(
                [("customer_pyramid_revenue", ">", 0)]
            )

    def test_employee_without_sales_rights_cannot_group_by_level(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.employee).read_group(
                [], ["customer_pyramid_level"], ["customer_pyramid_level"]
            )

    def test_employee_and_portal_user_are_not_offered_the_fields_to_export(self):
        for user in (self.employee, self.portal):
            offered = self.env["res.partner"].with_user(user).fields_get()
            with self.subTest(user=user.login):
                self.assertFalse(set(PYRAMID_FIELDS) & set(offered))

    def test_employee_cannot_export_the_level(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.employee).export_data(
                ["customer_pyramid_level"]
            )

    def test_portal_user_cannot_read_the_level(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.portal).read(["customer_pyramid_level"])

    def test_other_company_user_reads_nothing_of_this_company_pyramid(self):
        customer = self.customer.with_user(self.stranger).with_context(
            allowed_company_ids=self.other_company.ids
        )
        self.assertFalse(
            customer.read(["customer_pyramid_level"])[0]["customer_pyramid_level"]
        )
        with self.assertRaises(AccessError):
            customer.with_company(self.company).read(["customer_pyramid_level"])

    def test_employee_still_creates_and_copies_partners(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.employee)
            .create({"name": "Created by an employee", "is_company": True})
        )
        copy = partner.copy()
        self._end_transaction()
        self.assertTrue(copy.exists())
        self.assertEqual(
            copy.sudo().with_company(self.company).customer_pyramid_level, "suspect"
        )

    def test_employee_opens_and_saves_the_partner_form(self):
        partners = self.env["res.partner"].with_user(self.employee)
        with Form(partners) as form:
            form.name = "Saved from the form"
        self.assertEqual(form.record.name, "Saved from the form")
        arch = partners.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("customer_pyramid_level", arch)

    def test_salesman_sees_the_pyramid_on_the_partner_form(self):
        partners = self.env["res.partner"].with_user(self.salesman)
        arch = partners.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("customer_pyramid_level", arch)


@tagged("post_install", "-at_install")
class TestPyramidFieldAccessOverJsonRpc(HttpCase):
    """The web client's JSON-RPC read follows the same rules."""

    def _read_level_as(self, login, groups):
        user = self.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "password": f"{login}-password",
                "groups_id": [Command.set([self.env.ref(g).id for g in groups])],
            }
        )
        customer = self.env["res.partner"].create(
            {"name": "JSON-RPC customer", "is_company": True}
        )
        self.authenticate(user.login, f"{login}-password")
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.partner/read",
            {
                "model": "res.partner",
                "method": "read",
                "args": [customer.ids, ["customer_pyramid_level"]],
                "kwargs": {},
            },
        )

    def test_employee_without_sales_rights_gets_an_access_error(self):
        with (
            mute_logger("odoo.http"),  # the refused request is logged, as expected
            self.assertRaisesRegex(JsonRpcException, "odoo.exceptions.AccessError"),
        ):
            self._read_level_as("pyr.rpc.employee", ["base.group_user"])

    def test_salesman_reads_the_level(self):
        result = self._read_level_as(
            "pyr.rpc.salesman", ["sales_team.group_sale_salesman"]
        )
        self.assertIn("customer_pyramid_level", result[0])
