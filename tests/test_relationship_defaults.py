from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestRelationshipDefaults(CustomerPyramidCase):
    """The relationship type and goal follow the level unless set by hand.

    Five customers buying 500 / 400 / 300 / 200 / 100 split 1 / 0 / 0 / 4 with
    the 1 / 4 / 15 / 80 shares: the last ranks of top, big and medium are
    ceil(0.05) = 1, ceil(0.25) = 1 and ceil(1.0) = 1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls._partners(5).with_company(cls.company)
        for customer, amount in zip(
            cls.customers, (500, 400, 300, 200, 100), strict=True
        ):
            cls._order(customer, amount)
        cls.engine.recompute_companies(cls.company)
        cls.defaults = cls.env["customer.relationship.default"].search(
            [("company_id", "=", cls.company.id)]
        )

    def _relationship(self, partner):
        partner.invalidate_recordset()
        partner = partner.with_company(self.company)
        return partner.customer_relationship_type, partner.customer_relationship_goal

    def _default(self, level):
        return self.defaults.filtered(lambda d: d.level == level)

    def test_new_company_gets_one_default_per_level(self):
        company = self.env["res.company"].create({"name": "Second Company"})
        defaults = self.env["customer.relationship.default"].search(
            [("company_id", "=", company.id)]
        )
        self.assertEqual(
            [(d.level, d.relationship_type, d.relationship_goal) for d in defaults],
            [
                ("top", "dedicated", "retain"),
                ("big", "personal", "retain"),
                ("medium", "personal", "grow"),
                ("small", "automated", "grow"),
                ("inactive", "personal", "retain"),
                ("prospect", "personal", "acquire"),
                ("suspect", "automated", "acquire"),
                ("rest", False, False),
            ],
        )

    def test_every_company_got_its_defaults_at_install(self):
        main = self.env.ref("base.main_company")
        self.assertEqual(
            self.env["customer.relationship.default"].search_count(
                [("company_id", "=", main.id)]
            ),
            8,
        )

    def test_missing_defaults_are_created_once(self):
        self._default("small").unlink()
        model = self.env["customer.relationship.default"]
        model._create_missing_defaults(self.company)
        model._create_missing_defaults(self.company)
        self.assertEqual(model.search_count([("company_id", "=", self.company.id)]), 8)

    def test_ranking_gives_top_and_small_their_defaults(self):
        top, *small = self.customers
        self.assertEqual(self._relationship(top), ("dedicated", "retain"))
        self.assertEqual(self._relationship(small[-1]), ("automated", "grow"))

    def test_new_partner_without_orders_is_a_suspect_to_acquire(self):
        suspect = self._partners(1, prefix="Suspect")
        self.assertEqual(self._relationship(suspect), ("automated", "acquire"))

    def test_prospect_with_an_opportunity_is_to_acquire_personally(self):
        prospect = self._partners(1, prefix="Prospect")
        self.env["crm.lead"].create(
            {
                "name": "Opportunity",
                "type": "opportunity",
                "partner_id": prospect.id,
                "company_id": self.company.id,
            }
        )
        self._end_transaction()
        self.assertEqual(self._relationship(prospect), ("personal", "acquire"))

    def test_type_and_goal_follow_a_level_change(self):
        # 100 + 1,000 = 1,100 tops everyone at the next recompute.
        riser = self.customers[-1]
        self._order(riser, 1000)
        self._recompute()
        self.assertEqual(self._level(riser), "top")
        self.assertEqual(self._relationship(riser), ("dedicated", "retain"))

    def test_type_set_by_hand_stays_when_the_level_changes(self):
        riser = self.customers[-1]
        riser.customer_relationship_type = "community"
        self._order(riser, 1000)
        self._recompute()
        # the goal was not set by hand: it follows the new level
        self.assertEqual(self._relationship(riser), ("community", "retain"))

    def test_writing_the_type_marks_it_set_by_hand(self):
        customer = self.customers[1]
        customer.customer_relationship_type = "community"
        self.assertTrue(customer.customer_relationship_type_manual)
        self.assertFalse(customer.customer_relationship_goal_manual)

    def test_the_engine_never_marks_values_set_by_hand(self):
        self.assertFalse(
            any(self.customers.mapped("customer_relationship_type_manual"))
            or any(self.customers.mapped("customer_relationship_goal_manual"))
        )

    def test_follow_the_level_again_restores_the_default(self):
        top = self.customers[0]
        top.write(
            {
                "customer_relationship_type": "social",
                "customer_relationship_goal": "grow",
            }
        )
        top.action_customer_relationship_reset()
        self.assertEqual(self._relationship(top), ("dedicated", "retain"))
        self.assertFalse(top.customer_relationship_type_manual)

    def test_admin_changes_the_default_of_a_level(self):
        self._default("top").relationship_type = "co_creation"
        riser = self.customers[-1]
        self._order(riser, 1000)
        self._recompute()
        self.assertEqual(self._relationship(riser), ("co_creation", "retain"))

    def test_empty_default_keeps_the_partner_value(self):
        self._default("top").relationship_type = False
        riser = self.customers[-1]
        self._order(riser, 1000)
        self._recompute()
        # small's automated stays; the goal follows top's retain
        self.assertEqual(self._relationship(riser), ("automated", "retain"))

    def test_unchanged_level_keeps_a_value_changed_since(self):
        # only partners whose level changed are touched by a recompute
        top = self.customers[0]
        top.with_context(customer_relationship_automatic=True).write(
            {"customer_relationship_type": "social"}
        )
        self._recompute()
        self.assertEqual(self._relationship(top), ("social", "retain"))

    def test_unknown_level_in_a_default_is_refused_naming_field_and_value(self):
        with (
            self.assertRaisesRegex(
                ValidationError, r"Level: 'huge' is not a pyramid level"
            ),
            self.env.cr.savepoint(),
        ):
            self._default("top").write({"level": "huge"})
        self.assertEqual(self._default("top").relationship_type, "dedicated")

    def test_unknown_level_in_a_new_default_is_refused(self):
        with (
            self.assertRaisesRegex(ValidationError, r"'huge' is not a pyramid level"),
            self.env.cr.savepoint(),
        ):
            self.env["customer.relationship.default"].create(
                {"company_id": self.company.id, "level": "huge"}
            )

    def test_import_of_an_unknown_level_names_field_and_value(self):
        # the import still tries the row without the level: the database
        # refuses it, which the import reports as a second message
        with mute_logger("odoo.sql_db"):
            result = self.env["customer.relationship.default"].load(
                ["level", "relationship_type"], [["Huge", "dedicated"]]
            )
        self.assertFalse(result["ids"])
        first = result["messages"][0]
        self.assertEqual(
            (first["type"], first["field"], first["message"]),
            ("error", "level", "Value 'Huge' not found in selection field 'Level'"),
        )

    def test_unknown_level_code_of_a_level_record_is_refused(self):
        with (
            self.assertRaisesRegex(ValidationError, r"Code: 'huge'"),
            self.env.cr.savepoint(),
        ):
            self.env["customer.pyramid.level"].create({"name": "Huge", "code": "huge"})
