from lxml import html

from odoo import Command
from odoo.tests import TransactionCase, tagged

RANKED = ("top", "big", "medium", "small")
MENUS = (
    "customer_pyramid_menu_report_pyramid",
    "customer_pyramid_menu_report_concentration",
    "customer_pyramid_menu_report_migration",
    "customer_pyramid_menu_report_funnel",
)


@tagged("customer_pyramid_demo", "post_install", "-at_install")
class TestDemoReports(TransactionCase):
    """A new sales manager opens each report on the demo data.

    The demo has exactly 1000 active customers: 10 / 40 / 150 / 800, and 8
    referrers in Advocacy; every level was written at installation, so
    nothing has moved yet.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        manager = cls.env["res.users"].create(
            {
                "name": "Demo Sales Manager",
                "login": "demo_reports_manager",
                "email": "demo.reports.manager@example.com",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [
                    Command.set(cls.env.ref("sales_team.group_sale_manager").ids)
                ],
            }
        )
        cls.env = cls.env(user=manager, context=dict(cls.env.context, tz="UTC"))

    def _open(self, xmlid):
        """What the menu does: read the action, create its form with defaults."""
        action = self.env["ir.actions.actions"]._for_xml_id(f"customer_pyramid.{xmlid}")
        return self.env[action["res_model"]].create({})

    def _latest_snapshot(self):
        groups = self.env["customer.pyramid.snapshot"]._read_group(
            [("is_latest_run", "=", True)],
            ["level"],
            ["customer_count:sum", "revenue_share:sum"],
        )
        return {level: (count, share) for level, count, share in groups}

    def test_manager_sees_the_four_report_menus(self):
        visible = self.env["ir.ui.menu"]._visible_menu_ids()
        for menu in MENUS:
            self.assertIn(self.env.ref(f"customer_pyramid.{menu}").id, visible)

    def test_pyramid_pivot_of_the_latest_run(self):
        snapshot = self._latest_snapshot()
        self.assertEqual([snapshot[level][0] for level in RANKED], [10, 40, 150, 800])
        self.assertAlmostEqual(
            sum(share for _count, share in snapshot.values()), 100, places=6
        )

    def test_printed_pyramid_of_today(self):
        report = self._open("customer_pyramid_report_action")
        action = report.action_print()
        content, _format = self.env["ir.actions.report"]._render_qweb_html(
            action["report_name"], report.ids
        )
        page = html.fromstring(content)
        counts = {
            row.xpath(".//div[@data-level]")[0].get("data-level"): row.xpath("./td")[1]
            .text_content()
            .strip()
            for row in page.xpath("//tbody/tr")
        }
        self.assertEqual(
            [counts[level] for level in RANKED], ["10", "40", "150", "800"]
        )

    def test_concentration_matches_the_pyramid(self):
        report = self._open("customer_pyramid_concentration_action")
        report.action_compute()
        self.assertEqual(report.customer_count, 1000)
        # ceil(1 %, 5 %, 20 % of 1000) = 10, 50, 200: the top, top and big,
        # and top, big and medium levels of the pyramid
        shares = {
            level: share for level, (_count, share) in self._latest_snapshot().items()
        }
        self.assertAlmostEqual(report.top_1_share, shares["top"], delta=0.005)
        self.assertAlmostEqual(
            report.top_5_share, shares["top"] + shares["big"], delta=0.005
        )
        self.assertAlmostEqual(
            report.top_20_share,
            shares["top"] + shares["big"] + shares["medium"],
            delta=0.005,
        )
        # Pareto demo revenue: the top 20 % bring well over half, unequally
        self.assertGreater(report.top_20_share, 50)
        self.assertGreater(report.gini, 0.5)
        lorenz = report.line_ids.filtered(lambda line: line.curve == "lorenz")
        self.assertEqual(len(lorenz), 21)

    def test_migration_since_installation(self):
        report = self._open("customer_pyramid_migration_action")
        report.action_compute()
        action = report.action_open_matrix()
        cells = dict(
            self.env["customer.pyramid.migration.line"]._read_group(
                action["domain"] + [("from_level", "=", False)],
                ["to_level"],
                ["__count"],
            )
        )
        self.assertEqual([cells[level] for level in RANKED], [10, 40, 150, 800])
        self.assertEqual(
            (
                report.moved_up_count,
                report.moved_down_count,
                report.churned_count,
                report.converted_count,
            ),
            (0, 0, 0, 0),
        )

    def test_funnel_matches_the_lifecycle_board(self):
        report = self._open("customer_lifecycle_funnel_action")
        report.action_compute()
        board = dict(
            self.env["res.partner"]._read_group(
                [("customer_lifecycle_stage_id", "!=", False)],
                ["customer_lifecycle_stage_id"],
                ["__count"],
            )
        )
        self.assertEqual(
            {line.stage_id: line.partner_count for line in report.line_ids},
            {line.stage_id: board.get(line.stage_id, 0) for line in report.line_ids},
        )
        advocacy = report.line_ids[-1]
        self.assertEqual(
            (advocacy.stage_id.name, advocacy.partner_count), ("Advocacy", 8)
        )
