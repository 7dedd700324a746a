from odoo import Command
from odoo.tests import tagged

from .common import CustomerPyramidCase

# What makes a chatter entry a tracked change, as Odoo's own tracking logs it.
MESSAGE_FIELDS = ("model", "res_id", "message_type", "subtype_id", "author_id")
TRACKING_FIELDS = (
    "field_id",
    "old_value_char",
    "new_value_char",
    "old_value_integer",
    "new_value_integer",
)


class ChatterCase(CustomerPyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.salesman = cls._user("pyr.chatter", "sales_team.group_sale_salesman")
        cls.prospect = cls._partners(1, prefix="Prospect")
        cls.quotation = cls._order(
            cls.prospect, 50, confirm=False, user_id=cls.salesman.id
        )

    def _last_tracked(self, fname):
        return self.prospect.message_ids.filtered(
            lambda m: m.tracking_value_ids.field_id.name == fname
        )[:1]

    def _odoo_tracking(self, fname, old, new):
        """The message Odoo's tracking logs for ``fname`` going from ``old``
        to ``new`` on the prospect, as the current user."""
        partner = self.prospect.with_user(self.salesman)
        info = partner.fields_get([fname], attributes=("string", "type", "selection"))
        values = self.env["mail.tracking.value"]._create_tracking_values(
            old, new, fname, info[fname], partner
        )
        return partner._message_log(tracking_value_ids=[Command.create(values)])

    def _assert_same_as_odoo_tracking(self, ours, odoo):
        for fname in MESSAGE_FIELDS:
            self.assertEqual(ours[fname], odoo[fname], fname)
        self.assertTrue(ours.is_internal)
        for fname in TRACKING_FIELDS:
            self.assertEqual(
                ours.tracking_value_ids[fname], odoo.tracking_value_ids[fname], fname
            )


@tagged("post_install", "-at_install")
class TestLevelAndStageInTheChatter(ChatterCase):
    """Level and stage changes are tracked changes in the partner's chatter,
    the same as Odoo's own tracking would log."""

    def test_level_change_is_logged_as_odoo_tracking_logs_it(self):
        self.quotation.with_user(self.salesman).action_confirm()
        ours = self._last_tracked("customer_pyramid_level")
        odoo = self._odoo_tracking("customer_pyramid_level", "prospect", "small")
        self._assert_same_as_odoo_tracking(ours, odoo)
        self.assertEqual(ours.tracking_value_ids.new_value_char, "Small")

    def test_stage_change_is_logged_as_odoo_tracking_logs_it(self):
        before = self.prospect.with_company(self.company).customer_lifecycle_stage_id
        self.quotation.with_user(self.salesman).action_confirm()
        ours = self._last_tracked("customer_lifecycle_stage_id")
        after = self.prospect.with_company(self.company).customer_lifecycle_stage_id
        odoo = self._odoo_tracking("customer_lifecycle_stage_id", before, after)
        self._assert_same_as_odoo_tracking(ours, odoo)
        self.assertEqual(ours.tracking_value_ids.new_value_char, "Conversion")


@tagged("post_install", "-at_install", "customer_pyramid_automation")
class TestAutomatedActions(ChatterCase):
    """Integrators react to level and stage changes with automated actions
    (base_automation, installed in the harness's second run)."""

    def _automation(self, model, trigger, code, fields=()):
        model_id = self.env["ir.model"]._get_id(model)
        return self.env["base.automation"].create(
            {
                "name": f"Customer pyramid test: {trigger}",
                "model_id": model_id,
                "trigger": trigger,
                "trigger_field_ids": [
                    Command.set(
                        [self.env["ir.model.fields"]._get(model, f).id for f in fields]
                    )
                ],
                "action_server_ids": [
                    Command.create(
                        {
                            "name": "Note",
                            "model_id": model_id,
                            "state": "code",
                            "code": code,
                        }
                    )
                ],
            }
        )

    def test_automated_action_fires_on_a_new_level_history_row(self):
        self._automation(
            "customer.pyramid.history",
            "on_create",
            "for row in records:\n"
            "    row.partner_id.write({'ref': 'moved to ' + row.new_level})",
        )
        self.quotation.action_confirm()
        self.assertEqual(self.prospect.ref, "moved to small")

    def test_automated_action_fires_on_a_lifecycle_stage_change(self):
        self._automation(
            "res.partner",
            "on_create_or_write",
            "records.write({'ref': 'stage changed'})",
            fields=["customer_lifecycle_stage_id"],
        )
        self.quotation.action_confirm()
        self.assertEqual(self.prospect.ref, "stage changed")
