from datetime import timedelta

from odoo import Command, fields
from odoo.tests import Form, tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestEveryChangeIsAnEvent(CustomerPyramidCase):
    """Each change of what the pyramid is computed from updates the partners
    it concerns before the call returns: the rest of the transaction, and
    the next screen, read the new facts, level and stage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # ten customers at 1000..100: top 1000, medium 900, small the rest
        cls.customers = cls._partners(10)
        for index, partner in enumerate(cls.customers):
            cls._order(partner, 1000 - index * 100)
        cls.engine.recompute_companies(cls.company)
        cls.newcomer = cls._partners(1, prefix="Newcomer")

    def _standing(self, partner):
        partner.invalidate_recordset()
        partner = partner.with_company(self.company)
        return (partner.customer_pyramid_revenue, partner.customer_pyramid_level)

    def _opportunity(self, partner):
        return self.env["crm.lead"].create(
            {
                "name": "Deal",
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": self.company.id,
            }
        )

    def _standing_rows(self, partner):
        self.env.cr.execute(
            "SELECT count(*) FROM customer_pyramid_standing WHERE partner_id = %s",
            [partner.id],
        )
        return self.env.cr.fetchone()[0]

    def test_line_added_to_a_confirmed_order_counts_at_once(self):
        customer = self.customers[0]
        customer.sale_order_ids.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "price_unit": 500,
                        }
                    )
                ]
            }
        )
        self.assertEqual(self._standing(customer), (1500, "top"))

    def test_price_of_a_confirmed_line_edited_counts_at_once(self):
        customer = self.customers[-1]
        customer.sale_order_ids.order_line.price_unit = 5000
        self.assertEqual(self._standing(customer), (5000, "top"))

    def test_order_moved_to_another_customer_moves_its_revenue(self):
        self.customers[0].sale_order_ids.partner_id = self.newcomer
        self.assertEqual(self._standing(self.customers[0]), (0, "suspect"))
        self.assertEqual(self._standing(self.newcomer), (1000, "top"))

    def test_locked_and_unlocked_order_keeps_counting(self):
        order = self.customers[0].sale_order_ids
        order.action_lock()
        self.assertEqual(self._standing(self.customers[0]), (1000, "top"))
        order.action_unlock()
        self.assertEqual(self._standing(self.customers[0]), (1000, "top"))

    def test_order_moved_to_another_company_leaves_this_pyramid(self):
        branch = self.env["res.company"].create({"name": "Branch"})
        self.env.user.company_ids |= branch
        self.customers[1].company_id = False  # shared, so both companies sell to it
        order = self.customers[1].sale_order_ids
        order.with_context(allowed_company_ids=[self.company.id, branch.id]).write(
            {"company_id": branch.id}
        )
        self.assertEqual(self._standing(self.customers[1]), (0, "suspect"))
        self.customers[1].invalidate_recordset()
        self.assertEqual(
            self.customers[1].with_company(branch).customer_pyramid_revenue, 900
        )

    def test_order_dated_out_of_the_window_makes_the_customer_inactive(self):
        customer = self.customers[1]
        customer.sale_order_ids.date_order = fields.Datetime.now() - timedelta(days=500)
        self.assertEqual(self._standing(customer), (0, "inactive"))

    def test_order_back_to_quotation_makes_the_customer_a_prospect(self):
        customer = self.customers[2]
        order = customer.sale_order_ids
        order._action_cancel()
        order.action_draft()
        self.assertEqual(self._standing(customer), (0, "prospect"))

    def test_deleted_quotation_makes_a_prospect_a_suspect_again(self):
        self._order(self.newcomer, 10, confirm=False)
        self.assertEqual(self._standing(self.newcomer), (0, "prospect"))
        self.newcomer.sale_order_ids.unlink()
        self.assertEqual(self._standing(self.newcomer), (0, "suspect"))

    def test_confirmation_moves_the_lifecycle_stage_in_the_same_transaction(self):
        order = self._order(self.newcomer, 10, confirm=False)
        order.action_confirm()
        self.newcomer.invalidate_recordset()
        self.assertEqual(
            self.newcomer.with_company(self.company).customer_lifecycle_stage_id,
            self.env.ref("customer_pyramid.customer_lifecycle_stage_conversion"),
        )

    def test_lost_opportunity_makes_a_prospect_a_suspect_again(self):
        lead = self._opportunity(self.newcomer)
        self._end_transaction()  # opportunities apply at the commit
        self.assertEqual(self._standing(self.newcomer), (0, "prospect"))
        lead.action_set_lost()
        self._end_transaction()
        self.assertEqual(self._standing(self.newcomer), (0, "suspect"))

    def test_won_opportunity_keeps_a_prospect(self):
        lead = self._opportunity(self.newcomer)
        lead.action_set_won()
        self._end_transaction()
        self.assertEqual(self._standing(self.newcomer), (0, "prospect"))

    def test_deleted_opportunity_makes_a_prospect_a_suspect_again(self):
        lead = self._opportunity(self.newcomer)
        self._end_transaction()
        lead.unlink()
        self._end_transaction()
        self.assertEqual(self._standing(self.newcomer), (0, "suspect"))

    def test_contact_moved_to_another_company_takes_its_orders_along(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.customers[0].id}
        )
        self._order(contact, 300)
        self.assertEqual(self._standing(self.customers[0]), (1300, "top"))
        contact.parent_id = self.newcomer
        self.assertEqual(self._standing(self.customers[0]), (1000, "top"))
        self.assertEqual(self._standing(self.newcomer)[0], 300)

    def test_archived_customer_leaves_the_pyramid(self):
        customer = self.customers[3]
        customer.action_archive()
        self.assertEqual(self._standing_rows(customer), 0)
        found = (
            self.env["res.partner"]
            .with_company(self.company)
            .with_context(active_test=False)
            .search([("customer_pyramid_level", "!=", False)])
        )
        self.assertNotIn(customer, found)

    def test_restored_customer_comes_back_with_its_revenue(self):
        customer = self.customers[3]
        customer.action_archive()
        customer.action_unarchive()
        self.assertEqual(self._standing(customer), (700, "small"))

    def test_company_made_a_contact_of_another_loses_its_standing(self):
        customer = self.customers[4]
        customer.write({"is_company": False, "parent_id": self.newcomer.id})
        self.assertEqual(self._standing_rows(customer), 0)
        self.assertEqual(self._standing(self.newcomer)[0], 600)

    def test_customer_made_an_employee_leaves_the_pyramid(self):
        customer = self.customers[6]
        self.env["res.users"].create(
            {
                "login": "pyramid.new.employee",
                "partner_id": customer.id,
                "company_id": self.company.id,
                "company_ids": [self.company.id],
            }
        )
        self.assertEqual(self._standing_rows(customer), 0)

    def _employee(self, customer, login):
        return self.env["res.users"].create(
            {
                "login": login,
                "partner_id": customer.id,
                "company_id": self.company.id,
                "company_ids": [self.company.id],
            }
        )

    def test_employee_made_a_portal_user_in_the_user_form_comes_back(self):
        customer = self.customers[5]
        user = self._employee(customer, "pyramid.employee.to.portal")
        portal = self.env.ref("base.group_portal")
        # the user form sends the user type in a field of its own, not groups_id
        user_type = next(
            name
            for name in self.env["res.users"].fields_get()
            if name.startswith("sel_groups_") and str(portal.id) in name.split("_")
        )
        user.write({user_type: portal.id})
        self.assertTrue(user.share)
        self.assertEqual(self._standing(customer), (500, "small"))

    def test_user_moved_to_another_partner_gives_the_old_one_back(self):
        customer = self.customers[7]
        user = self._employee(customer, "pyramid.employee.moved")
        self.assertEqual(self._standing_rows(customer), 0)
        user.partner_id = self.env["res.partner"].create({"name": "Employee"})
        self.assertEqual(self._standing(customer), (300, "small"))

    def test_merged_partners_add_up_on_the_survivor(self):
        small, smaller = self.customers[-2], self.customers[-1]  # 200 and 100
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((small | smaller).ids, dst_partner=small, extra_checks=False)
        self.assertEqual(self._standing(small)[0], 300)
        self.assertFalse(smaller.exists())
        self.assertEqual(self._standing_rows(smaller), 0)

    def test_deleted_feedback_no_longer_counts(self):
        customer = self.customers[0]
        feedback = self.env["customer.feedback"].create(
            {"partner_id": customer.id, "company_id": self.company.id, "score": "5"}
        )
        customer.invalidate_recordset()
        self.assertEqual(customer.with_company(self.company).customer_satisfaction, 5)
        feedback.unlink()
        customer.invalidate_recordset()
        self.assertFalse(customer.with_company(self.company).customer_satisfaction)

    def test_edited_feedback_changes_the_satisfaction(self):
        customer = self.customers[0]
        feedback = self.env["customer.feedback"].create(
            {"partner_id": customer.id, "company_id": self.company.id, "score": "5"}
        )
        feedback.score = "2"
        customer.invalidate_recordset()
        self.assertEqual(customer.with_company(self.company).customer_satisfaction, 2)

    def test_consent_edited_to_a_refusal_takes_the_customer_out(self):
        customer = self.customers[0]
        consent = self.env["customer.consent"].create(
            {
                "partner_id": customer.id,
                "company_id": self.company.id,
                "purpose": "profiling",
                "state": "given",
                "source": "form",
            }
        )
        self.assertEqual(self._standing(customer), (1000, "top"))
        consent.state = "refused"
        self.assertEqual(self._standing(customer), (1000, False))

    def test_deleted_profiling_refusal_brings_the_customer_back(self):
        customer = self.customers[0]
        consent = self.env["customer.consent"].create(
            {
                "partner_id": customer.id,
                "company_id": self.company.id,
                "purpose": "profiling",
                "state": "refused",
                "source": "call",
            }
        )
        self.assertEqual(self._standing(customer)[1], False)
        consent.unlink()
        self.assertEqual(self._standing(customer), (1000, "top"))

    def test_deleted_company_leaves_no_standing_rows(self):
        branch = self.env["res.company"].create({"name": "Short-lived branch"})
        partner = self.env["res.partner"].create(
            {"name": "Branch customer", "is_company": True}
        )
        self.env["customer.pyramid.event"].refresh_now(branch, partner, "partner")
        self.env.cr.execute(
            "SELECT count(*) FROM customer_pyramid_standing WHERE company_id = %s",
            [branch.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1)
        branch.unlink()
        self.env.cr.execute(
            "SELECT count(*) FROM customer_pyramid_standing WHERE company_id = %s",
            [branch.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_full_run_forgets_partners_that_left_in_sql(self):
        # an import or a script archives a customer without the ORM
        customer = self.customers[5]
        self.env["res.partner"].flush_model()
        self.env.cr.execute(
            "UPDATE res_partner SET active = FALSE WHERE id = %s", [customer.id]
        )
        stats = self.engine.recompute_companies(self.company)[self.company]
        self.assertEqual(stats["forgotten"], 1)
        self.assertEqual(self._standing_rows(customer), 0)

    def test_event_ranks_the_partner_among_the_ranked_customers(self):
        # 650 lies between the 4th (700) and the 5th (600) customer
        self._order(self.newcomer, 650)
        self.newcomer.invalidate_recordset()
        newcomer = self.newcomer.with_company(self.company)
        self.assertEqual(newcomer.customer_pyramid_rank, 5)
        # the 5th of 11 ranked customers: 45.45 %
        self.assertEqual(newcomer.customer_pyramid_percentile, 45.45)

    def test_reading_a_level_applies_nothing(self):
        order = self._order(self.newcomer, 10, confirm=False)
        events = self.env["customer.pyramid.event"]
        # queued as a change outside the inputs' writes would be
        self.env.cr.execute(
            "UPDATE sale_order SET state = 'sale' WHERE id = %s", [order.id]
        )
        events.queue(self.company, self.newcomer, "order")
        self.assertEqual(self._standing(self.newcomer), (0, "prospect"))
        events.apply_pending()
        self.assertEqual(self._standing(self.newcomer), (10, "small"))


@tagged("post_install", "-at_install")
class TestCoexistenceWithSales(CustomerPyramidCase):
    """Odoo's own forms and flows work with the addon installed."""

    def test_new_quotation_without_customer_opens(self):
        with Form(self.env["sale.order"]) as quotation:
            self.assertFalse(quotation.customer_care_warning)
            quotation.partner_id = self._partners(1)
            quotation.order_line.new().product_id = self.product
        self.assertTrue(quotation.record.id)

    def test_addon_adds_no_not_null_column_to_odoo_tables(self):
        self.env.cr.execute(
            """SELECT table_name || '.' || column_name
                 FROM information_schema.columns
                WHERE table_schema = 'public' AND is_nullable = 'NO'
                  AND table_name IN ('res_company', 'res_partner', 'sale_order',
                                     'crm_lead', 'product_template',
                                     'product_pricelist', 'mail_activity_type')
                  AND (column_name LIKE 'customer\\_%%')"""
        )
        self.assertEqual(self.env.cr.fetchall(), [])

    def test_company_with_empty_settings_is_read_with_the_defaults(self):
        branch = self.env["res.company"].create({"name": "Created elsewhere"})
        self.env.cr.execute(
            """UPDATE res_company
                  SET customer_pyramid_amount_basis = NULL,
                      customer_complaint_source = NULL,
                      customer_pyramid_window_months = NULL,
                      customer_pyramid_top_share = NULL
                WHERE id = %s""",
            [branch.id],
        )
        branch.invalidate_recordset()
        parameters = branch._customer_pyramid_parameters()
        self.assertEqual(parameters["basis"], "untaxed")
        self.assertEqual(parameters["window_months"], 12)
        self.assertEqual(parameters["shares"]["top"], 1.0)
        self.assertEqual(
            branch._customer_pyramid_setting("customer_complaint_source"), "both"
        )
