from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestPyramidPreview(CustomerPyramidCase):
    """Settings tried out before they are saved, with the scheduled action's SQL.

    100 customers with revenues 1000, 990, ..., 10 (total 50,500) split
    1 / 4 / 15 / 80 today. Previewed with 2 / 8 / 30 / 60 %: 2 top, 8 big,
    30 medium, 60 small.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hundred = cls._ranked_hundred()

    def _settings(self, top=2, big=8, medium=30, small=60):
        settings = Form(self.env["res.config.settings"])
        settings.customer_pyramid_top_share = top
        settings.customer_pyramid_big_share = big
        settings.customer_pyramid_medium_share = medium
        settings.customer_pyramid_small_share = small
        return settings.save()

    def _preview(self, **shares):
        action = self._settings(**shares).action_customer_pyramid_preview()
        return self.env["customer.pyramid.preview"].browse(action["res_id"])

    def test_preview_counts_levels_today_and_with_the_new_settings(self):
        preview = self._preview()
        counts = {
            line.level: (line.current_count, line.new_count)
            for line in preview.level_ids
            if line.current_count or line.new_count
        }
        self.assertEqual(
            counts,
            {"top": (1, 2), "big": (4, 8), "medium": (15, 30), "small": (80, 60)},
        )

    def test_preview_gives_the_revenue_share_of_each_level(self):
        preview = self._preview()
        top = preview.level_ids.filtered(lambda line: line.level == "top")
        # today 1000 / 50500 = 1.98 %; previewed (1000 + 990) / 50500 = 3.94 %
        self.assertEqual(top.current_revenue_share, 1.98)
        self.assertEqual(top.new_revenue_share, 3.94)
        self.assertEqual(top.new_cutoff, 990)

    def test_preview_lists_who_would_move(self):
        preview = self._preview()
        # ranks 2-5 big -> top (1) / big (3), ranks 6-10 medium -> big,
        # 11-20 stay medium, 21-40 small -> medium: 1 + 5 + 20 = 26 moves
        self.assertEqual(preview.move_count, 26)
        moves = {
            (move.partner_id, move.old_level, move.new_level)
            for move in preview.move_ids
        }
        self.assertIn((self.hundred[1], "big", "top"), moves)
        self.assertIn((self.hundred[39], "small", "medium"), moves)
        self.assertNotIn(self.hundred[40], preview.move_ids.partner_id)

    def test_preview_writes_nothing(self):
        history = self.env["customer.pyramid.history"].search_count([])
        snapshots = self.env["customer.pyramid.snapshot"].search_count([])
        self._preview()
        self.assertEqual(self._level(self.hundred[1]), "big")
        self.assertEqual(self.company.customer_pyramid_top_share, 1)
        self.assertEqual(self.env["customer.pyramid.history"].search_count([]), history)
        self.assertEqual(
            self.env["customer.pyramid.snapshot"].search_count([]), snapshots
        )

    def test_applying_gives_exactly_the_previewed_moves(self):
        preview = self._preview()
        previewed = {
            (move.partner_id.id, move.old_level, move.new_level)
            for move in preview.move_ids
        }
        preview.action_apply()
        applied = self.env["customer.pyramid.history"].search(
            [("company_id", "=", self.company.id), ("cause", "=", "preview")]
        )
        self.assertEqual(
            {(row.partner_id.id, row.old_level, row.new_level) for row in applied},
            previewed,
        )
        self.assertEqual(self.company.customer_pyramid_top_share, 2)

    def test_preview_of_a_longer_window_and_total_basis(self):
        settings = self._settings(top=1, big=4, medium=15, small=80)
        settings.customer_pyramid_window_months = 24
        settings.customer_pyramid_amount_basis = "total"
        preview = self.env["customer.pyramid.preview"].browse(
            settings.action_customer_pyramid_preview()["res_id"]
        )
        self.assertIn("24 months, Total amount", preview.new_settings)
        # tax-free orders: the same revenues, the same levels
        self.assertEqual(preview.move_count, 0)

    def test_preview_refuses_shares_not_adding_up(self):
        settings = self._settings(top=5, big=4, medium=15, small=80)
        with self.assertRaisesRegex(ValidationError, "they add up to 104"):
            settings.action_customer_pyramid_preview()
