from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, TransactionCase, tagged

from .common import load_arabic
from .test_care_rules import CustomerCareCase


@tagged("post_install", "-at_install")
class TestCustomerCareSettings(CustomerCareCase):
    """The care settings are per company and saved from the settings form."""

    def test_defaults_are_ninety_days_warn_and_both_sources(self):
        self.assertEqual(
            (
                self.company.customer_offer_cooling_days,
                self.company.customer_offer_refusal_mode,
                self.company.customer_complaint_source,
            ),
            (90, "warn", "both"),
        )

    def test_settings_form_saves_the_care_rules_per_company(self):
        settings = Form(self.env["res.config.settings"])
        settings.customer_offer_cooling_days = 30
        settings.customer_offer_refusal_mode = "block"
        settings.customer_complaint_source = "activity"
        settings.save().execute()
        self.assertEqual(
            (
                self.company.customer_offer_cooling_days,
                self.company.customer_offer_refusal_mode,
                self.company.customer_complaint_source,
            ),
            (30, "block", "activity"),
        )
        main = self.env.ref("base.main_company")
        self.assertEqual(main.customer_offer_cooling_days, 90)

    def test_settings_form_refuses_a_negative_cooling_off(self):
        settings = Form(self.env["res.config.settings"])
        settings.customer_offer_cooling_days = -1
        with (
            self.assertRaisesRegex(ValidationError, "-1 was entered"),
            self.env.cr.savepoint(),
        ):
            settings.save().execute()
        self.company.invalidate_recordset()
        self.assertEqual(self.company.customer_offer_cooling_days, 90)


@tagged("post_install", "-at_install")
class TestCustomerCareAccess(CustomerCareCase):
    """Salespeople log refusals and consents; managers clear and map."""

    def test_salesperson_records_a_consent(self):
        consent = (
            self.env["customer.consent"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "purpose": "marketing",
                    "state": "given",
                    "source": "Trade fair",
                }
            )
        )
        self.assertEqual(consent.company_id, self.company)

    def test_salesperson_cannot_rewrite_a_consent(self):
        consent = self.env["customer.consent"].create(
            {
                "partner_id": self.customer.id,
                "purpose": "marketing",
                "state": "given",
                "source": "Trade fair",
            }
        )
        with self.assertRaises(AccessError):
            consent.with_user(self.salesman).write({"state": "refused"})

    def test_salesperson_reads_but_cannot_change_the_level_defaults(self):
        default = self.env["customer.relationship.default"].search(
            [("company_id", "=", self.company.id), ("level", "=", "top")]
        )
        self.assertEqual(default.with_user(self.salesman).relationship_goal, "retain")
        with self.assertRaises(AccessError):
            default.with_user(self.salesman).relationship_goal = "grow"

    def test_manager_changes_the_level_defaults(self):
        default = self.env["customer.relationship.default"].search(
            [("company_id", "=", self.company.id), ("level", "=", "top")]
        )
        default.with_user(self.manager).relationship_goal = "grow"
        self.assertEqual(default.relationship_goal, "grow")

    def test_refusals_of_another_company_are_hidden(self):
        other = self.env["res.company"].create({"name": "Hidden care company"})
        self.env.user.company_ids |= other
        self._refuse(company_id=other.id)
        visible = (
            self.env["customer.offer.refusal"]
            .with_user(self.salesman)
            .search([("partner_id", "=", self.customer.id)])
        )
        self.assertFalse(visible)

    def test_salesperson_reads_the_care_state_of_a_partner(self):
        self._refuse()
        customer = self.customer.with_user(self.salesman)
        self.assertTrue(customer.customer_do_not_offer)


@tagged("post_install", "-at_install")
class TestCustomerCareArabic(TransactionCase):
    """The care rules read in Arabic: labels, selections and messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.arabic = load_arabic(cls.env)

    def test_do_not_offer_label_reads_in_arabic(self):
        description = self.arabic["res.partner"].fields_get(["customer_do_not_offer"])
        self.assertEqual(
            description["customer_do_not_offer"]["string"], "لا تقدّم عروضًا"
        )

    def test_refusal_mode_reads_in_arabic(self):
        labels = dict(
            self.arabic["res.company"]
            ._fields["customer_offer_refusal_mode"]
            ._description_selection(self.arabic)
        )
        self.assertEqual(labels, {"warn": "تنبيه", "block": "حظر"})

    def test_level_tags_read_in_arabic(self):
        top = self.arabic.ref("customer_pyramid.customer_pyramid_level_top")
        self.assertEqual(top.name, "الأعلى")
