from odoo import fields, models
from odoo.tools import SQL

from ..lib.pyramid_split import ACTIVE_LEVELS, LEVELS
from ..models.customer_pyramid_query import FACTS_TABLE

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
    history row before that moment; without one, the old level of its first
    row after it, or its level now when nothing changed since; none before
    it entered the pyramid (see ``_levels_at``). The start is the first day's
    midnight, the end the last day's end. Revenue is the partner's revenue
    over the period, on the pyramid's basis and currency conversion.
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
        self.env["customer.pyramid.standing"].flush_model()
        self.env["customer.pyramid.migration.line"].flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH history AS (
                    SELECT partner_id, date, id, old_level, new_level
                      FROM customer_pyramid_history
                     WHERE company_id = %(company)s
                ),
                standing AS (
                    SELECT partner_id, level, entered_on
                      FROM customer_pyramid_standing
                     WHERE company_id = %(company)s
                ),
                starts AS (%(starts)s),
                ends AS (%(ends)s)
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
                 -- out of the pyramid (profiling refused) all period long
                 WHERE e.level IS NOT NULL OR s.level IS NOT NULL
                """,
                starts=self._levels_at(start),
                ends=self._levels_at(end),
                company=self.company_id.id,
                report=self.id,
                active=list(ACTIVE_LEVELS),
                order=list(LEVELS),
                facts=FACTS_TABLE,
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_recordset(["line_ids"])

    def _levels_at(self, moment):
        """SQL: (partner_id, level) at ``moment``, from the CTEs ``history``
        and ``standing`` of ``_insert_lines``.

        The history has no row for a first placement, only the standing's
        ``entered_on``; rows written before 18.0.2.1.0 may still record one,
        with an empty old level, and the latest row before the moment wins.
        """
        return SQL(
            """
            SELECT COALESCE(b.partner_id, st.partner_id) AS partner_id,
                   CASE WHEN b.partner_id IS NOT NULL THEN b.new_level
                        WHEN a.partner_id IS NOT NULL THEN a.old_level
                        ELSE st.level END AS level
              FROM (SELECT * FROM standing WHERE entered_on < %(moment)s) st
         FULL JOIN (SELECT DISTINCT ON (partner_id) partner_id, new_level
                      FROM history WHERE date < %(moment)s
                  ORDER BY partner_id, date DESC, id DESC) b
                ON b.partner_id = st.partner_id
         LEFT JOIN (SELECT DISTINCT ON (partner_id) partner_id, old_level
                      FROM history WHERE date >= %(moment)s
                  ORDER BY partner_id, date, id) a
                ON a.partner_id = st.partner_id
            """,
            moment=moment,
        )
