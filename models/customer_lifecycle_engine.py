from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.tools import SQL

from .customer_lifecycle_stage import LIFECYCLE_RULE_SELECTION

LIFECYCLE_RULES = [rule for rule, _label in LIFECYCLE_RULE_SELECTION]
# The stages a lapsed customer does not sit in silently.
LAPSED_FROM_RULES = ("loyalty", "advocacy")


class CustomerLifecycleEngine(models.AbstractModel):
    """The lifecycle rules: which event moves a partner to which stage.

    Events move partners forward one rule at a time (``advance``); the
    installation places every existing partner at once (``initialize``),
    from the same facts: the pyramid's scope, the confirmed orders, the
    loyalty rule of the company.
    """

    _name = "customer.lifecycle.engine"
    _description = "Customer lifecycle rules"

    @api.model
    def advance(self, partners, rule, company):
        """Move the commercial partners of ``partners`` forward to the stage
        entered by ``rule``.

        Automatic moves never go backwards: a partner already at or past that
        stage stays where it is. Only partners in the pyramid's scope move:
        the same rule as the ranking's (``customer.pyramid.engine``).
        """
        if partners and (stage := self._automatic_stage(rule, company)):
            self._advance_to(partners, stage, company, rule)

    @api.model
    def _automatic_stage(self, rule, company):
        """The stage ``rule`` moves partners to in ``company``; empty when the
        company does not automate the rule or the context skips events."""
        stages = self.env["customer.lifecycle.stage"]
        if not company[f"customer_lifecycle_auto_{rule}"] or self.env.context.get(
            "customer_pyramid_skip_events"
        ):
            return stages
        # sudo: the stage is found for any user whose change moves a card
        return stages.sudo().search([("rule", "=", rule)], limit=1)

    @api.model
    def _advance_to(self, partners, stage, company, rule):
        """``advance`` once its stage is known."""
        # sudo: an event moves the card whatever fields its user may read;
        # the chatter and the history still name that user. The stage first:
        # a repeat buyer already past it needs no more queries.
        behind = self._behind(partners.sudo().commercial_partner_id, stage, company)
        if not behind:
            return
        in_scope = self.env["customer.pyramid.engine"]._partners_in_scope(
            company, behind.ids
        )
        # Lifecycle automation is profiling: partners who refused it stay put.
        movers = behind.browse(in_scope).filtered(
            lambda p: p.customer_consent_profiling != "refused"
        )
        self._move(movers, stage, company, rule)

    @api.model
    def _behind(self, partners, stage, company):
        """The partners of ``partners`` before ``stage`` in ``company``, or
        without a stage: the ones an automatic move to it may move."""
        return partners.with_company(company).filtered(
            lambda p: not p.customer_lifecycle_stage_id
            or (
                p.customer_lifecycle_stage_id.sequence,
                p.customer_lifecycle_stage_id.id,
            )
            < (stage.sequence, stage.id)
        )

    @api.model
    def _move(self, movers, stage, company, cause):
        """Write ``stage`` on ``movers`` and record the moves under ``cause``."""
        if not movers:
            return
        previous = {partner: partner.customer_lifecycle_stage_id for partner in movers}
        movers.with_context(customer_lifecycle_automatic=True).write(
            {
                "customer_lifecycle_stage_id": stage.id,
                "customer_lifecycle_stage_date": fields.Datetime.now(),
            }
        )
        self.with_company(company).log_moves(movers, previous, cause)

    @api.model
    def win_back(self, company, partner_ids=None):
        """Move the lapsed customers (of ``partner_ids``, or all) that sit in
        Loyalty or Advocacy to the company's win-back stage, when it has one:
        the one automatic move that may go backwards."""
        # sudo: any user's event may move a card; the stage is the company's
        target = company.sudo().customer_lifecycle_winback_stage_id
        if not target or self.env.context.get("customer_pyramid_skip_events"):
            return
        stages = self.env["customer.lifecycle.stage"].sudo()
        lapsed_from = stages.search([("rule", "in", LAPSED_FROM_RULES)]) - target
        if not lapsed_from:
            return
        domain = [
            ("customer_pyramid_lapsed_since", "!=", False),
            ("customer_lifecycle_stage_id", "in", lapsed_from.ids),
            ("customer_consent_profiling", "!=", "refused"),
        ]
        if partner_ids is not None:
            domain.append(("id", "in", list(partner_ids)))
        movers = self.env["res.partner"].sudo().with_company(company).search(domain)
        self._move(movers, target, company, "winback")

    @api.model
    def on_confirmed_orders(self, company, orders):
        """Conversion, then loyalty for repeat buyers, then advocacy for referrers."""
        buyers = orders.sudo().partner_id.commercial_partner_id
        self.advance(buyers, "conversion", company)
        loyalty = self._automatic_stage("loyalty", company)
        # the orders are counted only for buyers who may still become loyal
        if loyalty and (behind := self._behind(buyers, loyalty, company)):
            self.env["sale.order"].flush_model(
                ["state", "date_order", "partner_id", "company_id"]
            )
            self.env["res.partner"].flush_model(["commercial_partner_id"])
            self.env.cr.execute(
                SQL(
                    "SELECT o.partner_id FROM (%s) o WHERE %s",
                    self._order_counts_query(company, behind.ids),
                    self._loyal(company, "o"),
                )
            )
            loyal = self.env["res.partner"].browse(
                [partner_id for (partner_id,) in self.env.cr.fetchall()]
            )
            self._advance_to(loyal, loyalty, company, "loyalty")
        self.advance(buyers.customer_referred_by_id, "advocacy", company)

    @api.model
    def _order_counts_query(self, company, partner_ids=None):
        """SQL: per commercial partner with orders in ``company`` (of
        ``partner_ids``, or all), its confirmed orders, those of the loyalty
        period, and whether a quotation is open: what the stage rules read."""
        partner_filter = SQL()
        if partner_ids is not None:
            partner_filter = SQL("AND cp.commercial_partner_id = ANY(%s)", partner_ids)
        since = fields.Datetime.now() - relativedelta(
            months=company._customer_pyramid_setting(
                "customer_lifecycle_loyalty_months"
            )
        )
        return SQL(
            """
            SELECT cp.commercial_partner_id AS partner_id,
                   count(*) FILTER (WHERE so.state = 'sale') AS confirmed,
                   count(*) FILTER (WHERE so.state = 'sale'
                                      AND so.date_order >= %(since)s) AS recent,
                   bool_or(so.state IN ('draft', 'sent')) AS quotation
              FROM sale_order so
              JOIN res_partner cp ON cp.id = so.partner_id
             WHERE so.company_id = %(company)s %(partner_filter)s
          GROUP BY 1
            """,
            since=since,
            company=company.id,
            partner_filter=partner_filter,
        )

    @api.model
    def _loyal(self, company, alias):
        """SQL: the loyalty rule over a row ``alias`` of _order_counts_query."""
        return SQL(
            "%s >= %s",
            SQL.identifier(alias, "recent"),
            company._customer_pyramid_setting("customer_lifecycle_loyalty_orders"),
        )

    @api.model
    def log_moves(self, partners, previous, cause):
        """History rows and a chatter note for each partner whose stage changed."""
        causes = dict(
            self.env["customer.lifecycle.history"]
            ._fields["cause"]
            ._description_selection(self.env)
        )
        history_vals = []
        bodies = {}
        trackings = {}
        stage_field = partners.fields_get(
            ["customer_lifecycle_stage_id"], attributes=("string", "type")
        )["customer_lifecycle_stage_id"]
        tracking = self.env["mail.tracking.value"]
        for partner in partners:
            old_stage = previous.get(partner)
            new_stage = partner.customer_lifecycle_stage_id
            if old_stage == new_stage:
                continue
            history_vals.append(
                {
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "from_stage_id": old_stage.id,
                    "to_stage_id": new_stage.id,
                    "cause": cause,
                }
            )
            bodies[partner.id] = _(
                "Lifecycle stage for %(company)s: %(old)s → %(new)s (%(cause)s)",
                company=self.env.company.name,
                old=old_stage.name or _("none"),
                new=new_stage.name or _("none"),
                cause=causes[cause],
            )
            trackings[partner.id] = tracking._create_tracking_values(
                old_stage,
                new_stage,
                "customer_lifecycle_stage_id",
                stage_field,
                partner,
            )
        # A note with the tracked change, as Odoo's tracking logs one, whether
        # or not the caller disabled tracking: the move is the addon's own.
        for partner in partners.browse(list(bodies)):
            partner._message_log(
                body=bodies[partner.id],
                tracking_value_ids=[Command.create(trackings[partner.id])],
            )
        # sudo: history is read-only for users, and moving a card is allowed to
        # them; the rows only record the move that was just written.
        self.env["customer.lifecycle.history"].sudo().create(history_vals)

    @api.model
    def initialize(self, companies):
        """Give existing partners their stage on install, in one statement each.

        Where the events would have brought them: referrers of a buyer in
        Advocacy, buyers in Conversion (or Loyalty when they meet its rule),
        partners with an opportunity or a quotation in Consideration, every
        other partner of the pyramid's scope in Awareness.
        """
        stages = {
            stage.rule: stage
            for stage in self.env["customer.lifecycle.stage"].search(
                [("rule", "!=", False)]
            )
        }
        if not all(rule in stages for rule in LIFECYCLE_RULES):
            return
        self.env["sale.order"].flush_model()
        self.env["crm.lead"].flush_model()
        self.env["res.partner"].flush_model()
        for company in companies:
            self._initialize_company(company, stages)
        self.env["res.partner"].invalidate_model(
            ["customer_lifecycle_stage_id", "customer_lifecycle_stage_date"]
        )

    @api.model
    def _initialize_company(self, company, stages):
        """One statement from the facts to the stages and their history, so
        that a database of a million partners is placed without one row
        leaving PostgreSQL."""
        key = str(company.id)
        # Hash joins whatever the estimates: PostgreSQL has no statistics of
        # the stage column just added, counts one partner without a stage
        # where there are a million, and would rescan the leads and the
        # orders once per partner in nested loops.
        self.env.cr.execute(SQL("SET LOCAL enable_nestloop = off"))
        self.env.cr.execute(
            SQL(
                """
                WITH orders AS (%(orders)s),
                leads AS (
                    SELECT DISTINCT cp.commercial_partner_id AS partner_id
                      FROM crm_lead l JOIN res_partner cp ON cp.id = l.partner_id
                     WHERE l.active AND l.type = 'opportunity'
                       AND (l.company_id IS NULL OR l.company_id = %(company)s)
                ),
                -- joined once, not a subquery run for each partner
                referrers AS (
                    SELECT DISTINCT referral.customer_referred_by_id AS partner_id
                      FROM res_partner referral
                      JOIN orders ro ON ro.partner_id = referral.id
                     WHERE referral.customer_referred_by_id IS NOT NULL
                       AND ro.confirmed > 0
                ),
                stages AS (
                    SELECT p.id,
                           CASE WHEN r.partner_id IS NOT NULL THEN %(advocacy)s
                                WHEN %(loyal)s THEN %(loyalty)s
                                WHEN o.confirmed > 0 THEN %(conversion)s
                                WHEN o.quotation OR l.partner_id IS NOT NULL
                                    THEN %(consideration)s
                                ELSE %(awareness)s
                           END AS stage_id
                      FROM res_partner p
                 LEFT JOIN orders o ON o.partner_id = p.id
                 LEFT JOIN leads l ON l.partner_id = p.id
                 LEFT JOIN referrers r ON r.partner_id = p.id
                     WHERE %(in_scope)s
                       AND p.customer_lifecycle_stage_id -> %(key)s IS NULL
                ),
                moved AS (
                    UPDATE res_partner p
                       SET customer_lifecycle_stage_id =
                               COALESCE(p.customer_lifecycle_stage_id, '{}'::jsonb)
                               || jsonb_build_object(%(key)s, s.stage_id),
                           customer_lifecycle_stage_date = COALESCE(
                               p.customer_lifecycle_stage_date, '{}'::jsonb
                           ) || jsonb_build_object(%(key)s, %(now)s)
                      FROM stages s
                     WHERE s.id = p.id AND s.stage_id IS NOT NULL
                 RETURNING p.id, s.stage_id
                )
                INSERT INTO customer_lifecycle_history
                       (partner_id, company_id, date, to_stage_id, cause, user_id)
                SELECT id, %(company)s, %(now)s, stage_id, 'install', %(uid)s
                  FROM moved
                """,
                orders=self._order_counts_query(company),
                company=company.id,
                loyal=self._loyal(company, "o"),
                advocacy=stages["advocacy"].id,
                loyalty=stages["loyalty"].id,
                conversion=stages["conversion"].id,
                consideration=stages["consideration"].id,
                awareness=stages["awareness"].id,
                key=key,
                in_scope=self.env["customer.pyramid.engine"]._in_scope(company, "p"),
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        self.env.cr.execute(SQL("RESET enable_nestloop"))
