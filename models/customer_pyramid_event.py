from odoo import api, models
from odoo.tools import SQL

# Where a transaction keeps its events (cr.precommit.data).
PENDING_EVENTS = "customer_pyramid.pending_events"


class CustomerPyramidEvent(models.AbstractModel):
    """Where a change of an input enters the pyramid.

    A change queues the commercial partners it concerns, per company and
    cause (``queue``), and lifecycle moves (``queue_confirmed_orders``,
    ``queue_lifecycle``); ``apply_pending`` is the one step that refreshes
    them (facts and level through the engine), then moves their stages.
    Most inputs' writes call it when they end (``customer.pyramid.input.mixin``),
    so the rest of the transaction reads the new level and stage; the commit
    calls it for what is left: the inputs Odoo handles in bulk (opportunities,
    new partners) and writes caught half-way. Reading a field never applies
    anything.

    The context key ``customer_pyramid_skip_events`` queues nothing: for bulk
    loads followed by a full recompute, and for the uninstallation.
    """

    _name = "customer.pyramid.event"
    _description = "Customer pyramid events"

    @api.model
    def queue(self, company, partners, cause):
        """Refresh ``partners``, their commercial partners and their groups'
        top-most parents in ``company``.

        The partners themselves too: one that was a commercial partner until
        this change (now a contact, archived) loses its standing row. The
        groups whatever the company's setting: refreshing a partner ranked
        alone changes nothing of it.
        """
        if self.env.context.get("customer_pyramid_skip_events"):
            return
        partners = partners.sudo()
        ids = (
            set(partners.ids)
            | set(partners.commercial_partner_id.ids)
            | set(partners.customer_pyramid_group_id.ids)
        )
        if ids:
            self._queue_link("refresh", (self.env.uid, company.id, cause), ids)

    @api.model
    def queue_confirmed_orders(self, company, orders):
        """Move the buyers of ``orders`` along the lifecycle, after their refresh."""
        if orders and not self.env.context.get("customer_pyramid_skip_events"):
            self._queue_link("confirmed", (self.env.uid, company.id), orders.ids)

    @api.model
    def queue_lifecycle(self, company, partners, rule):
        """Move ``partners`` forward to the stage of ``rule`` in ``company``."""
        if partners and not self.env.context.get("customer_pyramid_skip_events"):
            self._queue_link(
                "lifecycle", (self.env.uid, company.id, rule), partners.ids
            )

    @api.model
    def refresh_now(self, company, partners, cause):
        """``queue`` and ``apply_pending``: for a single user action."""
        self.queue(company, partners, cause)
        self.apply_pending()

    def _queue_link(self, kind, key, ids):
        # A chain of links, each (kind, key, ids, previous link), never changed
        # in place: Odoo's test case restores a shallow copy of the precommit
        # data after each test, and a batch of thousands of orders queues each
        # one in constant time.
        data = self.env.cr.precommit.data
        if PENDING_EVENTS not in data:
            self.env.cr.precommit.add(self.apply_pending)
        data[PENDING_EVENTS] = (kind, key, tuple(ids), data.get(PENDING_EVENTS))

    @api.model
    def apply_pending(self):
        """Apply the queued events: refreshes, then lifecycle moves.

        Each with the user who caused it, in the order they came.
        """
        link = self.env.cr.precommit.data.pop(PENDING_EVENTS, None)
        if not link:
            return
        links = []
        while link:
            links.append(link[:3])
            link = link[3]
        # refreshes first, then the stage moves in the order they came
        refreshes, moves = {}, {}
        for kind, key, ids in reversed(links):
            target = refreshes if kind == "refresh" else moves
            target.setdefault((kind, key), set()).update(ids)
        engine = self.env["customer.pyramid.engine"]
        lifecycle = self.env["customer.lifecycle.engine"]
        companies = self._event_companies(
            {key[:2] for _kind, key in [*refreshes, *moves]}
        )
        for (_kind, (uid, company_id, cause)), partner_ids in refreshes.items():
            if company := companies[uid, company_id]:
                engine.with_user(uid)._refresh_now(company, sorted(partner_ids), cause)
        for (kind, (uid, company_id, *rule)), ids in moves.items():
            if not (company := companies[uid, company_id]):
                continue
            if kind == "confirmed":
                orders = self.env["sale.order"].browse(sorted(ids)).exists()
                lifecycle.with_user(uid).on_confirmed_orders(company, orders)
            else:
                partners = self.env["res.partner"].browse(sorted(ids)).exists()
                lifecycle.with_user(uid).advance(partners, rule[0], company)
        # ORM writes made here, after the transaction's own flush at commit
        self.env.flush_all()

    def _event_companies(self, pairs):
        """{(uid, company id): the company} for the events' ``pairs``; an
        empty company where a savepoint rolled back the company or the user,
        and with them what the event was about. One query for all."""
        companies = self.env["res.company"].sudo()
        self.env.cr.execute(
            SQL(
                """SELECT pair.uid, pair.company_id
                     FROM unnest(%s::int[], %s::int[]) AS pair(uid, company_id)
                     JOIN res_users u ON u.id = pair.uid
                     JOIN res_company c ON c.id = pair.company_id""",
                [uid for uid, _company_id in pairs],
                [company_id for _uid, company_id in pairs],
            )
        )
        found = set(self.env.cr.fetchall())
        return {
            pair: companies.browse(pair[1]) if pair in found else companies
            for pair in pairs
        }
