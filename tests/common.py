from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase


def load_arabic(env):
    """Arabic active, with the addon's terms: an environment that reads it."""
    env["res.lang"]._activate_lang("ar_001")
    env["ir.module.module"]._load_module_terms(
        ["customer_pyramid"], ["ar_001"], overwrite=True
    )
    return env(context=dict(env.context, lang="ar_001"))


class CustomerPyramidCase(TransactionCase):
    """A company of its own, a tax-free product at 1.00 and order helpers.

    Everything runs in ``cls.company`` so that other companies' partners and
    demo data never change the counts under test.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.usd = cls.env.ref("base.USD")
        cls.company = cls.env["res.company"].create(
            {"name": "Pyramid Test Company", "currency_id": cls.usd.id}
        )
        cls.env.user.company_ids |= cls.company
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                allowed_company_ids=[cls.company.id],
            )
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Pyramid test service",
                "type": "service",
                "list_price": 1.0,
                "taxes_id": [Command.clear()],
                "invoice_policy": "order",
            }
        )
        cls.engine = cls.env["customer.pyramid.engine"]
        cls.cron = cls.env.ref("customer_pyramid.ir_cron_customer_pyramid_recompute")

    @classmethod
    def _user(cls, login, group, company=None):
        """A user of ``company`` (the test company) in the one group ``group``."""
        company = company or cls.company
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "email": f"{login}@example.com",
                "company_id": company.id,
                "company_ids": [company.id],
                "groups_id": [Command.set([cls.env.ref(group).id])],
            }
        )

    @classmethod
    def _partners(cls, count, prefix="Customer", **values):
        """``count`` new commercial partners, as a request that creates them
        ends: their events (level, Awareness) applied."""
        partners = cls.env["res.partner"].create(
            [
                dict(
                    {
                        "name": f"{prefix} {index:04d}",
                        "is_company": True,
                        "company_id": cls.company.id,
                    },
                    **values,
                )
                for index in range(1, count + 1)
            ]
        )
        cls._end_transaction()
        return partners

    @classmethod
    def _order(cls, partner, amount, confirm=True, days_ago=0, **values):
        order = cls.env["sale.order"].create(
            dict(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                            }
                        )
                    ],
                },
                **values,
            )
        )
        if confirm:
            order.action_confirm()
        if days_ago:
            order.date_order = fields.Datetime.now() - timedelta(days=days_ago)
        cls._end_transaction()
        return order

    @classmethod
    def _rank_by_source(cls, source):
        """The test company with a chart of accounts, ranking by ``source``
        with shares of 10 / 20 / 30 / 40 %: ten active customers split 1 top,
        2 big, 3 medium, 4 small."""
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.company.write(
            {
                "customer_pyramid_revenue_source": source,
                "customer_pyramid_top_share": 10,
                "customer_pyramid_big_share": 20,
                "customer_pyramid_medium_share": 30,
                "customer_pyramid_small_share": 40,
            }
        )

    @classmethod
    def _end_transaction(cls):
        """What a commit runs: the ORM flush, then the queued pyramid and
        lifecycle events (a user's request ends with a commit)."""
        cls.env.cr.flush()

    @classmethod
    def _bulk_orders(cls, partners_amounts):
        """Many confirmed orders at once, cloned in SQL from a real order."""
        now = fields.Datetime.now()
        rows = [
            (partner.id, now, amount, "sale") for partner, amount in partners_amounts
        ]
        cls.env["customer.pyramid.demo"].with_company(cls.company)._clone_orders(
            cls.env(context=dict(cls.env.context, customer_pyramid_skip_events=True)),
            cls.product,
            rows,
        )

    @classmethod
    def _ranked_hundred(cls):
        """100 customers with revenues 1000, 990, ..., 10 (50,500 in all),
        ranked: 1 top, 4 big, 15 medium, 80 small."""
        hundred = cls._partners(100)
        cls._bulk_orders(
            [(partner, 1000 - index * 10) for index, partner in enumerate(hundred)]
        )
        cls.engine.recompute_companies(cls.company)
        return hundred

    def _recompute(self):
        self.engine.recompute_companies(self.company, cause="manual_recompute")

    def _run_cron(self):
        """Trigger the real scheduled action as the cron runner would."""
        self.cron.with_context(allowed_company_ids=None).method_direct_trigger()

    def _level(self, partner):
        partner.invalidate_recordset()
        return partner.with_company(self.company).customer_pyramid_level

    def _levels(self, partners):
        partners.invalidate_recordset()
        return [p.customer_pyramid_level for p in partners.with_company(self.company)]

    def _level_counts(self, partners):
        levels = self._levels(partners)
        return {level: levels.count(level) for level in set(levels)}


class MarginCase(CustomerPyramidCase):
    """CustomerPyramidCase with the Sales margin app: its tests are skipped
    on a database without sale_margin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env["res.company"]._customer_pyramid_margin_available():
            cls.skipTest(cls, "needs sale_margin")
