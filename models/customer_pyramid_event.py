from odoo import api, models

# Where a transaction keeps its events (cr.precommit.data).
PENDING_EVENTS = "customer_pyramid.pending_events"


class CustomerPyramidEvent(models.AbstractModel):
    """Where a change of an input enters the pyramid.

    A change queues the commercial partners it concerns, per company and
    cause (``queue``); ``apply_pending`` is the one step that refreshes
    them: their facts and level through the engine, then the lifecycle
    moves of the orders confirmed. The inputs' writes call it when they end
    (``customer.pyramid.input.mixin``), so the rest of the transaction reads
    the new level and stage; the commit calls it once more for anything
    queued outside them. Reading a field never applies anything.

    The context key ``customer_pyramid_skip_events`` queues nothing: for bulk
    loads followed by a full recompute, and for the uninstallation.
    """

    _name = "customer.pyramid.event"
    _description = "Customer pyramid events"

    @api.model
    def queue(self, company, partners, cause):
        """Refresh ``partners`` and their commercial partners in ``company``.

        The partners themselves too: one that was a commercial partner until
        this change (now a contact, archived) loses its standing row.
        """
        if self.env.context.get("customer_pyramid_skip_events"):
            return
        partners = partners.sudo()
        ids = set(partners.ids) | set(partners.commercial_partner_id.ids)
        if ids:
            self._queue_link("refresh", (self.env.uid, company.id, cause), ids)

    @api.model
    def queue_confirmed_orders(self, company, orders):
        """Move the buyers of ``orders`` along the lifecycle, after their refresh."""
        if orders and not self.env.context.get("customer_pyramid_skip_events"):
            self._queue_link("confirmed", (self.env.uid, company.id), orders.ids)

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
        pending = {"refresh": {}, "confirmed": {}}
        for kind, key, ids in reversed(links):
            pending[kind].setdefault(key, set()).update(ids)
        engine = self.env["customer.pyramid.engine"]
        for (uid, company_id, cause), partner_ids in pending["refresh"].items():
            if company := self._event_company(uid, company_id):
                engine.with_user(uid)._refresh_now(company, sorted(partner_ids), cause)
        for (uid, company_id), order_ids in pending["confirmed"].items():
            if company := self._event_company(uid, company_id):
                orders = self.env["sale.order"].with_user(uid).browse(sorted(order_ids))
                self.env["customer.lifecycle.engine"].with_user(
                    uid
                ).on_confirmed_orders(company, orders.exists())
        # ORM writes made here, after the transaction's own flush at commit
        self.env.flush_all()

    def _event_company(self, uid, company_id):
        """The event's company; empty when a savepoint rolled back its company
        or its user, and with them what the event was about."""
        if not self.env["res.users"].sudo().browse(uid).exists():
            return self.env["res.company"]
        return self.env["res.company"].sudo().browse(company_id).exists()
