from datetime import timedelta

from lxml import html

from odoo import fields
from odoo.tests import tagged

from .common import CustomerPyramidCase, load_arabic

REPORT = "customer_pyramid.customer_pyramid_report_action_pdf"
SHARES_10_20_30_40 = {
    "customer_pyramid_top_share": 10,
    "customer_pyramid_big_share": 20,
    "customer_pyramid_medium_share": 30,
    "customer_pyramid_small_share": 40,
}


@tagged("post_install", "-at_install")
class TestPyramidReport(CustomerPyramidCase):
    """The pyramid per level: customers, revenue, their shares and cut-offs.

    Shares 10/20/30/40 % and 16 partners:
    - 10 active customers with 1000, 900, ..., 100 in the window: top 1
      (1000), big 2 (900 + 800 = 1700), medium 3 (700 + 600 + 500 = 1800),
      small 4 (400 + 300 + 200 + 100 = 1000); 5500 in all;
    - 2 inactive (bought 400 days ago), 1 marked prospect, 2 suspects and
      1 marked "no need" (rest of the world), all without revenue.
    Share of customers = count / 16; share of revenue = revenue / 5500.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(SHARES_10_20_30_40)
        customers = cls._partners(10)
        cls._bulk_orders(
            [(partner, 1000 - 100 * index) for index, partner in enumerate(customers)]
        )
        formers = cls._partners(2, prefix="Former")
        for former in formers:
            cls._order(former, 500, days_ago=400)
        prospect, rest = cls._partners(2, prefix="Marked")
        prospect.customer_pyramid_mark = "prospect"
        rest.customer_pyramid_mark = "rest"
        cls._partners(2, prefix="Suspect")
        cls.engine.recompute_companies(cls.company, cause="manual_recompute")
        cls.run_rows = cls.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", cls.company.id)]
        )

    def _report(self, date=None):
        return self.env["customer.pyramid.report"].create(
            {"company_id": self.company.id, "date": date or fields.Date.today()}
        )

    def _by_level(self, field):
        return {row.level: row[field] for row in self.run_rows}

    def _rendered_rows(self, report):
        content, _format = self.env["ir.actions.report"]._render_qweb_html(
            REPORT, report.ids
        )
        page = html.fromstring(content)
        return page, {
            row.xpath(".//div[@data-level]")[0].get("data-level"): [
                " ".join(cell.text_content().split()) for cell in row.xpath("./td")
            ]
            for row in page.xpath("//tbody/tr")
        }

    def test_customers_per_level(self):
        self.assertEqual(
            self._by_level("customer_count"),
            {
                "top": 1,
                "big": 2,
                "medium": 3,
                "small": 4,
                "inactive": 2,
                "prospect": 1,
                "suspect": 2,
                "rest": 1,
            },
        )

    def test_share_of_customers_is_of_all_partners_of_the_run(self):
        # 1/16 = 6.25 %, 2/16 = 12.5 %, 3/16 = 18.75 %, 4/16 = 25 %
        self.assertEqual(
            self._by_level("customer_share"),
            {
                "top": 6.25,
                "big": 12.5,
                "medium": 18.75,
                "small": 25.0,
                "inactive": 12.5,
                "prospect": 6.25,
                "suspect": 12.5,
                "rest": 6.25,
            },
        )

    def test_share_of_revenue_is_of_the_run_total(self):
        shares = self._by_level("revenue_share")
        # 1000 / 5500 = 18.1818 %, 1700 / 5500 = 30.9091 %, 1800 / 5500 = 32.7273 %
        self.assertAlmostEqual(shares["top"], 18.1818, places=4)
        self.assertAlmostEqual(shares["big"], 30.9091, places=4)
        self.assertAlmostEqual(shares["medium"], 32.7273, places=4)
        self.assertAlmostEqual(shares["small"], 18.1818, places=4)
        self.assertEqual(shares["inactive"] + shares["suspect"] + shares["rest"], 0)

    def test_shares_of_one_run_add_up_to_100_in_the_pivot(self):
        groups = self.env["customer.pyramid.snapshot"].read_group(
            [("company_id", "=", self.company.id), ("is_latest_run", "=", True)],
            ["customer_share:sum", "revenue_share:sum"],
            [],
        )
        self.assertAlmostEqual(groups[0]["customer_share"], 100, places=6)
        self.assertAlmostEqual(groups[0]["revenue_share"], 100, places=6)

    def test_pivot_lists_levels_from_the_apex_down(self):
        levels = [
            level
            for (level,) in self.env["customer.pyramid.snapshot"]._read_group(
                [("company_id", "=", self.company.id)], ["level"]
            )
        ]
        self.assertEqual(
            levels,
            [
                "top",
                "big",
                "medium",
                "small",
                "inactive",
                "prospect",
                "suspect",
                "rest",
            ],
        )

    def test_cutoff_is_the_lowest_revenue_of_each_level(self):
        cutoffs = self._by_level("cutoff_revenue")
        self.assertEqual(
            [cutoffs[level] for level in ("top", "big", "medium", "small")],
            [1000, 800, 500, 100],
        )

    def test_latest_run_filter_keeps_only_the_last_recompute(self):
        self.run_rows.write({"run_date": fields.Datetime.now() - timedelta(days=1)})
        self._recompute()
        latest = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("is_latest_run", "=", True)]
        )
        self.assertEqual(len(latest), 8)
        self.assertFalse(latest & self.run_rows)

    def test_second_run_in_the_same_second_replaces_the_snapshot(self):
        self._recompute()
        run_date = (
            self.env["customer.pyramid.snapshot"]
            .search([("company_id", "=", self.company.id)], limit=1)
            .run_date
        )
        self.env["customer.pyramid.snapshot"]._store_run(
            self.company,
            run_date,
            self.company._customer_pyramid_settings_label(),
            self.engine._latest_run(self.company)[0],
        )
        self.assertEqual(
            self.env["customer.pyramid.snapshot"].search_count(
                [("company_id", "=", self.company.id), ("run_date", "=", run_date)]
            ),
            8,
        )

    def test_report_reads_the_last_run_at_or_before_its_date(self):
        # the setUpClass run moved back ten days, then a new run today
        self.run_rows.write({"run_date": fields.Datetime.now() - timedelta(days=10)})
        self._recompute()
        five_days_ago = fields.Date.today() - timedelta(days=5)
        self.assertEqual(self._report(five_days_ago).snapshot_ids, self.run_rows)
        self.assertFalse(self._report().snapshot_ids & self.run_rows)

    def test_report_before_any_run_is_empty(self):
        self.assertFalse(self._report(fields.Date.today() - timedelta(days=1)).run_date)

    def test_printed_report_shows_each_level_with_its_figures(self):
        _page, rows = self._rendered_rows(self._report())
        # level, customers, share of customers, revenue, share, cut-off (then
        # the customers at risk and their revenue)
        self.assertEqual(
            rows["big"][:6],
            ["Big", "2", "12.50 %", "$ 1,700.00", "30.91 %", "$ 800.00"],
        )
        self.assertEqual(
            rows["small"][:6],
            ["Small", "4", "25.00 %", "$ 1,000.00", "18.18 %", "$ 100.00"],
        )
        # no cut-off outside the ranked levels
        self.assertEqual(
            rows["inactive"][:6], ["Inactive", "2", "12.50 %", "$ 0.00", "0.00 %", ""]
        )

    def test_printed_pyramid_widens_from_the_apex(self):
        page, _rows = self._rendered_rows(self._report())
        bands = page.xpath("//div[@data-level]")
        self.assertEqual(
            [band.get("data-level") for band in bands],
            [
                "top",
                "big",
                "medium",
                "small",
                "inactive",
                "prospect",
                "suspect",
                "rest",
            ],
        )
        # 25 % at the apex, 75 % more spread over the seven steps to the base
        widths = [
            float(band.get("style").split("width:")[1].split("%")[0]) for band in bands
        ]
        expected = [25 + 75 * step / 7 for step in range(8)]
        for width, want in zip(widths, expected, strict=True):
            self.assertAlmostEqual(width, want, places=6)


@tagged("post_install", "-at_install")
class TestPyramidRevenueToTheCent(CustomerPyramidCase):
    """Revenue per level adds up to the cent, where doubles would not.

    Shares 10/20/30/40 % and 10 customers: 1000 top; 0.20 and 0.10 big,
    0.1 + 0.2 = 0.30000000000000004 in doubles; the others below.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(SHARES_10_20_30_40)
        amounts = [1000, 0.2, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03]
        cls._bulk_orders(list(zip(cls._partners(10), amounts, strict=True)))
        cls.engine.recompute_companies(cls.company)

    def test_snapshot_revenue_of_a_level_is_exact(self):
        big = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("level", "=", "big")]
        )
        self.assertEqual(big.revenue, 0.3)

    def test_preview_revenue_of_a_level_is_exact(self):
        action = (
            self.env["res.config.settings"].create({}).action_customer_pyramid_preview()
        )
        preview = self.env["customer.pyramid.preview"].browse(action["res_id"])
        big = preview.level_ids.filtered(lambda line: line.level == "big")
        self.assertEqual((big.current_revenue, big.new_revenue), (0.3, 0.3))


@tagged("post_install", "-at_install")
class TestPyramidReportArabic(CustomerPyramidCase):
    """The printed pyramid in Arabic reads right to left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_arabic(cls.env)
        cls._order(cls._partners(1), 100)
        cls.engine.recompute_companies(cls.company)
        cls.report = cls.env["customer.pyramid.report"].create(
            {"company_id": cls.company.id}
        )

    def test_printed_report_is_right_to_left_with_arabic_labels(self):
        content, _format = (
            self.env["ir.actions.report"]
            .with_context(lang="ar_001")
            ._render_qweb_html(REPORT, self.report.ids)
        )
        page = html.fromstring(content)
        self.assertEqual(page.xpath("//body")[0].get("dir"), "rtl")
        self.assertEqual(page.xpath("//div[hasclass('page')]")[0].get("dir"), "rtl")
        top = page.xpath("//div[@data-level='top']")[0]
        self.assertEqual(top.text_content().strip(), "الأعلى")
        headers = [" ".join(th.text_content().split()) for th in page.xpath("//th")]
        self.assertIn("حصة الإيرادات", headers)
