import importlib.util
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import SQL

from .common import CustomerPyramidCase

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def post_migration(version):
    """The ``migrate`` of migrations/<version>/post-migration.py."""
    path = MIGRATIONS / version / "post-migration.py"
    spec = importlib.util.spec_from_file_location(f"post_migration_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrate


@tagged("post_install", "-at_install")
class TestOwnCompaniesLeaveTheBoards(CustomerPyramidCase):
    """18.0.2.1.2: a company created before it left its partner placed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.awareness = cls.env.ref(
            "customer_pyramid.customer_lifecycle_stage_awareness"
        )
        cls.customer = cls._partners(1)
        cls.own = cls.company.partner_id
        # what creating a company did before 18.0.2.1.2
        cls.env.cr.execute(
            SQL(
                "INSERT INTO customer_pyramid_standing (partner_id, company_id, level)"
                " VALUES (%s, %s, 'suspect')",
                cls.own.id,
                cls.company.id,
            )
        )
        cls.own.with_company(cls.company).with_context(
            customer_lifecycle_automatic=True
        ).customer_lifecycle_stage_id = cls.awareness
        cls.env.flush_all()

    def _migrate(self):
        self.assertEqual(self._level(self.own), "suspect")
        self.assertEqual(
            self.own.with_company(self.company).customer_lifecycle_stage_id,
            self.awareness,
        )
        post_migration("18.0.2.1.2")(self.env.cr, "18.0.2.1.1")
        self.env.invalidate_all()

    def test_own_company_leaves_the_pyramid(self):
        self._migrate()
        self.assertFalse(self._level(self.own))

    def test_own_company_leaves_the_lifecycle_board(self):
        self._migrate()
        self.assertFalse(
            self.own.with_company(self.company).customer_lifecycle_stage_id
        )

    def test_customers_keep_their_level_and_stage(self):
        self._migrate()
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.customer_pyramid_level, "suspect")
        self.assertEqual(customer.customer_lifecycle_stage_id, self.awareness)
