from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..lib.pyramid_split import LEVEL_SELECTION

# An index of the addon on Odoo's res_partner: the uninstallation drops it.
VENDOR_INDEX = "res_partner_customer_pyramid_vendor_index"
RANKED_REVENUE_INDEX = "customer_pyramid_standing_ranked_revenue_rank_index"
# Who reads, searches, groups and exports what the addon knows of a partner.
PYRAMID_USER = "customer_pyramid.group_user"
# The business model canvas's customer relationships, and what they aim at.
RELATIONSHIP_TYPE_SELECTION = [
    ("personal", "Personal assistance"),
    ("dedicated", "Dedicated personal assistance"),
    ("self_service", "Self-service"),
    ("automated", "Automated service"),
    ("community", "Community"),
    ("co_creation", "Co-creation"),
    ("social", "Social networks"),
]
RELATIONSHIP_GOAL_SELECTION = [
    ("acquire", "Acquire"),
    ("retain", "Retain"),
    ("grow", "Grow (upsell)"),
]
# The partner fields kept here, per company: res.partner field -> column.
STANDING_FIELDS = {
    "customer_pyramid_level": "level",
    "customer_pyramid_computed_level": "computed_level",
    "customer_pyramid_revenue": "revenue",
    "customer_pyramid_lifetime_revenue": "lifetime_revenue",
    "customer_pyramid_order_count": "order_count",
    "customer_pyramid_first_order_date": "first_order_date",
    "customer_pyramid_last_order_date": "last_order_date",
    "customer_pyramid_rank": "rank",
    "customer_pyramid_percentile": "percentile",
    "customer_pyramid_cutoff": "cutoff",
    "customer_pyramid_held": "held",
    "customer_pyramid_order_frequency": "order_frequency",
    "customer_pyramid_wallet_share": "wallet_share",
    "customer_satisfaction": "satisfaction",
    "customer_pyramid_refreshed_on": "refreshed_on",
    "customer_pyramid_entered_on": "entered_on",
    "customer_relationship_type": "relationship_type",
    "customer_relationship_goal": "relationship_goal",
}
# Where a partner is going, written by customer.pyramid.outlook after the
# facts: partner field -> column.
OUTLOOK_FIELDS = {
    "customer_pyramid_drop_date": "drop_date",
    "customer_pyramid_keep_amount": "keep_amount",
    "customer_pyramid_next_gap": "next_gap",
    "customer_pyramid_next_gap_percent": "next_gap_percent",
    "customer_pyramid_usual_gap": "usual_gap",
    "customer_pyramid_risk_date": "risk_date",
    "customer_pyramid_lapsed_since": "lapsed_since",
}
# What the ranking computes; the relationship follows the level, the refresh
# date says when the engine last changed the row.
FACT_COLUMNS = {
    fname: column
    for fname, column in STANDING_FIELDS.items()
    if column
    not in ("refreshed_on", "entered_on", "relationship_type", "relationship_goal")
}
STANDING_FIELDS.update(OUTLOOK_FIELDS)


class CustomerPyramidStanding(models.Model):
    """Where a partner stands in one company's pyramid: one narrow row each.

    The engine writes these rows in SQL; res.partner shows, searches, groups
    and sorts them as its own fields, through a join on the row of the
    current company. They are not company-dependent partner fields because
    each engine write would then rewrite the whole, wide, heavily indexed
    partner row: a first recompute of a million partners spent most of its
    time there (docs/benchmarks.md).
    """

    _name = "customer.pyramid.standing"
    _description = "Customer pyramid standing"
    # Written set-based by the engine; refreshed_on says when.
    _log_access = False

    # Ids, not many2one fields: a row is derived data the engine can always
    # rebuild, and a foreign key would cost a check (and a row lock on the
    # partner) for each of the million rows of a first ranking. Rows go with
    # their partner (res.partner.unlink); the engine reads only rows of
    # existing partners and companies.
    partner_id = fields.Integer(required=True, readonly=True)
    company_id = fields.Integer(required=True, readonly=True)
    level = fields.Selection(LEVEL_SELECTION, readonly=True)
    computed_level = fields.Selection(LEVEL_SELECTION, readonly=True)
    revenue = fields.Float(readonly=True)
    lifetime_revenue = fields.Float(readonly=True)
    order_count = fields.Integer(readonly=True)
    first_order_date = fields.Date(readonly=True)
    last_order_date = fields.Date(readonly=True)
    rank = fields.Integer(readonly=True)
    percentile = fields.Float(readonly=True)
    cutoff = fields.Float(readonly=True)
    held = fields.Boolean(readonly=True)
    order_frequency = fields.Float(readonly=True)
    wallet_share = fields.Float(readonly=True)
    satisfaction = fields.Float(readonly=True)
    refreshed_on = fields.Datetime(readonly=True)
    # The first placement: the level history records changes from there on.
    entered_on = fields.Datetime(readonly=True)
    relationship_type = fields.Selection(RELATIONSHIP_TYPE_SELECTION, readonly=True)
    relationship_goal = fields.Selection(RELATIONSHIP_GOAL_SELECTION, readonly=True)
    # The outlook (customer.pyramid.outlook): when the level would drop if
    # nothing more were bought and what keeps it, the way to the next level,
    # the customer's usual rhythm and when it is overdue, when it lapsed.
    drop_date = fields.Date(readonly=True)
    keep_amount = fields.Float(readonly=True)
    next_gap = fields.Float(readonly=True)
    next_gap_percent = fields.Float(readonly=True)
    usual_gap = fields.Float(readonly=True)
    risk_date = fields.Date(readonly=True)
    lapsed_since = fields.Date(readonly=True)

    # The unique index also finds a partner's rows: no separate partner index.
    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE (partner_id, company_id)",
            "A partner stands once in each company's pyramid.",
        )
    ]

    def init(self):
        # The pyramid's scope leaves out the few vendors that never bought.
        create_index(
            self.env.cr,
            VENDOR_INDEX,
            "res_partner",
            ["id"],
            where="supplier_rank > 0",
        )
        # An event ranks its partner by the rank of the revenue just above
        # it, and a quiet run ranks every customer again in revenue order:
        # with the rank in the index, both read the index alone.
        self.env.cr.execute(
            SQL(
                """DROP INDEX IF EXISTS customer_pyramid_standing_ranked_revenue_index;
                CREATE INDEX IF NOT EXISTS %s ON customer_pyramid_standing
                       (company_id, revenue) INCLUDE (rank, partner_id)
                 WHERE rank IS NOT NULL""",
                SQL.identifier(RANKED_REVENUE_INDEX),
            )
        )

    def _delete_rows_of(self, column, ids):
        """Delete the rows of the partners or companies ``ids`` (``column``
        partner_id or company_id): they have no foreign key to cascade with."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM customer_pyramid_standing WHERE %s = ANY(%s)",
                SQL.identifier(column),
                ids,
            )
        )
        self.invalidate_model()
