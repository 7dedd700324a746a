from odoo import _, api, fields, models
from odoo.tools import SQL

from ..lib.pyramid_split import LEVELS
from ..models.customer_pyramid_query import RESULT_TABLE, cents_sum, cutoff_of
from ..models.res_company import CHECKED_FIELDS, RANKING_FIELDS


class CustomerPyramidPreview(models.TransientModel):
    """The pyramid with settings not saved yet, next to the pyramid of today.

    It runs the scheduled action's computation without writing
    (``_recompute_company(..., dry_run=True)``) and copies its temporary
    result into the preview's lines; applying saves the settings and runs the
    real computation.
    """

    _name = "customer.pyramid.preview"
    _description = "Customer pyramid preview"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    customer_pyramid_window_months = fields.Integer(
        string="Active window (months)", readonly=True
    )
    customer_pyramid_top_share = fields.Float(
        string="Top customers (%)", digits=(5, 2), readonly=True
    )
    customer_pyramid_big_share = fields.Float(
        string="Big customers (%)", digits=(5, 2), readonly=True
    )
    customer_pyramid_medium_share = fields.Float(
        string="Medium customers (%)", digits=(5, 2), readonly=True
    )
    customer_pyramid_small_share = fields.Float(
        string="Small customers (%)", digits=(5, 2), readonly=True
    )
    customer_pyramid_amount_basis = fields.Selection(
        selection="_selection_customer_pyramid_amount_basis",
        string="Ranking basis",
        readonly=True,
    )
    customer_pyramid_revenue_source = fields.Selection(
        selection="_selection_customer_pyramid_revenue_source",
        string="Revenue from",
        readonly=True,
    )
    customer_pyramid_group_companies = fields.Boolean(
        string="Rank groups of companies as one customer", readonly=True
    )
    customer_pyramid_grace_band = fields.Float(
        string="Grace band (%)", digits=(5, 2), readonly=True
    )
    current_settings = fields.Char(string="Today computed with", readonly=True)
    new_settings = fields.Char(string="Previewed settings", readonly=True)
    level_ids = fields.One2many(
        "customer.pyramid.preview.level", "preview_id", string="Levels", readonly=True
    )
    move_ids = fields.One2many(
        "customer.pyramid.preview.move", "preview_id", string="Moves", readonly=True
    )
    move_count = fields.Integer(string="Partners who would move", readonly=True)

    @api.model
    def _selection_customer_pyramid_amount_basis(self):
        return self.env["res.company"]._selection_customer_pyramid_amount_basis()

    @api.model
    def _selection_customer_pyramid_revenue_source(self):
        return self.env["res.company"]._selection_customer_pyramid_revenue_source()

    def action_apply(self):
        """Save the previewed settings and recompute the pyramid with them."""
        self.ensure_one()
        self.company_id.write(self._ranking_values())
        self.env["customer.pyramid.engine"].recompute_companies(
            self.company_id, cause="preview"
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "The new settings were saved and the customer pyramid of "
                    "%(company)s was recomputed with them.",
                    company=self.company_id.name,
                ),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }

    @api.model
    def _create_preview(self, company, values):
        """Preview ``company`` with the ranking settings ``values``.

        Bad values get the same errors as saving them would give.
        """
        company._customer_pyramid_check_values(
            {**{fname: company[fname] for fname in CHECKED_FIELDS}, **values}
        )
        parameters = company._customer_pyramid_parameters(values)
        stats = self.env["customer.pyramid.engine"]._recompute_company(
            company, "preview", parameters, dry_run=True
        )
        preview = self.create(
            {
                "company_id": company.id,
                **values,
                "current_settings": company.customer_pyramid_last_settings,
                "new_settings": company._customer_pyramid_settings_label(parameters),
            }
        )
        preview._copy_result(stats["cutoffs"])
        return preview

    def _copy_result(self, cutoffs):
        """Copy the engine's temporary result into the levels and the moves,
        with the ranking's ``cutoffs``."""
        self.ensure_one()
        audit = SQL(
            "%(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'",
            uid=self.env.uid,
        )
        self._copy_levels(cutoffs, audit)
        self._copy_moves(audit)
        self.invalidate_recordset(["level_ids", "move_ids"])

    def _copy_levels(self, cutoffs, audit):
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_pyramid_preview_level
                       (preview_id, sequence, level, current_count, current_revenue,
                        current_revenue_share, new_count, new_revenue,
                        new_revenue_share, new_cutoff, held_count,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(preview)s, lv.sequence, lv.level,
                       COALESCE(cur.customers, 0), COALESCE(cur.revenue, 0),
                       COALESCE(round(100 * cur.revenue
                                      / NULLIF(totals.current_revenue, 0), 2), 0),
                       COALESCE(new.customers, 0), COALESCE(new.revenue, 0),
                       COALESCE(round(100 * new.revenue
                                      / NULLIF(totals.new_revenue, 0), 2), 0),
                       %(cutoff)s, COALESCE(new.held, 0), %(audit)s
                  FROM unnest(%(levels)s::varchar[]) WITH ORDINALITY
                       AS lv(level, sequence)
            CROSS JOIN (SELECT (SELECT %(current_revenue)s
                                  FROM customer_pyramid_standing
                                 WHERE company_id = %(company)s) AS current_revenue,
                               %(revenue)s AS new_revenue
                          FROM %(result)s) totals
             -- today's pyramid from the standing rows, not from the result:
             -- settings that change who is ranked (groups of companies)
             -- leave partners out of the result
             LEFT JOIN (SELECT level, count(*) AS customers,
                               %(old_revenue)s AS revenue
                          FROM customer_pyramid_standing
                         WHERE company_id = %(company)s GROUP BY level) cur
                       ON cur.level = lv.level
             LEFT JOIN (SELECT level, count(*) AS customers, %(revenue)s AS revenue,
                               count(*) FILTER (WHERE held) AS held
                          FROM %(result)s GROUP BY level) new
                       ON new.level = lv.level
                """,
                cutoff=cutoff_of(SQL("lv.level"), cutoffs),
                current_revenue=cents_sum(SQL("revenue"), SQL("level IS NOT NULL")),
                old_revenue=cents_sum(SQL("revenue")),
                company=self.company_id.id,
                revenue=cents_sum(SQL("revenue")),
                preview=self.id,
                levels=list(LEVELS),
                result=RESULT_TABLE,
                audit=audit,
            )
        )

    def _copy_moves(self, audit):
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_pyramid_preview_move
                       (preview_id, partner_id, old_level, new_level, old_revenue,
                        revenue, create_uid, create_date, write_uid, write_date)
                SELECT %(preview)s, partner_id, old_level, level, old_revenue,
                       revenue, %(audit)s
                  FROM %(result)s
                 WHERE old_level IS DISTINCT FROM level
             UNION ALL
                -- placed today, not ranked with these settings: a subsidiary
                -- ranked with its group
                SELECT %(preview)s, st.partner_id, st.level, NULL, st.revenue, 0,
                       %(audit)s
                  FROM customer_pyramid_standing st
                  -- EXCEPT: a set operation, as in _forget_out_of_scope
                  JOIN (SELECT partner_id FROM customer_pyramid_standing
                         WHERE company_id = %(company)s AND level IS NOT NULL
                        EXCEPT
                        SELECT partner_id FROM %(result)s) gone
                    ON gone.partner_id = st.partner_id
                 WHERE st.company_id = %(company)s
                """,
                preview=self.id,
                company=self.company_id.id,
                result=RESULT_TABLE,
                audit=audit,
            )
        )
        self.move_count = self.env.cr.rowcount

    def _ranking_values(self):
        return {fname: self[fname] for fname in RANKING_FIELDS}
