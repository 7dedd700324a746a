from odoo import fields, models
from odoo.tools import SQL

from ..lib.pyramid_split import ACTIVE_LEVELS, LEVEL_SELECTION
from ..models.customer_pyramid_engine import FACTS_TABLE

# Movements counted on the report, with the lines' filter each opens.
MOVEMENT_COUNTS = {
    "up": "moved_up_count",
    "down": "moved_down_count",
    "churned": "churned_count",
    "converted": "converted_count",
}


class CustomerPyramidMigration(models.TransientModel):
    """Where the customers of each level at the start of a period ended it.

    A partner's level at a moment is the new level of its latest level
    history row at or before that moment (the installation wrote one for
    every partner). The start is the first day's midnight, the end the last
    day's end. Revenue is the partner's revenue over the period, on the
    pyramid's basis and currency conversion.
    """

    _name = "customer.pyramid.migration"
    _inherit = "customer.pyramid.report.period.mixin"
    _description = "Customer pyramid migration"

    partner_count = fields.Integer(string="Partners", readonly=True)
    moved_up_count = fields.Integer(
        string="Moved up",
        readonly=True,
        help="Active customers who reached a higher active level.",
    )
    moved_down_count = fields.Integer(
        string="Moved down",
        readonly=True,
        help="Active customers who fell to a lower active level.",
    )
    churned_count = fields.Integer(
        string="Churned to inactive",
        readonly=True,
        help="Active customers at the start who were inactive at the end.",
    )
    converted_count = fields.Integer(
        string="Converted from prospect",
        readonly=True,
        help="Prospects at the start who were active customers at the end.",
    )
    line_ids = fields.One2many(
        "customer.pyramid.migration.line", "migration_id", readonly=True
    )

    def action_compute(self):
        self.ensure_one()
        start = self._day_start(self.date_from)
        end = self._day_end(self.date_to)
        engine = self.env["customer.pyramid.engine"]
        engine._flush_sources()
        engine._build_facts(self.company_id, window=(start, end))
        self.line_ids.unlink()
        self._insert_lines(start, end)
        counts = dict(
            self.env["customer.pyramid.migration.line"]._read_group(
                [("migration_id", "=", self.id)], ["movement"], ["__count"]
            )
        )
        self.write(
            {
                "partner_count": sum(counts.values()),
                "computed_on": fields.Datetime.now(),
                **{
                    fname: counts.get(movement, 0)
                    for movement, fname in MOVEMENT_COUNTS.items()
                },
            }
        )

    def action_open_matrix(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_pyramid_migration_line_action"
        )
        action["domain"] = [("migration_id", "=", self.id)]
        movement = self.env.context.get("customer_pyramid_movement")
        if movement:
            action["domain"].append(("movement", "=", movement))
            action["views"] = [(False, "list"), (False, "pivot")]
        return action

    def _insert_lines(self, start, end):
        self.env["customer.pyramid.history"].flush_model()
        self.env["customer.pyramid.migration.line"].flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH history AS (
                    SELECT partner_id, date, id, new_level
                      FROM customer_pyramid_history
                     WHERE company_id = %(company)s AND date < %(end)s
                ),
                starts AS (
                    SELECT DISTINCT ON (partner_id) partner_id, new_level AS level
                      FROM history WHERE date < %(start)s
                  ORDER BY partner_id, date DESC, id DESC
                ),
                ends AS (
                    SELECT DISTINCT ON (partner_id) partner_id, new_level AS level
                      FROM history
                  ORDER BY partner_id, date DESC, id DESC
                )
                INSERT INTO customer_pyramid_migration_line
                       (migration_id, company_id, partner_id, from_level, to_level,
                        movement, revenue,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(report)s, %(company)s, e.partner_id, s.level, e.level,
                       CASE WHEN s.level IS NULL THEN 'new'
                            WHEN s.level = e.level THEN 'same'
                            WHEN s.level = ANY(%(active)s) AND e.level = ANY(%(active)s)
                                THEN CASE WHEN array_position(%(order)s, e.level)
                                               < array_position(%(order)s, s.level)
                                          THEN 'up' ELSE 'down' END
                            WHEN s.level = ANY(%(active)s) AND e.level = 'inactive'
                                THEN 'churned'
                            WHEN s.level = 'prospect' AND e.level = ANY(%(active)s)
                                THEN 'converted'
                            ELSE 'other' END,
                       COALESCE(f.revenue, 0),
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM ends e
                  JOIN res_partner p ON p.id = e.partner_id AND p.active
             LEFT JOIN starts s ON s.partner_id = e.partner_id
             LEFT JOIN %(facts)s f ON f.partner_id = e.partner_id
                """,
                company=self.company_id.id,
                start=start,
                end=end,
                report=self.id,
                active=list(ACTIVE_LEVELS),
                order=[level for level, _label in LEVEL_SELECTION],
                facts=FACTS_TABLE,
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_recordset(["line_ids"])
