from datetime import date, datetime

from odoo.tests import tagged

from .common import CustomerPyramidCase
from .test_outlook import SHARES


@tagged("post_install", "-at_install")
class TestActBeforeTheDrop(CustomerPyramidCase):
    """Five active customers split 1 / 1 / 1 / 2 (top 3,000, big 1,000,
    medium 600, small 400 and 300): big's first order leaves the window on
    11 April 2027, 27 days after today."""

    freeze_time = "2027-03-15 12:00:00"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(SHARES)
        cls.top, cls.big, cls.medium, cls.small, cls.smallest = cls._partners(
            5, prefix="Act"
        )
        cls.salesperson = cls._user("act_salesperson", "sales_team.group_sale_salesman")
        cls.big.user_id = cls.salesperson
        for partner, amount, day in (
            (cls.top, 3000, date(2027, 3, 15)),
            (cls.big, 400, date(2026, 4, 10)),
            (cls.big, 600, date(2027, 2, 1)),
            (cls.medium, 600, date(2027, 3, 15)),
            (cls.small, 400, date(2027, 3, 15)),
            (cls.smallest, 300, date(2027, 3, 15)),
        ):
            order = cls._order(partner, amount)
            order.date_order = datetime.combine(day, datetime.min.time())
            cls._end_transaction()
        cls.engine.recompute_companies(cls.company)
        cls.retention = cls.env.ref("customer_pyramid.mail_activity_type_retention")
        cls.grow = cls.env.ref("customer_pyramid.mail_activity_type_grow")

    def _activities(self, partner, activity_type=None):
        domain = [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        if activity_type:
            domain.append(("activity_type_id", "=", activity_type.id))
        return self.env["mail.activity"].search(domain)

    def test_levels_of_the_data_set(self):
        self.assertEqual(
            self._levels(
                self.top | self.big | self.medium | self.small | self.smallest
            ),
            ["top", "big", "medium", "small", "small"],
        )

    def test_no_activity_before_the_drop_when_the_lead_time_is_zero(self):
        self._run_cron()
        self.assertFalse(self._activities(self.big, self.retention))

    def test_retention_activity_n_days_before_the_forecast_drop(self):
        self.company.customer_pyramid_retention_lead_days = 30
        self._run_cron()
        activity = self._activities(self.big, self.retention)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.date_deadline, date(2027, 4, 10))
        self.assertEqual(
            activity.summary, "Big until 04/11/2027; needs $\xa0400.00 more by then"
        )

    def test_a_drop_beyond_the_lead_time_gets_no_activity_yet(self):
        self.company.customer_pyramid_retention_lead_days = 20
        self._run_cron()
        self.assertFalse(self._activities(self.big, self.retention))

    def test_a_second_run_schedules_no_second_activity(self):
        self.company.customer_pyramid_retention_lead_days = 30
        self._run_cron()
        self._run_cron()
        self.assertEqual(len(self._activities(self.big, self.retention)), 1)

    def test_no_activity_for_a_customer_in_cooling_off(self):
        self.company.customer_pyramid_retention_lead_days = 30
        self.env["customer.offer.refusal"].create(
            {
                "partner_id": self.big.id,
                "company_id": self.company.id,
                "date": date(2027, 3, 1),
                "product_id": self.product.id,
                "channel": "phone",
            }
        )
        self._run_cron()
        self.assertFalse(self._activities(self.big))

    def test_open_complaint_gets_solve_the_complaint_instead(self):
        self.company.customer_pyramid_retention_lead_days = 30
        self.big.with_company(self.company).customer_complaint_open = True
        self._end_transaction()
        self._run_cron()
        activity = self._activities(self.big, self.retention)
        self.assertEqual(len(activity), 1)
        self.assertTrue(
            activity.summary.startswith("Solve the open complaint first; then: Big")
        )

    def test_grow_activity_when_an_order_brings_a_customer_near_the_next_level(self):
        self.company.customer_pyramid_grow_activity = True
        # medium at 600 is 40 % below big's 1,000; 350 more makes it 5 %
        self._order(self.medium, 350)
        activity = self._activities(self.medium, self.grow)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "$\xa050.00 more reaches Big")

    def test_no_grow_activity_when_the_setting_is_off(self):
        self._order(self.medium, 350)
        self.assertFalse(self._activities(self.medium, self.grow))

    def test_no_grow_activity_for_a_customer_already_in_the_band(self):
        self.company.customer_pyramid_grow_activity = True
        self._order(self.medium, 350)
        self._activities(self.medium, self.grow).action_done()
        self._order(self.medium, 10)
        self.assertFalse(self._activities(self.medium, self.grow))


@tagged("post_install", "-at_install")
class TestLapsedCustomers(CustomerPyramidCase):
    freeze_time = "2027-03-15 12:00:00"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loyal, cls.buyer = cls._partners(2, prefix="Lapsed")
        for day in (date(2025, 10, 1), date(2025, 12, 1), date(2026, 2, 1)):
            order = cls._order(cls.loyal, 100)
            order.date_order = datetime.combine(day, datetime.min.time())
            cls._end_transaction()
        cls._order(cls.buyer, 100)
        cls.stages = {
            stage.rule: stage
            for stage in cls.env["customer.lifecycle.stage"].search([])
        }
        # before Conversion, as docs/options.md advises
        cls.stages["winback"] = cls.env["customer.lifecycle.stage"].create(
            {"name": "Win-back", "sequence": 25}
        )
        cls.loyal.with_company(cls.company).customer_lifecycle_stage_id = cls.stages[
            "loyalty"
        ]
        cls._end_transaction()

    def _stage(self, partner):
        partner.invalidate_recordset()
        return partner.with_company(self.company).customer_lifecycle_stage_id

    def test_lapsed_card_says_since_when_and_stays_in_loyalty(self):
        self._recompute()
        loyal = self.loyal.with_company(self.company)
        self.assertEqual(loyal.customer_pyramid_level, "inactive")
        self.assertEqual(loyal.customer_pyramid_lapsed_since, date(2027, 2, 2))
        self.assertEqual(loyal.customer_pyramid_outlook, "lapsed")
        self.assertEqual(self._stage(self.loyal), self.stages["loyalty"])

    def test_win_back_moves_the_lapsed_customer_and_records_it(self):
        self.company.customer_lifecycle_winback_stage_id = self.stages["winback"]
        self._recompute()
        self.assertEqual(self._stage(self.loyal), self.stages["winback"])
        history = self.env["customer.lifecycle.history"].search(
            [("partner_id", "=", self.loyal.id), ("cause", "=", "winback")]
        )
        self.assertEqual(history.from_stage_id, self.stages["loyalty"])
        self.assertEqual(history.to_stage_id, self.stages["winback"])

    def test_win_back_leaves_an_active_customer_where_it_is(self):
        self.company.customer_lifecycle_winback_stage_id = self.stages["winback"]
        stage = self._stage(self.buyer)
        self._recompute()
        self.assertEqual(self._stage(self.buyer), stage)

    def test_a_won_back_customer_moves_forward_on_its_next_order(self):
        self.company.customer_lifecycle_winback_stage_id = self.stages["winback"]
        self._recompute()
        self._order(self.loyal, 100)
        self.assertEqual(self._stage(self.loyal), self.stages["conversion"])


@tagged("post_install", "-at_install")
class TestWatchlist(CustomerPyramidCase):
    """This week's list reads today's date in PostgreSQL: no frozen time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = cls._user("watch_alice", "sales_team.group_sale_salesman")
        cls.bob = cls._user("watch_bob", "sales_team.group_sale_salesman")
        cls.lapsed, cls.recent, cls.bobs = cls._partners(3, prefix="Watch")
        (cls.lapsed | cls.recent).user_id = cls.alice
        cls.bobs.user_id = cls.bob
        # 800 over two orders 400 and 500 days ago: one window, lapsed
        cls._order(cls.lapsed, 300, days_ago=500)
        cls._order(cls.lapsed, 500, days_ago=400)
        cls._order(cls.recent, 100)
        cls._order(cls.bobs, 700, days_ago=420)
        cls.engine.recompute_companies(cls.company)

    def _rows(self, user):
        return (
            self.env["customer.pyramid.watchlist"]
            .with_user(user)
            .with_context(allowed_company_ids=[self.company.id])
            .search([("company_id", "=", self.company.id)])
        )

    def test_salesperson_sees_their_lapsed_customer_with_the_revenue_at_stake(self):
        rows = self._rows(self.alice)
        self.assertEqual(rows.partner_id, self.lapsed)
        self.assertEqual(rows.reason, "lapsed")
        self.assertEqual(rows.revenue_at_stake, 800)
        self.assertEqual(rows.summary[:13], "Lapsed since ")

    def test_manager_sees_the_whole_team_by_revenue_at_stake(self):
        manager = self._user("watch_manager", "sales_team.group_sale_manager")
        self.assertEqual(
            self._rows(manager).partner_id.ids, [self.lapsed.id, self.bobs.id]
        )
