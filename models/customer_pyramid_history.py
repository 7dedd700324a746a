import json

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..lib.pyramid_split import ACTIVE_LEVELS, LEVEL_SELECTION, LEVELS
from .customer_pyramid_query import CHANGES_TABLE

CAUSE_SELECTION = [
    ("cron", "Scheduled recompute"),
    ("manual_recompute", "Recompute now"),
    ("preview", "Settings applied from the preview"),
    ("order", "Sale order event"),
    ("invoice", "Invoice or credit note event"),
    ("pos", "Point of Sale order event"),
    ("lead", "Opportunity event"),
    ("partner", "New partner"),
    ("partner_change", "Partner moved, archived or restored"),
    ("merge", "Partners merged"),
    ("pin", "Pinned by a manager"),
    ("unpin", "Unpinned by a manager"),
    ("pin_expired", "Pin expired"),
    ("mark", "Marked by a user"),
    ("feedback", "Customer feedback or complaint"),
    ("potential", "Potential entered by a manager"),
    ("install", "Initial computation"),
    ("consent", "Profiling consent changed"),
]


class CustomerPyramidHistory(models.Model):
    _name = "customer.pyramid.history"
    _inherit = ["customer.history.mixin", "customer.pyramid.level.order.mixin"]
    _description = "Customer pyramid level change"
    _customer_pyramid_level_fields = ("old_level", "new_level")

    old_level = fields.Selection(LEVEL_SELECTION, readonly=True)
    # Empty when the partner left the pyramid: it refused profiling.
    new_level = fields.Selection(LEVEL_SELECTION, readonly=True)
    cause = fields.Selection(CAUSE_SELECTION, required=True, readonly=True)
    revenue = fields.Float(string="Revenue in window", readonly=True, aggregator="sum")
    group_of_companies = fields.Boolean(
        string="As a group of companies",
        readonly=True,
        help="The level and the revenue are those of the whole group: the "
        "company ranked groups of companies as one customer.",
    )

    @api.model
    def _run_creation_automations(self, history_ids):
        """What Odoo's ``create`` would have run for rows the engine inserted
        in SQL: the automated actions on creation (base_automation, when
        installed), with their conditions, as its own ``create`` does."""
        if "base.automation" not in self.env:
            return
        records = self.browse(history_ids)
        automations = self.env["base.automation"]._get_actions(
            records, ["on_create", "on_create_or_write"]
        )
        for automation in automations.with_context(old_values=None):
            automation._process(automation._filter_post(records, feedback=True))

    @api.model
    def _log_level_changes(self, company, cause, now):
        """The trace of the level changes in customer_pyramid_changes, set-based:
        a tracked chatter note each, and a retention activity for each drop."""
        self._post_level_messages(company, cause, now)
        self._schedule_retention_activities(company)

    def _post_level_messages(self, company, cause, now):
        """A tracked chatter note per level change, inserted in one statement."""
        partner_model = self.env["res.partner"]
        labels = dict(
            partner_model._fields["customer_pyramid_level"]._description_selection(
                self.env
            )
        )
        causes = dict(
            self.env["customer.pyramid.history"]
            ._fields["cause"]
            ._description_selection(self.env)
        )
        body = Markup("<p>%s</p>") % _(
            "Customer pyramid level for %(company)s changed: %(cause)s.",
            company=company.name,
            cause=causes[cause],
        )
        if company._customer_pyramid_setting("customer_pyramid_group_companies"):
            body += Markup("<p>%s</p>") % _(
                "Ranked as a group of companies: the revenue of all its "
                "subsidiaries counts."
            )
        uid = self.env.uid
        self.env.cr.execute(
            SQL(
                """
                WITH messages AS (
                    INSERT INTO mail_message
                           (model, res_id, message_type, subtype_id, body, author_id,
                            date, is_internal, record_company_id,
                            create_uid, create_date, write_uid, write_date)
                    SELECT 'res.partner', partner_id, 'notification', %(subtype)s,
                           %(body)s, %(author)s, %(now)s, TRUE, %(company)s,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM %(changes)s
                     WHERE old_level IS NOT NULL
                 RETURNING id, res_id
                )
                INSERT INTO mail_tracking_value
                       (field_id, old_value_char, new_value_char, mail_message_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(field)s, %(labels)s::jsonb ->> c.old_level,
                       %(labels)s::jsonb ->> c.level, m.id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM messages m
                  JOIN %(changes)s c ON c.partner_id = m.res_id
                """,
                subtype=self.env.ref("mail.mt_note").id,
                body=str(body),
                author=self.env.user.partner_id.id,
                now=now,
                company=company.id,
                uid=uid,
                changes=CHANGES_TABLE,
                field=self.env["ir.model.fields"]
                ._get("res.partner", "customer_pyramid_level")
                .id,
                labels=json.dumps(labels),
            )
        )

    def _schedule_retention_activities(self, company):
        """Retention beats acquisition: a dropping customer gets a call."""
        if not company.customer_pyramid_retention_activity:
            return
        order = list(LEVELS)
        self.env.cr.execute(
            SQL(
                """
                SELECT c.partner_id, c.old_level, c.level, p.user_id
                  FROM %(changes)s c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE c.old_level = ANY(%(active)s)
                   AND c.level = ANY(%(droppable)s)
                   AND array_position(%(order)s, c.level)
                       > array_position(%(order)s, c.old_level)
                """,
                changes=CHANGES_TABLE,
                active=list(ACTIVE_LEVELS),
                droppable=[*ACTIVE_LEVELS, "inactive"],
                order=order,
            )
        )
        drops = self.env.cr.fetchall()
        if not drops:
            return
        labels = dict(
            self.env["res.partner"]
            ._fields["customer_pyramid_level"]
            ._description_selection(self.env)
        )
        activity_type = self.env.ref("customer_pyramid.mail_activity_type_retention")
        deadline = fields.Date.context_today(self) + relativedelta(
            days=company.customer_pyramid_retention_days
        )
        model_id = self.env["ir.model"]._get_id("res.partner")
        # one query for the names mail.activity computes one record at a time
        self.env["res.partner"].sudo().browse(
            [partner_id for partner_id, *_rest in drops]
        ).mapped("display_name")
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": partner_id,
                "activity_type_id": activity_type.id,
                "user_id": user_id or activity_type.default_user_id.id or self.env.uid,
                "date_deadline": deadline,
                "summary": _(
                    "Retention: dropped from %(old)s to %(new)s",
                    old=labels[old_level],
                    new=labels[new_level],
                ),
            }
            for partner_id, old_level, new_level, user_id in drops
        ]
        # sudo: the event may come from a user who cannot assign activities to
        # others; the values are fixed here, none comes from the user.
        # mail_activity_quick_update: no assignment e-mail for each of them.
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(vals_list)
