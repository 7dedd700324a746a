from unittest.mock import patch

from psycopg2.errors import LockNotAvailable

from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.customer_pyramid.models.customer_pyramid_engine import LOCK_NAMESPACE

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

    def test_run_writes_a_changed_revenue_that_keeps_the_level(self):
        self._recompute()
        smallest = self.customers[-1]
        level = self._level(smallest)
        history_count = self.env["customer.pyramid.history"].search_count([])
        # changed behind the order events' back, as an import would:
        # only the next run sees it
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET amount_untaxed = amount_untaxed + 50"
                " WHERE partner_id = %s",
                smallest.id,
            )
        )
        self._recompute()
        self.assertEqual(
            smallest.with_company(self.company).customer_pyramid_revenue, 150
        )
        self.assertEqual(self._level(smallest), level)
        self.assertEqual(
            self.env["customer.pyramid.history"].search_count([]), history_count
        )

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
                type(self.env["customer.pyramid.snapshot"]),
                "_store_run",
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

    def test_partner_of_a_deleted_company_never_crashes_the_cron(self):
        gone = self.env["res.company"].create({"name": "Closed Company"})
        orphan = self.env["res.partner"].create(
            {"name": "Orphan", "is_company": True, "company_id": gone.id}
        )
        self.engine.recompute_companies(gone)
        self.assertEqual(orphan.with_company(gone).customer_pyramid_level, "suspect")
        gone.unlink()
        self.assertFalse(orphan.company_id)
        self._run_cron()
        # now shared, the partner is ranked by the companies that remain
        self.assertEqual(self._level(orphan), "suspect")

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

    def test_order_event_waits_while_a_recompute_holds_the_company(self):
        # a company this transaction holds no lock on, "recomputed" elsewhere
        busy = self.env["res.company"].create({"name": "Busy Company"})
        with (
            self._lock_held_elsewhere(busy, exclusive=True),
            mute_logger("odoo.sql_db"),  # the cancelled statement is expected
            self.assertRaises(LockNotAvailable),
        ):
            # bounded wait: the event must queue behind the recompute
            self.env.cr.execute(SQL("SET LOCAL lock_timeout = '200ms'"))
            self.env["customer.pyramid.event"].refresh_now(
                busy, self.customers[0], "order"
            )
        self.env["customer.pyramid.event"].refresh_now(busy, self.customers[0], "order")

    def test_many_order_events_in_one_transaction_do_not_exhaust_locks(self):
        # a batch confirmation or an import: one transaction, many events;
        # three new tables per event overflowed PostgreSQL's lock table
        # (max_locks_per_transaction 64 x max_connections 100) near 2,000
        partner = self.customers[0]
        for _index in range(2500):
            self.env["customer.pyramid.event"].refresh_now(
                self.company, partner, "order"
            )
        self._recompute()
        self.assertEqual(self._levels(partner), ["top"])

    def _recompute_stats(self):
        return self.engine.recompute_companies(self.company)[self.company]

    def _refreshed_on(self, partner):
        partner.invalidate_recordset()
        return partner.with_company(self.company).customer_pyramid_refreshed_on

    def _lock_held_elsewhere(self, company=None, exclusive=False):
        """A second database session holds the company's advisory lock.

        Shared by default, as an order event in flight holds it: this test's
        own transaction already shares it (setUpClass confirmed orders), so
        another session could not take it exclusively.
        """
        company = company or self.company
        function = "pg_advisory_lock" if exclusive else "pg_advisory_lock_shared"
        unlock = "pg_advisory_unlock" if exclusive else "pg_advisory_unlock_shared"
        dbname = self.env.cr.dbname

        class HeldLock:
            def __enter__(self):
                self.cursor = db_connect(dbname).cursor()
                self.cursor.execute(
                    SQL(
                        "SELECT %s(%s, %s)",
                        SQL.identifier(function),
                        LOCK_NAMESPACE,
                        company.id,
                    )
                )
                return self

            def __exit__(self, *exc):
                self.cursor.execute(
                    SQL(
                        "SELECT %s(%s, %s)",
                        SQL.identifier(unlock),
                        LOCK_NAMESPACE,
                        company.id,
                    )
                )
                self.cursor.close()

        return HeldLock()
