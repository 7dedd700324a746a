from datetime import date, datetime

from odoo.tests import tagged
from odoo.tools import SQL

from .common import CustomerPyramidCase

# Ten active customers split 1 / 2 / 3 / 4 with these shares: top 5,000;
# big 2,000 and "big" 1,000; medium 900, 800 and "medium" 700; small 500,
# 400, "small" 300 and "one order" 200. Cut-offs: top 5,000, big 1,000,
# medium 700, small 200. Today is 15 March 2027: the 12-month window starts
# on 15 March 2026.
SHARES = {
    "customer_pyramid_top_share": 10,
    "customer_pyramid_big_share": 20,
    "customer_pyramid_medium_share": 30,
    "customer_pyramid_small_share": 40,
}


@tagged("post_install", "-at_install")
class TestOutlook(CustomerPyramidCase):
    freeze_time = "2027-03-15 12:00:00"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(SHARES)
        names = ["top", "big2000", "big", "medium900", "medium800", "medium"]
        names += ["small500", "small400", "small", "one order", "former"]
        cls.partner = dict(
            zip(names, cls._partners(len(names), prefix="Outlook"), strict=True)
        )
        orders = {
            "top": [(date(2027, 3, 15), 5000)],
            "big2000": [(date(2027, 3, 15), 2000)],
            # gaps of 144 and 153 days: usual 148.5
            "big": [
                (date(2026, 4, 10), 300),
                (date(2026, 9, 1), 300),
                (date(2027, 2, 1), 400),
            ],
            "medium900": [(date(2027, 3, 15), 900)],
            "medium800": [(date(2027, 3, 15), 800)],
            "medium": [(date(2026, 6, 30), 200), (date(2027, 1, 31), 500)],
            "small500": [(date(2027, 3, 15), 500)],
            "small400": [(date(2027, 3, 15), 400)],
            # an order before the window counts for the rhythm, not the revenue:
            # gaps 121, 30, 31: usual 31
            "small": [
                (date(2025, 12, 1), 50),
                (date(2026, 4, 1), 100),
                (date(2026, 5, 1), 100),
                (date(2026, 6, 1), 100),
            ],
            "one order": [(date(2027, 3, 1), 200)],
            "former": [(date(2026, 2, 1), 600)],
        }
        for name, rows in orders.items():
            for day, amount in rows:
                cls._order_on(cls.partner[name], amount, day)
        cls.engine.recompute_companies(cls.company)

    @classmethod
    def _order_on(cls, partner, amount, day):
        order = cls._order(partner, amount)
        order.date_order = datetime.combine(day, datetime.min.time()).replace(hour=10)
        cls._end_transaction()
        return order

    def _get(self, name):
        partner = self.partner[name].with_company(self.company)
        partner.invalidate_recordset()
        return partner

    def test_levels_of_the_data_set(self):
        levels = {name: self._get(name).customer_pyramid_level for name in self.partner}
        self.assertEqual(
            levels,
            {
                "top": "top",
                "big2000": "big",
                "big": "big",
                "medium900": "medium",
                "medium800": "medium",
                "medium": "medium",
                "small500": "small",
                "small400": "small",
                "small": "small",
                "one order": "small",
                "former": "inactive",
            },
        )

    def test_big_customer_drops_when_its_first_order_leaves_the_window(self):
        big = self._get("big")
        # 10 April 2026 leaves on 11 April 2027: 700 stays, below big's 1,000
        self.assertEqual(big.customer_pyramid_drop_date, date(2027, 4, 11))
        self.assertEqual(big.customer_pyramid_keep_amount, 300)

    def test_medium_customer_forecast(self):
        medium = self._get("medium")
        # 30 June 2026 leaves on 1 July 2027: 500 stays, below medium's 700
        self.assertEqual(medium.customer_pyramid_drop_date, date(2027, 7, 1))
        self.assertEqual(medium.customer_pyramid_keep_amount, 200)

    def test_small_customer_drops_when_its_last_order_leaves(self):
        small = self._get("small")
        # 1 June 2026 leaves on 2 June 2027; any order keeps a small customer
        self.assertEqual(small.customer_pyramid_drop_date, date(2027, 6, 2))
        self.assertFalse(small.customer_pyramid_keep_amount)

    def test_top_customer_forecast_against_its_own_cut_off(self):
        top = self._get("top")
        self.assertEqual(top.customer_pyramid_drop_date, date(2028, 3, 16))
        self.assertEqual(top.customer_pyramid_keep_amount, 5000)

    def test_next_level_gap_at_each_level(self):
        gaps = {
            name: (
                self._get(name).customer_pyramid_next_gap,
                self._get(name).customer_pyramid_next_gap_percent,
            )
            for name in ("top", "big", "medium", "small", "one order")
        }
        self.assertEqual(
            gaps,
            {
                "top": (0, 0),
                "big": (4000, 80),
                "medium": (300, 30),
                "small": (400, 57.14),
                "one order": (500, 71.43),
            },
        )

    def test_usual_gap_is_the_median_of_the_order_days_gaps(self):
        self.assertEqual(self._get("big").customer_pyramid_usual_gap, 148.5)
        self.assertEqual(self._get("medium").customer_pyramid_usual_gap, 215)
        self.assertEqual(self._get("small").customer_pyramid_usual_gap, 31)
        self.assertFalse(self._get("one order").customer_pyramid_usual_gap)

    def test_risk_date_is_the_last_order_plus_the_usual_gap_times_the_factor(self):
        # 1 February 2027 + ceil(1.5 x 148.5) = 223 days
        self.assertEqual(self._get("big").customer_pyramid_risk_date, date(2027, 9, 12))
        # 1 June 2026 + ceil(1.5 x 31) = 47 days
        self.assertEqual(
            self._get("small").customer_pyramid_risk_date, date(2026, 7, 18)
        )

    def test_one_order_customer_uses_the_company_default_gap(self):
        self.assertEqual(
            self._get("one order").customer_pyramid_risk_date, date(2027, 5, 30)
        )
        self.company.customer_pyramid_risk_default_days = 10
        self._recompute()
        self.assertEqual(
            self._get("one order").customer_pyramid_risk_date, date(2027, 3, 11)
        )
        self.assertEqual(self._get("one order").customer_pyramid_outlook, "at_risk")

    def test_outlook_of_each_customer(self):
        outlooks = {
            name: self._get(name).customer_pyramid_outlook
            for name in ("top", "big", "medium", "small", "one order", "former")
        }
        self.assertEqual(
            outlooks,
            {
                "top": "safe",
                "big": "dropping",
                "medium": "safe",
                "small": "at_risk",
                "one order": "safe",
                "former": "lapsed",
            },
        )

    def test_former_customer_lapsed_when_its_last_order_left_the_window(self):
        former = self._get("former")
        self.assertEqual(former.customer_pyramid_lapsed_since, date(2027, 2, 2))
        self.assertFalse(former.customer_pyramid_drop_date)
        self.assertFalse(former.customer_pyramid_risk_date)

    def test_reason_in_one_line(self):
        self.assertEqual(
            self._get("big").customer_pyramid_outlook_reason,
            "Big until 04/11/2027; needs $\xa0300.00 more by then",
        )
        self.assertEqual(
            self._get("small").customer_pyramid_outlook_reason,
            "At risk: 287 days since the last order, usually 31",
        )
        self.assertEqual(
            self._get("former").customer_pyramid_outlook_reason,
            "Lapsed since 02/02/2027",
        )

    def test_filters_find_dropping_at_risk_lapsed_and_near(self):
        partners = self.env["res.partner"].with_company(self.company)
        ours = [("id", "in", [p.id for p in self.partner.values()])]

        def names(domain):
            found = partners.search(ours + domain)
            return sorted(
                name for name, partner in self.partner.items() if partner in found
            )

        self.assertEqual(
            names([("customer_pyramid_drop_date", "<=", date(2027, 4, 14))]), ["big"]
        )
        self.assertEqual(
            names([("customer_pyramid_outlook", "=", "at_risk")]), ["small"]
        )
        self.assertEqual(
            names([("customer_pyramid_lapsed_since", "!=", False)]), ["former"]
        )
        # medium 900 is 10 % below big's 1,000, medium 800 20 %, small 500 28.57 %
        # below medium's 700
        near = [("customer_pyramid_near_next_level", "=", True)]
        self.assertEqual(names(near), ["medium900"])
        self.company.customer_pyramid_grow_band = 25
        self.assertEqual(names(near), ["medium800", "medium900"])

    def test_board_columns_sum_revenue_by_outlook(self):
        groups = (
            self.env["res.partner"]
            .with_company(self.company)
            ._read_group(
                [("id", "in", [p.id for p in self.partner.values()])],
                ["customer_pyramid_level", "customer_pyramid_outlook"],
                ["__count", "customer_pyramid_revenue:sum"],
            )
        )
        self.assertEqual(
            sorted(groups),
            sorted(
                [
                    ("top", "safe", 1, 5000),
                    ("big", "safe", 1, 2000),
                    ("big", "dropping", 1, 1000),
                    ("medium", "safe", 3, 2400),
                    ("small", "safe", 3, 1100),
                    ("small", "at_risk", 1, 300),
                    ("inactive", "lapsed", 1, 0),
                ]
            ),
        )

    def test_pyramid_report_counts_the_customers_at_risk_per_level(self):
        snapshots = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("is_latest_run", "=", True)]
        )
        at_risk = {
            snapshot.level: (snapshot.at_risk_count, snapshot.at_risk_revenue)
            for snapshot in snapshots
            if snapshot.at_risk_count
        }
        self.assertEqual(at_risk, {"small": (1, 300)})

    def test_pyramid_by_salesperson_with_the_customers_at_risk(self):
        seller = self._user("outlook_seller", "sales_team.group_sale_salesman")
        (self.partner["big"] | self.partner["small"]).user_id = seller
        self._end_transaction()
        self._recompute()
        rows = self.env["customer.pyramid.team.snapshot"].search(
            [
                ("company_id", "=", self.company.id),
                ("is_latest_run", "=", True),
                ("user_id", "=", seller.id),
            ]
        )
        self.assertEqual(
            sorted(
                (
                    r.level,
                    r.customer_count,
                    r.revenue,
                    r.at_risk_count,
                    r.at_risk_revenue,
                )
                for r in rows
            ),
            [("big", 1, 1000, 0, 0), ("small", 1, 300, 1, 300)],
        )

    def test_an_order_moves_the_forecast_at_once(self):
        big = self.partner["big"]
        self._order(big, 300)
        big = self._get("big")
        # 1,300: after 11 April 2027 1,000 stays, after 2 September 2027 700
        self.assertEqual(big.customer_pyramid_drop_date, date(2027, 9, 2))
        self.assertEqual(big.customer_pyramid_keep_amount, 300)
        self.assertEqual(big.customer_pyramid_next_gap, 3700)
        self.assertEqual(big.customer_pyramid_outlook, "safe")

    def test_daily_run_refreshes_a_partner_changed_in_sql(self):
        # 500 to 450 moves no cut-off: the run refreshes the rewritten row only
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = 450 WHERE partner_id = %s",
            [self.partner["small500"].id],
        )
        self._run_cron()
        small = self._get("small500")
        self.assertEqual(small.customer_pyramid_revenue, 450)
        self.assertEqual(small.customer_pyramid_next_gap, 250)

    def test_a_run_with_nothing_changed_writes_no_outlook(self):
        self.env.cr.execute(
            "SELECT count(*) FROM customer_pyramid_standing WHERE company_id = %s"
            " AND drop_date IS NOT NULL",
            [self.company.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 10)
        cutoffs = self.engine._latest_run(self.company)[0]
        self.env.cr.execute(
            self.env["customer.pyramid.outlook"]._outlook_update(
                self.company, cutoffs, SQL()
            )
        )
        self.assertEqual(self.env.cr.fetchall(), [])


@tagged("post_install", "-at_install")
class TestOutlookMonthEnds(CustomerPyramidCase):
    """A one-month window: an order leaves it on the first day the window
    starts after it, also where adding a month clips to a shorter month."""

    freeze_time = "2027-02-10 12:00:00"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.customer_pyramid_window_months = 1
        cls.clipped, cls.plain = cls._partners(2, prefix="Month end")
        for partner, day in ((cls.clipped, 30), (cls.plain, 27)):
            order = cls._order(partner, 100)
            order.date_order = datetime(2027, 1, day, 10)
            cls._end_transaction()
        cls.engine.recompute_companies(cls.company)

    def test_order_of_30_january_leaves_on_1_march(self):
        # on 28 February the window starts on 28 January: still in it
        partner = self.clipped.with_company(self.company)
        self.assertEqual(partner.customer_pyramid_drop_date, date(2027, 3, 1))

    def test_order_of_27_january_leaves_on_28_february(self):
        partner = self.plain.with_company(self.company)
        self.assertEqual(partner.customer_pyramid_drop_date, date(2027, 2, 28))
