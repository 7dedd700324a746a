from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestBoardsTour(HttpCase):
    """A salesperson works the boards in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = cls.env["res.users"].create(
            {
                "name": "Tour Seller",
                "login": "tour_seller",
                "password": "tour_seller",
                "email": "tour.seller@example.com",
                "groups_id": [
                    Command.set(cls.env.ref("sales_team.group_sale_salesman").ids)
                ],
            }
        )
        partners = cls.env["res.partner"].create(
            [
                {"name": "Tour Newcomer", "is_company": True, "user_id": cls.seller.id},
                {"name": "Tour Buyer", "is_company": True, "user_id": cls.seller.id},
                {"name": "Tour Stranger", "is_company": True},
            ]
        )
        cls.newcomer, cls.buyer, cls.stranger = partners
        product = cls.env["product.product"].create(
            {"name": "Tour service", "type": "service", "list_price": 1.0}
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.buyer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "price_unit": 10**7})
                ],
            }
        )
        order.action_confirm()
        cls.env["customer.pyramid.engine"].recompute_companies(cls.env.company)

    def test_salesperson_drags_a_card_filters_and_groups_the_lifecycle_board(self):
        self.start_tour("/odoo", "customer_pyramid_boards", login="tour_seller")
        conversion = self.env.ref(
            "customer_pyramid.customer_lifecycle_stage_conversion"
        )
        self.newcomer.invalidate_recordset()
        self.assertEqual(self.newcomer.customer_lifecycle_stage_id, conversion)
        move = self.env["customer.lifecycle.history"].search(
            [("partner_id", "=", self.newcomer.id)], limit=1
        )
        self.assertRecordValues(
            move,
            [
                {
                    "cause": "manual",
                    "user_id": self.seller.id,
                    "to_stage_id": conversion.id,
                }
            ],
        )

    def test_salesperson_reads_the_pyramid_board(self):
        self.start_tour("/odoo", "customer_pyramid_pyramid_board", login="tour_seller")
