from odoo import fields, models
from odoo.tools import SQL

from .customer_pyramid_standing import (
    PYRAMID_USER,
    RELATIONSHIP_GOAL_SELECTION,
    RELATIONSHIP_TYPE_SELECTION,
    STANDING_FIELDS,
)
from .customer_pyramid_standing_mixin import _search_standing

# A user's write of a relationship field marks it as set by hand.
RELATIONSHIP_MANUAL_FIELDS = {
    "customer_relationship_type": "customer_relationship_type_manual",
    "customer_relationship_goal": "customer_relationship_goal_manual",
}


class CustomerRelationshipMixin(models.AbstractModel):
    """How the company serves a partner (business model canvas), for
    ``res.partner``: the type and goal follow the partner's level through
    the company's defaults (customer.relationship.default) until a user
    sets them by hand.

    They live in the partner's standing row, beside the level the engine
    writes in the same statement; ``_compute_customer_pyramid_standing`` of
    customer.pyramid.standing.mixin reads them with the rest of the row.
    """

    _name = "customer.relationship.mixin"
    _description = "Customer relationship of a partner"

    customer_relationship_type = fields.Selection(
        RELATIONSHIP_TYPE_SELECTION,
        string="Relationship type",
        help="How we serve this customer (business model canvas).",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_relationship_type"),
        inverse="_inverse_customer_relationship_type",
        groups=PYRAMID_USER,
    )
    customer_relationship_goal = fields.Selection(
        RELATIONSHIP_GOAL_SELECTION,
        string="Relationship goal",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_relationship_goal"),
        inverse="_inverse_customer_relationship_goal",
        groups=PYRAMID_USER,
    )
    customer_relationship_type_manual = fields.Boolean(
        string="Relationship type set by hand",
        company_dependent=True,
        copy=False,
        help="Set when a user chose the type: it no longer follows the level.",
        groups=PYRAMID_USER,
    )
    customer_relationship_goal_manual = fields.Boolean(
        string="Relationship goal set by hand",
        company_dependent=True,
        copy=False,
        help="Set when a user chose the goal: it no longer follows the level.",
        groups=PYRAMID_USER,
    )

    def _inverse_customer_relationship_type(self):
        self._customer_relationship_store("customer_relationship_type")

    def _inverse_customer_relationship_goal(self):
        self._customer_relationship_store("customer_relationship_goal")

    def action_customer_relationship_reset(self):
        """Follow the level again: the company's default type and goal."""
        defaults = {
            default.level: default
            for default in self.env["customer.relationship.default"].search(
                [("company_id", "=", self.env.company.id)]
            )
        }
        for partner in self:
            default = defaults.get(partner.commercial_partner_id.customer_pyramid_level)
            vals = {fname: False for fname in RELATIONSHIP_MANUAL_FIELDS.values()}
            if default and default.relationship_type:
                vals["customer_relationship_type"] = default.relationship_type
            if default and default.relationship_goal:
                vals["customer_relationship_goal"] = default.relationship_goal
            partner.with_context(customer_relationship_automatic=True).write(vals)
        return True

    def _customer_relationship_mark_manual(self, vals):
        """The values with the set-by-hand marks of the relationship fields written."""
        marks = {
            manual: True
            for fname, manual in RELATIONSHIP_MANUAL_FIELDS.items()
            if fname in vals and manual not in vals
        }
        return dict(vals, **marks) if marks else vals

    def _customer_relationship_store(self, fname):
        """A user's relationship type or goal, into the company's standing row."""
        column = SQL.identifier(STANDING_FIELDS[fname])
        rows = [
            SQL("(%s, %s, %s)", partner.id, self.env.company.id, partner[fname] or None)
            for partner in self
            if partner.id
        ]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_pyramid_standing AS st
                       (partner_id, company_id, %(column)s)
                VALUES %(rows)s
                ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET %(column)s = EXCLUDED.%(column)s
                """,
                column=column,
                rows=SQL(", ").join(rows),
            )
        )
