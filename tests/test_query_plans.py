import json

from odoo.tests import tagged
from odoo.tools import SQL

from .common import CustomerPyramidCase

ACCOUNTS = 300
CONTACTS_PER_ACCOUNT = 3


@tagged("post_install", "-at_install")
class TestQueryPlans(CustomerPyramidCase):
    """PostgreSQL estimates how many partners are their own account, the
    clause of the scope (``_own_account``).

    300 companies with three contacts each: one partner in four is its own
    account. A guess of one in 200 made the planner aggregate the
    documents of a few thousand partners once per partner.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        accounts = cls._partners(ACCOUNTS)
        cls.env["res.partner"].create(
            [
                {"name": f"{account.name} contact {index}", "parent_id": account.id}
                for account in accounts
                for index in range(CONTACTS_PER_ACCOUNT)
            ]
        )
        cls._end_transaction()
        cls.env.flush_all()
        cls.env.cr.execute(SQL("ANALYZE res_partner"))

    def _estimated_and_actual_rows(self, condition):
        query = SQL("SELECT p.id FROM res_partner p WHERE %s", condition)
        self.env.cr.execute(SQL("EXPLAIN (FORMAT JSON) %s", query))
        plan = self.env.cr.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        self.env.cr.execute(SQL("SELECT count(*) FROM (%s) q", query))
        return plan[0]["Plan"]["Plan Rows"], self.env.cr.fetchone()[0]

    def test_the_planner_expects_the_partners_that_are_their_own_account(self):
        estimated, actual = self._estimated_and_actual_rows(
            self.engine._own_account("p", "commercial_partner_id")
        )
        self.assertGreaterEqual(actual, ACCOUNTS)
        self.assertGreaterEqual(estimated, actual / 2)

    def test_the_planner_expects_the_partners_that_are_their_own_group(self):
        estimated, actual = self._estimated_and_actual_rows(
            self.engine._own_account("p", "customer_pyramid_group_id")
        )
        self.assertGreaterEqual(actual, ACCOUNTS)
        self.assertGreaterEqual(estimated, actual / 2)
