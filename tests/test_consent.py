from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CustomerPyramidCase


@tagged("post_install", "-at_install")
class TestProfilingConsent(CustomerPyramidCase):
    """Data for its purpose: who refused profiling is left out of the pyramid.

    Eight customers buying 800, 700, ..., 100 with 25 / 25 / 25 / 25 shares
    split 2 / 2 / 2 / 2. Without the top one, seven remain: the last ranks of
    top, big and medium are ceil(1.75) = 2, ceil(3.5) = 4 and ceil(5.25) = 6,
    so 2 / 2 / 2 / 1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "customer_pyramid_top_share": 25,
                "customer_pyramid_big_share": 25,
                "customer_pyramid_medium_share": 25,
                "customer_pyramid_small_share": 25,
            }
        )
        cls.customers = cls._partners(8).with_company(cls.company)
        for customer, amount in zip(cls.customers, range(800, 0, -100), strict=True):
            cls._order(customer, amount)
        cls.engine.recompute_companies(cls.company)
        cls.first = cls.customers[0]
        cls.today = fields.Date.context_today(cls.env["res.partner"])

    def _consent(self, partner, state, purpose="profiling", days_ago=0, **values):
        return self.env["customer.consent"].create(
            dict(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "purpose": purpose,
                    "state": state,
                    "date": self.today - timedelta(days=days_ago),
                    "source": "Phone call",
                },
                **values,
            )
        )

    def _ranked_counts(self):
        counts = self._level_counts(self.customers)
        return tuple(
            counts.get(level, 0) for level in ("top", "big", "medium", "small")
        )

    def test_everyone_profiled_splits_two_by_two(self):
        self.assertEqual(self._ranked_counts(), (2, 2, 2, 2))

    def test_profiling_refusal_leaves_the_ranking_with_exact_counts(self):
        self._consent(self.first, "refused")
        self._recompute()
        self.assertEqual(self._ranked_counts(), (2, 2, 2, 1))
        self.assertFalse(self._level(self.first))

    def test_profiling_refusal_removes_the_level_at_once(self):
        self._consent(self.first, "refused")
        self.assertFalse(self._level(self.first))
        self.assertFalse(self.first.customer_pyramid_rank)

    def test_not_profiled_partner_shows_the_reason(self):
        self._consent(self.first, "refused", days_ago=3, source="Web form")
        self.first.invalidate_recordset()
        self.assertEqual(
            self.first.customer_not_profiled_reason,
            "Not profiled: profiling refused on %s (source: Web form)."
            % (self.today - timedelta(days=3)),
        )

    def test_leaving_the_pyramid_is_in_the_level_history(self):
        self._consent(self.first, "refused")
        history = self.env["customer.pyramid.history"].search(
            [("partner_id", "=", self.first.id)], limit=1
        )
        self.assertEqual(
            (history.old_level, history.new_level, history.cause),
            ("top", False, "consent"),
        )

    def test_consent_given_again_brings_the_partner_back(self):
        self._consent(self.first, "refused", days_ago=10)
        self._recompute()
        self._consent(self.first, "given")
        self._recompute()
        self.assertEqual(self._ranked_counts(), (2, 2, 2, 2))
        self.assertEqual(self._level(self.first), "top")

    def test_consent_given_again_places_the_partner_at_the_event(self):
        # against the cut-offs of the last full run (7 ranked): top from 700
        self._consent(self.first, "refused", days_ago=10)
        self._recompute()
        self._consent(self.first, "given")
        self.assertEqual(self._level(self.first), "top")

    def test_latest_answer_per_purpose_is_the_current_state(self):
        self._consent(self.first, "given", days_ago=30)
        self._consent(self.first, "refused", days_ago=5)
        self._consent(self.first, "given", purpose="marketing")
        self.first.invalidate_recordset()
        self.assertEqual(
            (
                self.first.customer_consent_marketing,
                self.first.customer_consent_profiling,
                self.first.customer_consent_referrals,
            ),
            ("given", "refused", False),
        )

    def test_an_older_refusal_does_not_override_a_later_consent(self):
        self._consent(self.first, "given", days_ago=1)
        self._consent(self.first, "refused", days_ago=30)
        self._recompute()
        self.assertEqual(self._level(self.first), "top")

    def test_marketing_refusal_keeps_the_partner_profiled(self):
        self._consent(self.first, "refused", purpose="marketing")
        self._recompute()
        self.assertEqual(self._level(self.first), "top")

    def test_refusal_in_another_company_keeps_the_partner_profiled_here(self):
        other = self.env["res.company"].create({"name": "Other consent company"})
        self.env.user.company_ids |= other
        self._consent(self.first, "refused", company_id=other.id)
        self._recompute()
        self.assertEqual(self._level(self.first), "top")

    def test_consent_is_logged_in_the_chatter(self):
        self._consent(self.first, "refused")
        # the level change is noted too: look through every note
        self.assertIn(
            "Consent to Profiling for Pyramid Test Company: Refused on %s "
            "(source: Phone call)." % self.today,
            "".join(self.first.message_ids.mapped("body")),
        )

    def test_not_profiled_filter_finds_the_refusing_partner(self):
        self._consent(self.first, "refused")
        found = self.env["res.partner"].search(
            [
                ("customer_consent_profiling", "=", "refused"),
                ("id", "in", self.customers.ids),
            ]
        )
        self.assertEqual(found, self.first)

    def test_profiling_refusal_removes_a_pin(self):
        self.first.write(
            {
                "customer_pyramid_pinned_level": "small",
                "customer_pyramid_pin_reason": "Key account on hold",
            }
        )
        self._consent(self.first, "refused")
        self.assertFalse(self.first.customer_pyramid_pinned_level)
        self.assertFalse(self._level(self.first))

    def test_not_profiled_partner_cannot_be_pinned(self):
        self._consent(self.first, "refused")
        with (
            self.assertRaisesRegex(ValidationError, "refused profiling"),
            self.env.cr.savepoint(),
        ):
            self.first.write(
                {
                    "customer_pyramid_pinned_level": "top",
                    "customer_pyramid_pin_reason": "Key account",
                }
            )

    def test_lifecycle_automation_leaves_a_not_profiled_partner_in_place(self):
        newcomer = self._partners(1, prefix="Newcomer").with_company(self.company)
        awareness = newcomer.customer_lifecycle_stage_id
        self._consent(newcomer, "refused")
        self._order(newcomer, 50)
        newcomer.invalidate_recordset()
        self.assertEqual(newcomer.customer_lifecycle_stage_id, awareness)

    def test_lifecycle_automation_moves_a_profiled_partner(self):
        newcomer = self._partners(1, prefix="Newcomer").with_company(self.company)
        self._order(newcomer, 50)
        newcomer.invalidate_recordset()
        self.assertEqual(
            newcomer.customer_lifecycle_stage_id,
            self.env.ref("customer_pyramid.customer_lifecycle_stage_conversion"),
        )
