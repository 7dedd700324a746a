from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestFunnelReport(CustomerPyramidCase):
    """The lifecycle funnel at the end of a date ten days ago (E), from history.

    Moves written by hand, T = E - 40 days, stages Awareness, Consideration,
    Conversion, Loyalty, Advocacy:
    - p1: awareness T, consideration T + 10 d, conversion T + 20 d
    - p2: awareness T, consideration T + 4 d
    - p3: awareness T
    - p4: conversion T, loyalty T + 30 d (straight to conversion, as buyers
      at installation)
    - p5: awareness T, consideration T + 2 d, back to awareness T + 6 d
    - later: awareness at E + 1 d (after the date) -> left out
    - archived: awareness T, archived -> left out
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.date = fields.Date.today() - timedelta(days=10)
        end = datetime.combine(cls.date, time.min) + timedelta(days=1)
        start = end - timedelta(days=40)
        stage = {
            name: cls.env.ref(f"customer_pyramid.customer_lifecycle_stage_{name}")
            for name in ("awareness", "consideration", "conversion", "loyalty")
            + ("advocacy",)
        }
        cls.stage = stage
        moves = {
            "p1": [(0, "awareness"), (10, "consideration"), (20, "conversion")],
            "p2": [(0, "awareness"), (4, "consideration")],
            "p3": [(0, "awareness")],
            "p4": [(0, "conversion"), (30, "loyalty")],
            "p5": [(0, "awareness"), (2, "consideration"), (6, "awareness")],
            "later": [(41, "awareness")],
            "archived": [(0, "awareness")],
        }
        partners = (
            cls.env["res.partner"]
            .with_context(customer_pyramid_skip_events=True)
            .create(
                [
                    {"name": name, "is_company": True, "company_id": cls.company.id}
                    for name in moves
                ]
            )
        )
        partner = dict(zip(moves, partners, strict=True))
        cls.env["customer.lifecycle.history"].create(
            [
                {
                    "partner_id": partner[name].id,
                    "company_id": cls.company.id,
                    "date": start + timedelta(days=day),
                    "to_stage_id": stage[stage_name].id,
                    "cause": "manual",
                }
                for name, rows in moves.items()
                for day, stage_name in rows
            ]
        )
        partner["archived"].active = False
        cls.report = cls.env["customer.lifecycle.funnel"].create(
            {"company_id": cls.company.id, "date": cls.date}
        )
        cls.report.action_compute()

    def _column(self, fname):
        return [line[fname] for line in self.report.line_ids]

    def test_one_line_per_stage_in_order(self):
        self.assertEqual(
            self.report.line_ids.stage_id.mapped("name"),
            ["Awareness", "Consideration", "Conversion", "Loyalty", "Advocacy"],
        )

    def test_partners_in_each_stage_at_the_date(self):
        # awareness p3 and p5 (moved back), consideration p2, conversion p1,
        # loyalty p4
        self.assertEqual(self._column("partner_count"), [2, 1, 1, 1, 0])

    def test_reached_counts_a_partner_in_every_stage_up_to_its_furthest(self):
        # furthest: p1 conversion, p2 consideration, p3 awareness, p4 loyalty,
        # p5 consideration
        self.assertEqual(self._column("reached_count"), [5, 4, 2, 1, 0])

    def test_conversion_rate_to_the_next_stage(self):
        # 4 of 5, 2 of 4, 1 of 2, 0 of 1
        self.assertEqual(self._column("conversion_rate")[:4], [80, 50, 50, 0])

    def test_last_stage_has_no_next_stage(self):
        self.assertEqual(
            self.report.line_ids.mapped("next_stage_id"),
            self.report.line_ids.stage_id[1:],
        )
        self.assertFalse(self.report.line_ids[-1].next_stage_id)

    def test_stays_per_stage(self):
        # awareness: p1, p2, p3, p5 twice; consideration: p1, p2, p5;
        # conversion: p1, p4; loyalty: p4
        self.assertEqual(self._column("stay_count"), [5, 3, 2, 1, 0])

    def test_median_days_in_stage(self):
        # awareness: 10, 4, 40 (still there), 2, 34 (still there) -> 10
        # consideration: 10, 36 (still there), 4 -> 10
        # conversion: 20 (still there), 30 -> 25; loyalty: 10 (still there)
        self.assertEqual(self._column("median_days")[:4], [10, 10, 25, 10])
