from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CustomerPyramidCase

# What a partner's standing holds, compared between a quiet run and a rebuild.
COMPARED = (
    "level, computed_level, revenue, lifetime_revenue, order_count, rank,"
    " percentile, cutoff, held, order_frequency, first_order_date,"
    " last_order_date, drop_date, keep_amount, next_gap, risk_date, lapsed_since"
)


@tagged("post_install", "-at_install")
class TestQuietDailyRun(CustomerPyramidCase):
    """The scheduled action ranks no one again when nothing of the ranking
    changed: it refreshes the partners whose inputs changed, and its answer
    is the full rebuild's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hundred = cls._ranked_hundred()
        cls.suspect = cls._partners(1, prefix="Suspect")
        cls.engine.recompute_companies(cls.company)
        cls.an_hour_ago = fields.Datetime.now() - timedelta(hours=1)

    def _stamp_rebuild_an_hour_ago(self):
        """Date the last rebuild back, so that a new one shows."""
        self.company.customer_pyramid_last_full_run = self.an_hour_ago
        self.company.customer_pyramid_last_run = self.an_hour_ago

    def _standings(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, %s FROM customer_pyramid_standing"
                " WHERE company_id = %s ORDER BY partner_id",
                SQL(COMPARED),
                self.company.id,
            )
        )
        return self.env.cr.fetchall()

    def _insert_in_sql(self, partner, amount, state):
        """An order written in SQL, as an import writes it: no ORM event."""
        self.env["customer.pyramid.demo"].with_company(self.company)._clone_orders(
            self.env(context=dict(self.env.context, customer_pyramid_skip_events=True)),
            self.product,
            [(partner.id, fields.Datetime.now(), amount, state)],
        )

    def test_daily_run_without_changes_rebuilds_nothing_and_writes_no_row(self):
        self._stamp_rebuild_an_hour_ago()
        before = self._standings()
        self.env.cr.execute(
            SQL(
                "SELECT max(refreshed_on) FROM customer_pyramid_standing"
                " WHERE company_id = %s",
                self.company.id,
            )
        )
        refreshed = self.env.cr.fetchone()[0]
        self._run_cron()
        self.assertEqual(self.company.customer_pyramid_last_full_run, self.an_hour_ago)
        self.assertGreater(self.company.customer_pyramid_last_run, self.an_hour_ago)
        self.assertEqual(self._standings(), before)
        self.env.cr.execute(
            SQL(
                "SELECT max(refreshed_on) FROM customer_pyramid_standing"
                " WHERE company_id = %s",
                self.company.id,
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], refreshed)

    def test_quiet_run_stores_the_snapshot_of_the_day(self):
        self._stamp_rebuild_an_hour_ago()
        self._run_cron()
        rows = self.env["customer.pyramid.snapshot"].search(
            [
                ("company_id", "=", self.company.id),
                ("run_date", "=", self.company.customer_pyramid_last_run),
            ]
        )
        counts = {row.level: row.customer_count for row in rows}
        self.assertEqual(
            [counts[level] for level in ("top", "big", "medium", "small")],
            [1, 4, 15, 80],
        )
        self.assertEqual(self.company.customer_pyramid_last_full_run, self.an_hour_ago)

    def test_quotation_written_in_sql_makes_a_prospect_without_a_rebuild(self):
        self._stamp_rebuild_an_hour_ago()
        self._insert_in_sql(self.suspect, 10, "draft")
        self._run_cron()
        self.assertEqual(self._level(self.suspect), "prospect")
        self.assertEqual(self.company.customer_pyramid_last_full_run, self.an_hour_ago)

    def test_quiet_run_gives_the_answer_of_a_full_rebuild(self):
        self._stamp_rebuild_an_hour_ago()
        self._insert_in_sql(self.suspect, 10, "draft")
        self._run_cron()
        quiet = self._standings()
        self._recompute()
        self.assertGreater(
            self.company.customer_pyramid_last_full_run, self.an_hour_ago
        )
        self.assertEqual(self._standings(), quiet)

    def test_order_written_in_sql_is_ranked_by_the_next_daily_run(self):
        self._stamp_rebuild_an_hour_ago()
        smallest = self.hundred[-1]
        self._insert_in_sql(smallest, 5000, "sale")
        self._run_cron()
        # it ranks everyone again: the others' ranks moved
        self.assertGreater(
            self.company.customer_pyramid_last_full_run, self.an_hour_ago
        )
        self.assertEqual(self._level(smallest), "top")
        self.assertEqual(self._level(self.hundred[0]), "big")

    def test_order_cancelled_in_sql_is_counted_by_the_next_daily_run(self):
        self._stamp_rebuild_an_hour_ago()
        top = self.hundred[0]
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET state = 'cancel' WHERE partner_id = %s",
                top.id,
            )
        )
        self._run_cron()
        # its one order cancelled, it never bought
        self.assertEqual(self._level(top), "suspect")
        self.assertEqual(self._level(self.hundred[1]), "top")

    def test_settings_change_makes_the_daily_run_a_full_rebuild(self):
        self._stamp_rebuild_an_hour_ago()
        self.company.customer_pyramid_grace_band = 5
        self._run_cron()
        self.assertGreater(
            self.company.customer_pyramid_last_full_run, self.an_hour_ago
        )

    def test_daily_run_rebuilds_when_the_last_rebuild_is_too_old(self):
        eight_days_ago = fields.Datetime.now() - timedelta(days=8)
        self.company.customer_pyramid_last_full_run = eight_days_ago
        self._run_cron()
        self.assertGreater(self.company.customer_pyramid_last_full_run, eight_days_ago)

    def test_recompute_now_always_rebuilds(self):
        self._stamp_rebuild_an_hour_ago()
        self._recompute()
        self.assertGreater(
            self.company.customer_pyramid_last_full_run, self.an_hour_ago
        )

    def test_rebuild_days_below_one_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "at least 1"):
            self.company.customer_pyramid_rebuild_days = 0

    def test_triggers_note_an_order_written_in_sql(self):
        order = self.hundred[3].sale_order_ids[:1]
        self.env["customer.pyramid.change"]._take(self.company)
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET amount_untaxed = amount_untaxed + 1"
                " WHERE id = %s",
                order.id,
            )
        )
        self.assertEqual(
            self.env["customer.pyramid.change"]._take(self.company),
            {self.hundred[3].id},
        )

    def test_triggers_ignore_a_write_of_what_the_pyramid_does_not_read(self):
        order = self.hundred[3].sale_order_ids[:1]
        self.env["customer.pyramid.change"]._take(self.company)
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET client_order_ref = 'PO 12' WHERE id = %s",
                order.id,
            )
        )
        self.assertFalse(self.env["customer.pyramid.change"]._take(self.company))


@tagged("post_install", "-at_install")
class TestQuietRunWindow(CustomerPyramidCase):
    """An order that left the window since the last run reaches its customer
    in a quiet run."""

    def test_order_leaving_the_window_is_applied_without_a_rebuild(self):
        self.company.customer_pyramid_rebuild_days = 30
        ten_days_ago = fields.Datetime.now() - timedelta(days=10)  # whole seconds
        with freeze_time(ten_days_ago):
            first, second, third = self._partners(3)
            self._order(first, 1000)
            self._order(second, 500)
            self._order(third, 100)
            # in the twelve months' window ten days ago, out of it today
            self._order(second, 50, days_ago=360)
            self.engine.recompute_companies(self.company)
        self.assertEqual(
            second.with_company(self.company).customer_pyramid_revenue, 550
        )
        self._run_cron()
        second.invalidate_recordset()
        self.assertEqual(
            second.with_company(self.company).customer_pyramid_revenue, 500
        )
        self.assertEqual(second.with_company(self.company).customer_pyramid_rank, 2)
        self.assertEqual(self.company.customer_pyramid_last_full_run, ten_days_ago)
