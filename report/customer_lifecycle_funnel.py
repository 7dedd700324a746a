from odoo import api, fields, models
from odoo.tools import SQL


class CustomerLifecycleFunnel(models.TransientModel):
    """The lifecycle stages as a funnel, from the stage history, at a date.

    Read from the lifecycle history of the company's active partners up to
    the end of the date (the installation wrote every partner's first stage):

    - partners in a stage: those whose latest move put them there;
    - reached a stage: those who ever entered it or a later active stage,
      since a later stage means the partner went through this one;
    - conversion to the next stage: reached(next) / reached(stage);
    - median days in stage: percentile_cont(0.5) of the stays in the stage,
      a stay lasting from a move into it to the partner's next move, or to
      the end of the date (now, for today) while it still runs.
    """

    _name = "customer.lifecycle.funnel"
    _inherit = "customer.pyramid.report.mixin"
    _description = "Customer lifecycle funnel"

    date = fields.Date(
        string="At the end of", required=True, default=fields.Date.context_today
    )
    line_ids = fields.One2many(
        "customer.lifecycle.funnel.line", "funnel_id", readonly=True
    )

    @api.onchange("company_id", "date")
    def _onchange_period(self):
        self.computed_on = False

    def action_compute(self):
        self.ensure_one()
        self.line_ids.unlink()
        # a stay still running ends now when the date is today
        self._insert_lines(min(self._day_end(self.date), fields.Datetime.now()))
        self.computed_on = fields.Datetime.now()

    def action_open_funnel(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_lifecycle_funnel_line_action"
        )
        action["domain"] = [("funnel_id", "=", self.id)]
        return action

    def _insert_lines(self, end):
        """The funnel's lines up to ``end``, in one statement from the stage
        history: the moves and the stages' order are read once."""
        self.env["customer.lifecycle.history"].flush_model()
        self.env["customer.lifecycle.stage"].flush_model()
        self.env["customer.lifecycle.funnel.line"].flush_model()
        self.env["res.partner"].flush_model(["active"])
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH stages AS (
                    SELECT id, sequence,
                           row_number() OVER (ORDER BY sequence, id) AS position,
                           lead(id) OVER (ORDER BY sequence, id) AS next_stage_id
                      FROM customer_lifecycle_stage WHERE active
                ),
                moves AS (
                    SELECT h.partner_id, h.to_stage_id, h.date,
                           lead(h.date) OVER (PARTITION BY h.partner_id
                                              ORDER BY h.date, h.id) AS left_on
                      FROM customer_lifecycle_history h
                      JOIN res_partner p ON p.id = h.partner_id AND p.active
                     WHERE h.company_id = %(company)s AND h.date < %(end)s
                ),
                in_stage AS (
                    SELECT to_stage_id AS stage_id, count(*) AS partner_count
                      FROM moves WHERE left_on IS NULL GROUP BY to_stage_id
                ),
                furthest AS (
                    SELECT m.partner_id, max(s.position) AS position
                      FROM moves m JOIN stages s ON s.id = m.to_stage_id
                  GROUP BY m.partner_id
                ),
                reached AS (
                    SELECT s.id AS stage_id, count(f.partner_id) AS reached_count
                      FROM stages s
                 LEFT JOIN furthest f ON f.position >= s.position
                  GROUP BY s.id
                ),
                stays AS (
                    SELECT to_stage_id AS stage_id, count(*) AS stay_count,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY
                               extract(epoch FROM COALESCE(left_on, %(end)s) - date)
                               / 86400) AS median_days
                      FROM moves WHERE to_stage_id IS NOT NULL
                  GROUP BY to_stage_id
                )
                INSERT INTO customer_lifecycle_funnel_line
                       (funnel_id, company_id, stage_id, sequence, next_stage_id,
                        partner_count, reached_count, conversion_rate,
                        stay_count, median_days,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(report)s, %(company)s, s.id, s.position, s.next_stage_id,
                       COALESCE(i.partner_count, 0), r.reached_count,
                       100.0 * lead(r.reached_count) OVER (ORDER BY s.position)
                           / NULLIF(r.reached_count, 0),
                       COALESCE(st.stay_count, 0), st.median_days,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM stages s
                  JOIN reached r ON r.stage_id = s.id
             LEFT JOIN in_stage i ON i.stage_id = s.id
             LEFT JOIN stays st ON st.stage_id = s.id
                """,
                company=self.company_id.id,
                end=end,
                report=self.id,
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_recordset(["line_ids"])
