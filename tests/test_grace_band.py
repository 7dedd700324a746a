from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestGraceBand(CustomerPyramidCase):
    """A band around the cut-offs that keeps boundary customers on their level.

    100 customers with revenues 1000, 990, ..., 10 split 1 / 4 / 15 / 80:
    rank 5 (960) is the last big customer, rank 6 (950) the first medium one.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hundred = cls._ranked_hundred()
        cls.last_big = cls.hundred[4]
        cls.first_medium = cls.hundred[5]

    def _overtake(self, extra):
        """The first medium customer buys ``extra`` more and passes the last big."""
        self._bulk_orders([(self.first_medium, extra)])
        self._recompute()

    def test_without_band_customers_swap_levels_at_the_boundary(self):
        # 950 + 15 = 965 ranks 5th (big), 960 ranks 6th (medium)
        self._overtake(15)
        self.assertEqual(self._level(self.last_big), "medium")
        self.assertEqual(self._level(self.first_medium), "big")
        self.assertEqual(
            self._level_counts(self.hundred),
            {"top": 1, "big": 4, "medium": 15, "small": 80},
        )

    def test_band_keeps_both_boundary_customers_on_their_levels(self):
        self.company.customer_pyramid_grace_band = 10
        # big cut-off 965: 960 >= 965 * 0.9 stays big, 965 <= 965 * 1.1 stays medium
        self._overtake(15)
        self.assertEqual(self._level(self.last_big), "big")
        self.assertEqual(self._level(self.first_medium), "medium")
        held = self.hundred.with_company(self.company).filtered("customer_pyramid_held")
        self.assertEqual(held, self.last_big | self.first_medium)

    def test_band_lets_a_customer_far_past_the_cut_off_move(self):
        self.company.customer_pyramid_grace_band = 10
        # 950 + 250 = 1200 ranks 1st; the next level up from medium is big,
        # whose cut-off is 970: 1200 > 970 * 1.1 = 1067, so it is not held.
        # The former top (1000) falls below the top cut-off 1200 by more than
        # 10 % (1000 < 1080): it drops to big.
        self._overtake(250)
        self.assertEqual(self._level(self.first_medium), "top")
        self.assertEqual(self._level(self.hundred[0]), "big")
        # rank 6 is now 960, the former last big: held on big (960 >= 873)
        self.assertEqual(self._level(self.last_big), "big")

    def test_snapshot_counts_the_customers_held_by_the_band(self):
        self.company.customer_pyramid_grace_band = 10
        self._overtake(15)
        snapshots = self.env["customer.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("held_count", ">", 0)]
        )
        self.assertEqual(
            {(s.level, s.held_count) for s in snapshots}, {("big", 1), ("medium", 1)}
        )

    def test_band_also_holds_on_an_order_event(self):
        self.company.customer_pyramid_grace_band = 10
        # the event places 950 + 15 = 965 against the last cut-offs (big from
        # 960): it would rise, but 965 <= 960 * 1.1 keeps it medium
        self._order(self.first_medium, 15)
        self.assertEqual(self._level(self.first_medium), "medium")
        self.assertTrue(
            self.first_medium.with_company(self.company).customer_pyramid_held
        )

    def test_band_above_50_percent_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Grace band.*between 0 and 50"):
            self.company.customer_pyramid_grace_band = 60

    def test_negative_band_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "-5.0 was entered"):
            self.company.customer_pyramid_grace_band = -5
