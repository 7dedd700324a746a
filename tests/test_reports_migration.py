from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestMigrationReport(CustomerPyramidCase):
    """Levels at the start and end of a period, from the level history.

    The period runs from 30 to 10 days ago: from the first day's midnight
    (start) to the midnight after the last day (end). Standing and history
    rows written by hand, as the engine writes them: the standing row says
    when the partner entered the pyramid and its level now, a history row
    each later change (B = 60 days before the start):
    - up:        medium at B, small at start + 2 d, big at start + 5 d -> medium/big
    - at start:  medium at B, big exactly at the start's midnight -> medium/big (up)
    - down:      big at B, small at start + 5 d
    - churned:   small at B, inactive at start + 5 d
    - converted: prospect at B, small at start + 5 d
    - same:      top at B, never changed
    - later:     small at B, top at end + 5 d (after the period) -> small/small
    - new:       suspect at start + 3 d only -> no level/suspect
    - legacy:    big at B with a history row for it (as before 18.0.2.1.0),
                 medium at start + 5 d -> big/medium (down)
    - archived:  medium at B, small at start + 5 d, then archived -> left out
    Revenue in the period: "up" bought 300 at start + 4 d (and 1000 today,
    after the period); "converted" bought 150 at start + 6 d.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.date_from = today - timedelta(days=30)
        cls.date_to = today - timedelta(days=10)
        start = datetime.combine(cls.date_from, time.min)
        end = datetime.combine(cls.date_to, time.min) + timedelta(days=1)
        before = start - timedelta(days=60)
        names = ["up", "at_start", "down", "churned", "converted", "same", "later"]
        names += ["new", "legacy", "archived"]
        partners = (
            cls.env["res.partner"]
            .with_context(customer_pyramid_skip_events=True)
            .create(
                [
                    {"name": name, "is_company": True, "company_id": cls.company.id}
                    for name in names
                ]
            )
        )
        cls.partner = dict(zip(names, partners, strict=True))
        # the first (date, level) is where the partner entered the pyramid
        moves = {
            "up": [(before, "medium"), (start + timedelta(days=2), "small")]
            + [(start + timedelta(days=5), "big")],
            "at_start": [(before, "medium"), (start, "big")],
            "down": [(before, "big"), (start + timedelta(days=5), "small")],
            "churned": [(before, "small"), (start + timedelta(days=5), "inactive")],
            "converted": [(before, "prospect"), (start + timedelta(days=5), "small")],
            "same": [(before, "top")],
            "later": [(before, "small"), (end + timedelta(days=5), "top")],
            "new": [(start + timedelta(days=3), "suspect")],
            "legacy": [(before, "big"), (start + timedelta(days=5), "medium")],
            "archived": [(before, "medium"), (start + timedelta(days=5), "small")],
        }
        cls._write_moves(moves, before)
        cls.partner["archived"].active = False
        days_ago = (today - cls.date_from).days
        cls._order(cls.partner["up"], 300, days_ago=days_ago - 4)
        cls._order(cls.partner["up"], 1000)
        cls._order(cls.partner["converted"], 150, days_ago=days_ago - 6)
        cls.report = cls.env["customer.pyramid.migration"].create(
            {
                "company_id": cls.company.id,
                "date_from": cls.date_from,
                "date_to": cls.date_to,
            }
        )
        cls.report.action_compute()

    @classmethod
    def _write_moves(cls, moves, before):
        """Each partner's standing and level history, from its (date, level)
        moves; "legacy" also has the install row that placed it."""
        cls.env["customer.pyramid.standing"].create(
            [
                {
                    "partner_id": cls.partner[name].id,
                    "company_id": cls.company.id,
                    "entered_on": rows[0][0],
                    "level": rows[-1][1],
                }
                for name, rows in moves.items()
            ]
        )
        history = [
            {
                "partner_id": cls.partner[name].id,
                "company_id": cls.company.id,
                "date": date,
                "old_level": old_level,
                "new_level": level,
                "cause": "cron",
            }
            for name, rows in moves.items()
            for (_date, old_level), (date, level) in zip(rows, rows[1:], strict=False)
        ]
        history.append(
            {
                "partner_id": cls.partner["legacy"].id,
                "company_id": cls.company.id,
                "date": before,
                "new_level": "big",
                "cause": "install",
            }
        )
        cls.env["customer.pyramid.history"].create(history)

    def _line(self, name):
        return self.report.line_ids.filtered(
            lambda line: line.partner_id == self.partner[name]
        )

    def test_movement_counts(self):
        self.assertEqual(
            (
                self.report.moved_up_count,
                self.report.moved_down_count,
                self.report.churned_count,
                self.report.converted_count,
            ),
            (2, 2, 1, 1),
        )

    def test_every_active_partner_in_the_pyramid_is_a_line(self):
        # ten partners less the archived one
        self.assertEqual(self.report.partner_count, 9)
        self.assertFalse(self._line("archived"))

    def test_level_at_the_end_is_the_last_change_in_the_period(self):
        line = self._line("up")
        self.assertEqual((line.from_level, line.to_level), ("medium", "big"))

    def test_change_at_the_first_midnight_belongs_to_the_period(self):
        line = self._line("at_start")
        self.assertEqual(
            (line.from_level, line.to_level, line.movement), ("medium", "big", "up")
        )

    def test_change_after_the_period_is_ignored(self):
        line = self._line("later")
        self.assertEqual(
            (line.from_level, line.to_level, line.movement), ("small", "small", "same")
        )

    def test_partner_never_changed_keeps_the_level_it_entered_with(self):
        line = self._line("same")
        self.assertEqual(
            (line.from_level, line.to_level, line.movement), ("top", "top", "same")
        )

    def test_history_row_of_a_first_placement_still_counts(self):
        line = self._line("legacy")
        self.assertEqual(
            (line.from_level, line.to_level, line.movement), ("big", "medium", "down")
        )

    def test_partner_without_level_at_the_start_is_new(self):
        line = self._line("new")
        self.assertEqual(
            (line.from_level, line.to_level, line.movement), (False, "suspect", "new")
        )

    def test_revenue_is_the_period_revenue(self):
        # the 1000 of today is after the period
        self.assertEqual(self._line("up").revenue, 300)
        self.assertEqual(self._line("converted").revenue, 150)
        self.assertEqual(self._line("down").revenue, 0)

    def test_matrix_cells_count_partners_and_sum_revenue(self):
        cells = {
            (from_level, to_level): (count, revenue)
            for from_level, to_level, count, revenue in self.env[
                "customer.pyramid.migration.line"
            ]._read_group(
                [("migration_id", "=", self.report.id)],
                ["from_level", "to_level"],
                ["__count", "revenue:sum"],
            )
        }
        self.assertEqual(
            cells,
            {
                ("medium", "big"): (2, 300),
                ("big", "small"): (1, 0),
                ("big", "medium"): (1, 0),
                ("small", "inactive"): (1, 0),
                ("prospect", "small"): (1, 150),
                ("top", "top"): (1, 0),
                ("small", "small"): (1, 0),
                (False, "suspect"): (1, 0),
            },
        )

    def test_matrix_reads_from_the_apex_down(self):
        columns = [
            to_level
            for (to_level,) in self.env["customer.pyramid.migration.line"]._read_group(
                [("migration_id", "=", self.report.id)], ["to_level"]
            )
        ]
        # alphabetically it would be big, inactive, medium, small, suspect, top
        self.assertEqual(
            columns, ["top", "big", "medium", "small", "inactive", "suspect"]
        )

    def test_matrix_cell_drills_down_to_its_partners(self):
        action = self.report.action_open_matrix()
        cell = action["domain"] + [
            ("from_level", "=", "medium"),
            ("to_level", "=", "big"),
        ]
        lines = self.env["customer.pyramid.migration.line"].search(cell)
        self.assertEqual(
            lines.partner_id, self.partner["up"] | self.partner["at_start"]
        )

    def test_churned_button_lists_the_churned_partners(self):
        action = self.report.with_context(
            customer_pyramid_movement="churned"
        ).action_open_matrix()
        lines = self.env["customer.pyramid.migration.line"].search(action["domain"])
        self.assertEqual(lines.partner_id, self.partner["churned"])
