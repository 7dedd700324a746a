from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.customer_pyramid.models.customer_pyramid_engine import (
    LOCK_NAMESPACE,
    CustomerPyramidEngine,
)

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPyramidReliability(CustomerPyramidCase):
    """Idempotent, locked against a second run, atomic, and robust to bad data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls._partners(30)
        for index, partner in enumerate(cls.customers):
            cls._order(partner, 3000 - index * 100)

    def test_second_run_without_changes_writes_no_row(self):
        self._recompute()
        history_count = self.env["customer.pyramid.history"].search_count([])
        stamp = self._refreshed_on(self.customers[0])
        self._recompute()
        self.assertEqual(
            self.env["customer.pyramid.history"].search_count([]), history_count
        )
        self.assertEqual(self._refreshed_on(self.customers[0]), stamp)

    def test_run_while_another_holds_the_lock_is_skipped_by_the_cron(self):
        # this transaction must not hold the lock itself: no recompute before
        with self._lock_held_elsewhere():
            self._run_cron()
        self.company.invalidate_recordset()
        self.assertFalse(self.company.customer_pyramid_last_run)
        self.assertFalse(
            self.env["customer.pyramid.snapshot"].search(
                [("company_id", "=", self.company.id)]
            )
        )

    def test_cron_run_after_the_lock_is_released_completes(self):
        with self._lock_held_elsewhere():
            self._run_cron()
        self._run_cron()
        self.company.invalidate_recordset()
        self.assertTrue(self.company.customer_pyramid_last_run)
        self.assertEqual(self._levels(self.customers[:1]), ["top"])

    def test_recompute_now_refuses_while_a_run_holds_the_lock(self):
        with (
            self._lock_held_elsewhere(),
            self.assertRaisesRegex(UserError, "right now"),
        ):
            self._recompute()

    def test_crash_mid_run_leaves_the_previous_levels(self):
        self._recompute()
        before = self._levels(self.customers)
        self.company.write(
            {"customer_pyramid_top_share": 50, "customer_pyramid_small_share": 31}
        )
        with (
            patch.object(
                CustomerPyramidEngine,
                "_store_snapshot",
                side_effect=RuntimeError("worker killed"),
            ),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            self._recompute()
        self.assertEqual(self._levels(self.customers), before)
        self._recompute()
        self.assertEqual(self._levels(self.customers).count("top"), 15)

    def test_order_without_currency_rate_is_skipped_not_fatal(self):
        order = self._order(self._partners(1, prefix="Rateless"), 500)
        self.env.cr.execute(
            SQL("UPDATE sale_order SET currency_rate = 0 WHERE id = %s", order.id)
        )
        order.invalidate_recordset()
        stats = self._recompute_stats()
        self.assertEqual(stats["orders_without_rate"], 1)
        self.assertEqual(self._level(order.partner_id), "inactive")

    def test_zero_and_negative_orders_never_make_an_active_customer(self):
        refund, free = self._partners(2, prefix="Odd")
        self._order(refund, -200)
        self._order(free, 0)
        stats = self._recompute_stats()
        self.assertEqual(self._levels(refund | free), ["inactive", "inactive"])
        self.assertEqual(stats["partners_without_positive_revenue"], 2)

    def test_archived_partner_with_orders_is_left_out_and_reported(self):
        archived = self.customers[0]
        archived.active = False
        stats = self._recompute_stats()
        self.assertEqual(stats["partners_out_of_scope"], 1)
        self.assertEqual(self._levels(self.customers[1:2]), ["top"])

    def test_merged_partner_orders_count_for_the_survivor(self):
        survivor, merged = self.customers[-2:]
        wizard = self.env["base.partner.merge.automatic.wizard"].create(
            {
                "partner_ids": [(6, 0, (survivor | merged).ids)],
                "dst_partner_id": survivor.id,
            }
        )
        wizard.action_merge()
        self._recompute()
        survivor.invalidate_recordset()
        self.assertEqual(
            survivor.with_company(self.company).customer_pyramid_revenue, 200 + 100
        )

    def test_event_newer_than_the_run_is_not_overwritten(self):
        self._recompute()
        partner = self.customers[-1]
        future = fields.Datetime.now() + timedelta(hours=1)
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET customer_pyramid_refreshed_on ="
                " customer_pyramid_refreshed_on || jsonb_build_object(%s, %s::text)"
                " WHERE id = %s",
                str(self.company.id),
                fields.Datetime.to_string(future),
                partner.id,
            )
        )
        partner.with_company(self.company).customer_pyramid_mark = False
        self._order(partner, 1, confirm=False)
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET amount_untaxed = 999999 WHERE partner_id = %s"
                " AND state = 'sale'",
                partner.id,
            )
        )
        self._recompute()
        partner.invalidate_recordset()
        self.assertEqual(
            partner.with_company(self.company).customer_pyramid_revenue, 100
        )

    def _recompute_stats(self):
        return self.engine.recompute_companies(self.company)[self.company]

    def _refreshed_on(self, partner):
        partner.invalidate_recordset()
        return partner.with_company(self.company).customer_pyramid_refreshed_on

    def _lock_held_elsewhere(self):
        """A second database session holds the company's advisory lock."""
        test = self

        class HeldLock:
            def __enter__(self):
                self.cursor = db_connect(test.env.cr.dbname).cursor()
                self.cursor.execute(
                    SQL(
                        "SELECT pg_advisory_lock(%s, %s)",
                        LOCK_NAMESPACE,
                        test.company.id,
                    )
                )
                return self

            def __exit__(self, *exc):
                self.cursor.execute(
                    SQL(
                        "SELECT pg_advisory_unlock(%s, %s)",
                        LOCK_NAMESPACE,
                        test.company.id,
                    )
                )
                self.cursor.close()

        return HeldLock()
