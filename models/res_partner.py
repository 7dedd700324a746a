from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ..lib.pyramid_split import LEVEL_SELECTION
from .customer_pyramid_standing import PYRAMID_USER

PIN_FIELDS = (
    "customer_pyramid_pinned_level",
    "customer_pyramid_pin_reason",
    "customer_pyramid_pin_until",
)
# A partner's change of these takes it into or out of the pyramid's scope,
# or moves its orders to another commercial partner.
SCOPE_FIELDS = {"parent_id", "active", "company_id", "is_company"}
# Statistics of the addon on Odoo's res_partner, of which partners are their
# own account (``_in_scope``, ``_in_ranking``): the uninstallation drops them.
ACCOUNT_STATISTICS = {
    "res_partner_customer_pyramid_commercial_statistics": "commercial_partner_id",
    "res_partner_customer_pyramid_group_statistics": "customer_pyramid_group_id",
}


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = [
        "res.partner",
        "customer.pyramid.level.order.mixin",
        "customer.pyramid.standing.mixin",
        "customer.relationship.mixin",
        "customer.pyramid.outlook.mixin",
        "customer.lifecycle.mixin",
        "customer.care.mixin",
    ]
    _customer_pyramid_level_fields = (
        "customer_pyramid_level",
        "customer_pyramid_computed_level",
    )

    # The lifecycle stage, per company. Declared here, not in the lifecycle
    # mixin: Odoo clears a deleted record from every company-dependent
    # many2one, and would look for a table of the abstract mixin.
    customer_lifecycle_stage_id = fields.Many2one(
        "customer.lifecycle.stage",
        string="Lifecycle stage",
        company_dependent=True,
        group_expand="_read_group_customer_lifecycle_stage_ids",
        groups=PYRAMID_USER,
        copy=False,
    )
    # The top-most parent: what a company ranking groups of companies ranks
    # its subsidiaries and their contacts as (customer.pyramid.query). No
    # groups: it is the parent chain everyone reads, and every partner's
    # creation computes it, whoever creates it.
    customer_pyramid_group_id = fields.Many2one(
        "res.partner",
        string="Group of companies",
        help="The top-most parent company of this partner's group.",
        compute="_compute_customer_pyramid_group_id",
        store=True,
        recursive=True,
        index=True,
    )
    # Whose level a partner shows: its commercial partner, or its group's
    # top-most parent where the company ranks groups of companies.
    customer_pyramid_account_id = fields.Many2one(
        "res.partner",
        string="Ranked as",
        compute="_compute_customer_pyramid_account_id",
        groups=PYRAMID_USER,
    )
    # Computed, not related: a related field depends on the account field,
    # which is not searchable; the engine invalidates it with the levels.
    customer_pyramid_account_level = fields.Selection(
        LEVEL_SELECTION,
        string="Level of the account",
        compute="_compute_customer_pyramid_account_id",
        groups=PYRAMID_USER,
    )
    customer_pyramid_ranked_as_other = fields.Boolean(
        string="Ranked as another partner",
        compute="_compute_customer_pyramid_account_id",
        groups=PYRAMID_USER,
    )

    @api.depends("parent_id.customer_pyramid_group_id")
    def _compute_customer_pyramid_group_id(self):
        for partner in self:
            parent = partner.parent_id
            partner.customer_pyramid_group_id = (
                (parent.customer_pyramid_group_id or parent) if parent else partner
            )

    @api.depends_context("company")
    @api.depends("commercial_partner_id", "customer_pyramid_group_id")
    def _compute_customer_pyramid_account_id(self):
        grouped = self.env.company._customer_pyramid_setting(
            "customer_pyramid_group_companies"
        )
        for partner in self:
            account = partner.commercial_partner_id
            if grouped:
                account = partner.customer_pyramid_group_id or account
            partner.customer_pyramid_account_id = account
            partner.customer_pyramid_account_level = account.customer_pyramid_level
            partner.customer_pyramid_ranked_as_other = (
                account._origin != partner._origin
            )

    def _auto_init(self):
        # The group column of a large base is filled here in one statement;
        # the ORM would compute it partner by partner.
        if not column_exists(self.env.cr, "res_partner", "customer_pyramid_group_id"):
            create_column(
                self.env.cr, "res_partner", "customer_pyramid_group_id", "int4"
            )
            self._customer_pyramid_fill_groups()
        return super()._auto_init()

    def init(self):
        res = super().init()
        self._customer_pyramid_create_account_statistics()
        return res

    def _customer_pyramid_create_account_statistics(self):
        """Create the statistics ``ACCOUNT_STATISTICS`` that are missing, and
        gather them at once: the install ranks every partner right after.

        Statistics on an expression need PostgreSQL 14; an older server
        plans the scope without them."""
        cr = self.env.cr
        cr.execute(SQL("SHOW server_version_num"))
        if int(cr.fetchone()[0]) < 140000:
            return
        cr.execute(
            SQL(
                "SELECT stxname FROM pg_statistic_ext WHERE stxname = ANY(%s)",
                list(ACCOUNT_STATISTICS),
            )
        )
        existing = {name for (name,) in cr.fetchall()}
        missing = {
            name: column
            for name, column in ACCOUNT_STATISTICS.items()
            if name not in existing
        }
        for name, column in missing.items():
            cr.execute(
                SQL(
                    "CREATE STATISTICS %s ON ((id = %s)) FROM res_partner",
                    SQL.identifier(name),
                    SQL.identifier(column),
                )
            )
        if missing:
            cr.execute(SQL("ANALYZE res_partner"))

    def _customer_pyramid_fill_groups(self):
        """Set every partner's group (``_compute_customer_pyramid_group_id``)
        in one statement, down the parent tree from the partners without
        a parent."""
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE tree AS (
                    SELECT id, id AS group_id FROM res_partner
                     WHERE parent_id IS NULL
                 UNION ALL
                    SELECT p.id, tree.group_id
                      FROM res_partner p JOIN tree ON p.parent_id = tree.id
                )
                UPDATE res_partner p SET customer_pyramid_group_id = tree.group_id
                  FROM tree WHERE tree.id = p.id
                """
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("customer_relationship_automatic"):
            vals_list = [self._customer_relationship_mark_manual(v) for v in vals_list]
        partners = super().create(vals_list)
        if not self.env.context.get("customer_pyramid_skip_events"):
            partners._customer_pyramid_on_new_partners()
        return partners

    def write(self, vals):
        if "customer_pyramid_potential" in vals:
            self._check_customer_pyramid_potential(vals["customer_pyramid_potential"])
        if any(fname in vals for fname in PIN_FIELDS):
            self._check_customer_pyramid_pin(vals)
            if (
                "customer_pyramid_pinned_level" in vals
                and not (vals["customer_pyramid_pinned_level"])
            ):
                vals = dict(vals, customer_pyramid_pin_until=False)
        if not self.env.context.get("customer_relationship_automatic"):
            vals = self._customer_relationship_mark_manual(vals)
        complaint_changed = "customer_complaint_open" in vals and self.filtered(
            lambda p: p.customer_complaint_open != bool(vals["customer_complaint_open"])
        )
        manual_move = (
            "customer_lifecycle_stage_id" in vals
            and not self.env.context.get("customer_lifecycle_automatic")
        )
        if manual_move:
            previous = {
                partner: partner.customer_lifecycle_stage_id for partner in self
            }
            vals = dict(vals, customer_lifecycle_stage_date=fields.Datetime.now())
        scope_before = (
            SCOPE_FIELDS.intersection(vals) and self._customer_pyramid_scope()
        )
        res = super().write(vals)
        events = self.env["customer.pyramid.event"]
        if manual_move:
            self.env["customer.lifecycle.engine"].log_moves(self, previous, "manual")
        if scope_before:
            self._customer_pyramid_queue_scope_change(scope_before)
        if "customer_pyramid_pinned_level" in vals:
            cause = "pin" if vals["customer_pyramid_pinned_level"] else "unpin"
            events.queue(self.env.company, self, cause)
        elif "customer_pyramid_mark" in vals:
            events.queue(self.env.company, self, "mark")
        elif "customer_pyramid_potential" in vals:
            events.queue(self.env.company, self, "potential")
        if complaint_changed:
            complaint_changed._customer_complaint_log(vals["customer_complaint_open"])
            events.queue(self.env.company, complaint_changed, "feedback")
        events.apply_pending()
        if vals.get("customer_lifecycle_promoter"):
            self.env["customer.lifecycle.engine"].advance(
                self, "advocacy", self.env.company
            )
        return res

    def unlink(self):
        ids = self.ids
        res = super().unlink()
        self.env["customer.pyramid.standing"]._delete_rows_of("partner_id", ids)
        return res

    def export_data(self, fields_to_export):
        # Odoo checks the groups of a stored field where it reads it; the
        # pyramid's fields are computed: the export checks them as read does.
        for path in fields_to_export:
            model = self
            for fname in path.split("/"):
                field = model._fields.get(fname)
                if field is None:
                    break
                model.check_field_access_rights("read", [fname])
                if not field.relational:
                    break
                model = self.env[field.comodel_name]
        return super().export_data(fields_to_export)

    def _customer_pyramid_on_new_partners(self):
        """A new commercial partner gets its level and enters Awareness,
        when the transaction commits: Odoo creates partners in bulk (imports,
        lead conversion, the mail gateway), and one pass serves them all."""
        commercial = self.filtered(lambda p: p.is_company or not p.parent_id)
        events = self.env["customer.pyramid.event"]
        for company, new_partners in commercial.grouped("company_id").items():
            events.queue(company or self.env.company, new_partners, "partner")
        events.queue_lifecycle(self.env.company, commercial, "awareness")

    def _customer_pyramid_queue_scope_change(self, before=None):
        """Queue these partners where they may have entered or left the
        pyramid: where they counted ``before`` (``_customer_pyramid_scope``
        read before the change) and where they count now."""
        before = before or {}
        after = self._customer_pyramid_scope()
        events = self.env["customer.pyramid.event"]
        for company in before.keys() | after.keys():
            partners = before.get(company, self.browse()) | after.get(
                company, self.browse()
            )
            events.queue(company, partners | self, "partner_change")

    def _customer_pyramid_scope(self):
        """{company: commercial partners and groups} where these partners
        count: the companies where one of them stands, their own and the
        user's. Read before a change, it names the group a partner leaves."""
        commercial = self.sudo().commercial_partner_id
        commercial |= commercial.customer_pyramid_group_id
        self.env["customer.pyramid.standing"].flush_model()
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT company_id FROM customer_pyramid_standing"
                " WHERE partner_id = ANY(%s)",
                (self | commercial).ids,
            )
        )
        companies = (
            self.env["res.company"]
            .sudo()
            .browse([company_id for (company_id,) in rows])
            .exists()
            | self.sudo().company_id
            | self.env.company
        )
        return dict.fromkeys(companies, commercial)
