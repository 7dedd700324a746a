from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

# The function the triggers call, and the columns of each table whose change
# matters to the pyramid (besides the partner and the company, always read).
CHANGE_FUNCTION = "customer_pyramid_note_change"
CHANGE_TRIGGER_PREFIX = "customer_pyramid_change"
WATCHED_COLUMNS = {
    "sale_order": [
        "state",
        "date_order",
        "amount_untaxed",
        "amount_total",
        "currency_rate",
        "margin",
    ],
    "account_move": [
        "state",
        "move_type",
        "invoice_date",
        "amount_untaxed_signed",
        "amount_total_signed",
    ],
    "crm_lead": ["active", "type"],
}
# The daily run reads the orders that left the window since the last run by
# their date: sale_order has no index on it.
ORDER_DATE_INDEX = "sale_order_customer_pyramid_date_index"


class CustomerPyramidChange(models.Model):
    """A partner whose documents were written since the company's last run.

    Database triggers on the revenue documents and the opportunities add a
    row for every insert, delete or change of what the pyramid reads, the
    ORM's writes and plain SQL (an import) alike, with the partner before and
    after the change; the daily run refreshes those partners, and the full
    rebuild consumes the rows too. The ORM's writes are events of their own
    as well (``customer.pyramid.input.mixin``): the rows make sure a write
    that bypassed the ORM is not missed by a daily run that reads only what
    changed (docs/decisions.md, "The daily run").
    """

    _name = "customer.pyramid.change"
    _description = "Customer pyramid change to apply"
    _log_access = False

    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade"
    )
    # No foreign key: a partner deleted with its orders leaves its id behind,
    # which the run finds gone.
    partner_id = fields.Integer(string="Partner", required=True)

    def init(self):
        cr = self.env.cr
        create_index(
            cr,
            ORDER_DATE_INDEX,
            "sale_order",
            ["company_id", "date_order"],
            where="state = 'sale'",
        )
        # A row without a company (an opportunity shared by every company)
        # counts for each company.
        cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger
                LANGUAGE plpgsql AS $body$
                BEGIN
                    IF TG_OP <> 'INSERT' AND OLD.partner_id IS NOT NULL
                       AND (TG_OP = 'DELETE'
                            OR OLD.partner_id IS DISTINCT FROM NEW.partner_id
                            OR OLD.company_id IS DISTINCT FROM NEW.company_id) THEN
                        INSERT INTO customer_pyramid_change (company_id, partner_id)
                        SELECT c.id, OLD.partner_id FROM res_company c
                         WHERE c.id = OLD.company_id OR OLD.company_id IS NULL;
                    END IF;
                    IF TG_OP <> 'DELETE' AND NEW.partner_id IS NOT NULL THEN
                        INSERT INTO customer_pyramid_change (company_id, partner_id)
                        SELECT c.id, NEW.partner_id FROM res_company c
                         WHERE c.id = NEW.company_id OR NEW.company_id IS NULL;
                    END IF;
                    RETURN NULL;
                END
                $body$
                """,
                function=SQL.identifier(CHANGE_FUNCTION),
            )
        )
        for table, columns in WATCHED_COLUMNS.items():
            self._create_change_triggers(table, columns)

    def _create_change_triggers(self, table, columns):
        """The triggers of ``table``: every insert and delete, and the
        updates that change the partner, the company or one of ``columns``
        (those the table has: margin comes with sale_margin)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = %s AND column_name = ANY(%s)",
                table,
                ["partner_id", "company_id", *columns],
            )
        )
        existing = {name for (name,) in cr.fetchall()}
        if not {"partner_id", "company_id"} <= existing:
            return
        watched = ["partner_id", "company_id"] + [c for c in columns if c in existing]
        names = SQL(", ").join(SQL.identifier(column) for column in watched)
        old = SQL(", ").join(SQL.identifier("old", column) for column in watched)
        new = SQL(", ").join(SQL.identifier("new", column) for column in watched)
        insert_delete = SQL.identifier(f"{CHANGE_TRIGGER_PREFIX}_insert_delete")
        update = SQL.identifier(f"{CHANGE_TRIGGER_PREFIX}_update")
        function = SQL.identifier(CHANGE_FUNCTION)
        cr.execute(
            SQL(
                """
                DROP TRIGGER IF EXISTS %(insert_delete)s ON %(table)s;
                DROP TRIGGER IF EXISTS %(update)s ON %(table)s;
                CREATE TRIGGER %(insert_delete)s AFTER INSERT OR DELETE ON %(table)s
                    FOR EACH ROW EXECUTE FUNCTION %(function)s();
                CREATE TRIGGER %(update)s AFTER UPDATE OF %(names)s ON %(table)s
                    FOR EACH ROW WHEN ((%(old)s) IS DISTINCT FROM (%(new)s))
                    EXECUTE FUNCTION %(function)s();
                """,
                insert_delete=insert_delete,
                update=update,
                table=SQL.identifier(table),
                function=function,
                names=names,
                old=old,
                new=new,
            )
        )

    def _drop_change_triggers(self, table):
        """Drop the triggers of ``table``: the uninstallation, and a bridge's."""
        for suffix in ("insert_delete", "update"):
            self.env.cr.execute(
                SQL(
                    "DROP TRIGGER IF EXISTS %s ON %s",
                    SQL.identifier(f"{CHANGE_TRIGGER_PREFIX}_{suffix}"),
                    SQL.identifier(table),
                )
            )

    def _uninstall_database_objects(self):
        """What the addon created on other modules' tables, which Odoo does
        not drop: the triggers, their function and the order date index."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers"
                " WHERE trigger_name LIKE %s",
                f"{CHANGE_TRIGGER_PREFIX}%",
            )
        )
        for (table,) in cr.fetchall():
            self._drop_change_triggers(table)
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(CHANGE_FUNCTION)))
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(ORDER_DATE_INDEX)))

    def _take(self, company):
        """The partners noted for ``company``, deleted as they are read.

        Deleted first, in a statement of its own: a later statement, which
        reads the documents, sees every change whose row was taken (a row
        commits with its change), under READ COMMITTED too.
        """
        self.env.cr.execute(
            SQL(
                "DELETE FROM customer_pyramid_change WHERE company_id = %s"
                " RETURNING partner_id",
                company.id,
            )
        )
        return {partner_id for (partner_id,) in self.env.cr.fetchall()}
