import random
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

DEMO_SEED = 20261123
# Active customers of the demo company, Odoo's own demo buyers included, so
# that the pyramid splits exactly 10 / 40 / 150 / 800.
ACTIVE_CUSTOMERS = 1000
INACTIVE_CUSTOMERS = 200
PROSPECTS = 40
SUSPECTS = 60
NO_NEED = 5
QUOTATIONS = 15
REFERRALS = 8
# Feedback scores and how often each is given: most customers are content.
FEEDBACK_SCORES = ("1", "2", "3", "4", "5")
FEEDBACK_WEIGHTS = (1, 2, 4, 8, 6)
FEEDBACK_COUNT = 300
COMPLAINT_MARKS = 3
COMPLAINT_ACTIVITIES = 2
REFUSED_OFFERS = 4
# Pareto shape of yearly revenue: alpha 1.16 gives the classic 80/20 split.
PARETO_ALPHA = 1.16
PARETO_MINIMUM = 400.0


class CustomerPyramidDemo(models.AbstractModel):
    """Demo data that tells the story: a long-tailed customer base.

    Called from demo/customer_pyramid_demo.xml, so only on databases that load
    demo data. Orders are cloned in SQL from one real confirmed order, which
    takes seconds where the ORM would take minutes for 4,000 orders.
    """

    _name = "customer.pyramid.demo"
    _description = "Customer pyramid demo data"

    @api.model
    def _generate(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "customer_pyramid")]
        )
        if not module.demo:
            raise UserError(
                _("Customer pyramid demo data only goes into demo databases.")
            )
        rng = random.Random(DEMO_SEED)
        env = self.with_context(
            tracking_disable=True, customer_pyramid_skip_events=True
        ).env
        active_count = ACTIVE_CUSTOMERS - self._active_buyers()
        product = env["product.product"].create(
            {
                "name": "Consulting day (demo)",
                "type": "service",
                "list_price": 1.0,
                "taxes_id": [fields.Command.clear()],
                "invoice_policy": "order",
            }
        )
        partners = self._create_partners(env, active_count)
        actives = partners[:active_count]
        formers = partners[active_count : active_count + INACTIVE_CUSTOMERS]
        first_prospect = active_count + INACTIVE_CUSTOMERS
        prospects = partners[first_prospect : first_prospect + PROSPECTS]
        unfit = partners[-NO_NEED:]
        for index, referred in enumerate(actives[100 : 100 + REFERRALS]):
            referred.customer_referred_by_id = actives[index * 7]
        unfit.write({"customer_pyramid_mark": "rest"})
        rows = self._order_rows(rng, actives, formers, prospects[:QUOTATIONS])
        self._clone_orders(env, product, rows)
        env["crm.lead"].create(
            [
                {
                    "name": f"Opportunity: {partner.name}",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "expected_revenue": round(rng.uniform(1000, 20000), 2),
                }
                for partner in prospects[QUOTATIONS:]
            ]
        )
        self._generate_care(env, rng, actives, prospects)

    @api.model
    def _create_partners(self, env, active_count):
        return env["res.partner"].create(
            [
                {
                    "name": f"{kind} Customer {index:04d}",
                    "is_company": True,
                    "customer_rank": 1,
                }
                for kind, count in (
                    ("Active", active_count),
                    ("Former", INACTIVE_CUSTOMERS),
                    ("Prospect", PROSPECTS),
                    ("Suspect", SUSPECTS),
                    ("Unfit", NO_NEED),
                )
                for index in range(1, count + 1)
            ]
        )

    @api.model
    def _order_rows(self, rng, actives, formers, quoted):
        """(customer, date, amount, state) of the demo's orders: Pareto-sized
        yearly revenues over the active window for the actives, older orders
        for the former customers, a quotation for each of ``quoted``."""
        now = fields.Datetime.now()
        orders = []
        for customer in actives:
            yearly = PARETO_MINIMUM / (1.0 - rng.random()) ** (1.0 / PARETO_ALPHA)
            for months_ago in self._order_months(rng):
                days_ago = 30 * months_ago + rng.randint(0, 29)
                orders.append((customer.id, now - timedelta(days=days_ago), yearly))
        for customer in formers:
            yearly = PARETO_MINIMUM / (1.0 - rng.random()) ** (1.0 / PARETO_ALPHA)
            for _index in range(rng.randint(1, 3)):
                days_ago = rng.randint(380, 720)
                orders.append((customer.id, now - timedelta(days=days_ago), yearly))
        rows = [
            (
                partner_id,
                date_order,
                round(yearly / 3.0 * rng.uniform(0.5, 1.5), 2),
                "sale",
            )
            for partner_id, date_order, yearly in orders
        ]
        rows += [
            (
                partner.id,
                now - timedelta(days=rng.randint(1, 20)),
                round(rng.uniform(500, 5000), 2),
                "draft",
            )
            for partner in quoted
        ]
        return rows

    @api.model
    def _generate_care(self, env, rng, actives, prospects):
        """Feedback, a few complaints and refused offers, for the care rules."""
        today = fields.Date.context_today(self)
        surveyed = rng.sample(list(actives), FEEDBACK_COUNT)
        env["customer.feedback"].create(
            [
                {
                    "partner_id": customer.id,
                    "date": today - timedelta(days=rng.randint(0, 300)),
                    "score": rng.choices(FEEDBACK_SCORES, FEEDBACK_WEIGHTS)[0],
                }
                for customer in surveyed
            ]
        )
        unhappy = rng.sample(list(actives), COMPLAINT_MARKS + COMPLAINT_ACTIVITIES)
        for customer in unhappy[:COMPLAINT_MARKS]:
            customer.customer_complaint_open = True
        for customer in unhappy[COMPLAINT_MARKS:]:
            customer.activity_schedule(
                "customer_pyramid.mail_activity_type_complaint",
                summary=_("Invoice sent twice"),
            )
        env["customer.offer.refusal"].create(
            [
                {
                    "partner_id": prospect.id,
                    "date": today - timedelta(days=rng.randint(1, 60)),
                    "channel": rng.choice(("phone", "email", "meeting")),
                }
                for prospect in prospects[:REFUSED_OFFERS]
            ]
        )

    @api.model
    def _active_buyers(self):
        """Partners who already bought from the company this year (Odoo's demo)."""
        self.env["sale.order"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(DISTINCT p.commercial_partner_id) FROM sale_order so"
                " JOIN res_partner p ON p.id = so.partner_id"
                " WHERE so.state = 'sale' AND so.company_id = %s"
                " AND so.date_order >= current_date - make_interval(months => %s)",
                self.env.company.id,
                self.env.company.customer_pyramid_window_months,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _order_months(self, rng):
        """Months ago of a customer's orders: at least one in the last year."""
        months = [rng.randint(0, 11)]
        months += [rng.randint(0, 23) for _index in range(rng.randint(0, 5))]
        return months

    @api.model
    def _clone_orders(self, env, product, rows):
        """Insert one order with one line per row, cloned from a real order."""
        template_partner = env["res.partner"].create({"name": "Demo template"})
        template = env["sale.order"].create(
            {
                "partner_id": template_partner.id,
                "order_line": [
                    fields.Command.create({"product_id": product.id, "price_unit": 1.0})
                ],
            }
        )
        template.action_confirm()
        env.flush_all()
        cr = env.cr
        self._stage_rows(cr, rows)
        overrides = {
            "name": SQL("'DEMO/' || lpad(d.seq::text, 5, '0')"),
            "partner_id": SQL("d.partner_id"),
            "partner_invoice_id": SQL("d.partner_id"),
            "partner_shipping_id": SQL("d.partner_id"),
            "date_order": SQL("d.date_order"),
            "create_date": SQL("d.date_order"),
            "write_date": SQL("d.date_order"),
            "state": SQL("d.state"),
            # a quotation has nothing to invoice, unlike the confirmed template
            "invoice_status": SQL(
                "CASE WHEN d.state = 'sale' THEN t.invoice_status ELSE 'no' END"
            ),
            "access_token": SQL("NULL"),
        }
        self._clone_table(cr, "sale_order", template.id, "id", overrides)
        line_overrides = {
            "order_id": SQL("o.id"),
            "order_partner_id": SQL("d.partner_id"),
            "create_date": SQL("d.date_order"),
            "write_date": SQL("d.date_order"),
            "state": SQL("d.state"),
            "invoice_status": SQL(
                "CASE WHEN d.state = 'sale' THEN t.invoice_status ELSE 'no' END"
            ),
            "qty_to_invoice": SQL(
                "CASE WHEN d.state = 'sale' THEN t.qty_to_invoice ELSE 0 END"
            ),
            "untaxed_amount_to_invoice": SQL(
                "CASE WHEN d.state = 'sale'"
                " THEN t.untaxed_amount_to_invoice * d.amount ELSE 0 END"
            ),
        }
        self._clone_table(
            cr, "sale_order_line", template.id, "order_id", line_overrides
        )
        template._action_cancel()
        template.unlink()
        template_partner.unlink()
        env.invalidate_all()

    @api.model
    def _stage_rows(self, cr, rows):
        """The rows in customer_pyramid_demo_orders, numbered by its serial."""
        # once per transaction; the serial goes on, so order names stay unique
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE IF NOT EXISTS customer_pyramid_demo_orders ("
                " seq serial, partner_id int, date_order timestamp, amount numeric,"
                " state varchar) ON COMMIT DROP;"
                " TRUNCATE customer_pyramid_demo_orders"
            )
        )
        cr.execute(
            SQL(
                "INSERT INTO customer_pyramid_demo_orders"
                " (partner_id, date_order, amount, state)"
                " SELECT * FROM unnest(%s::int[],"
                " %s::timestamp[], %s::numeric[], %s::varchar[])",
                [row[0] for row in rows],
                [row[1] for row in rows],
                [row[2] for row in rows],
                [row[3] for row in rows],
            )
        )

    @api.model
    def _clone_table(self, cr, table, template_order_id, key, overrides):
        """Copy the template's row of ``table`` once per demo order.

        Money columns (amount_*, price_*, and margin with sale_margin) scale
        with the demo amount: the template sells one unit at 1.00, without tax
        and at no cost.
        """
        cr.execute(
            SQL(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s"
                " AND column_name <> 'id'",
                table,
            )
        )
        columns = []
        values = []
        for column, data_type in cr.fetchall():
            columns.append(SQL.identifier(column))
            if column in overrides:
                values.append(overrides[column])
            elif data_type == "numeric" and (
                column.startswith(("amount_", "price_")) or column == "margin"
            ):
                values.append(SQL("t.%s * d.amount", SQL.identifier(column)))
            else:
                values.append(SQL("t.%s", SQL.identifier(column)))
        join_orders = SQL()
        if key == "order_id":
            join_orders = SQL(
                "JOIN sale_order o ON o.name = 'DEMO/' || lpad(d.seq::text, 5, '0')"
            )
        cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s FROM %s t"
                " CROSS JOIN customer_pyramid_demo_orders d %s WHERE t.%s = %s",
                SQL.identifier(table),
                SQL(", ").join(columns),
                SQL(", ").join(values),
                SQL.identifier(table),
                join_orders,
                SQL.identifier(key),
                template_order_id,
            )
        )
