from odoo.tools import SQL


def migrate(cr, version):
    """Standing rows learn when their partner entered the pyramid.

    Before 18.0.2.1.0 a first placement wrote a level history row; from now on
    it only sets ``entered_on``. Existing rows take the date of their
    partner's first history row in the company, else of their last refresh.
    The history rows stay: the migration report still reads them.
    """
    cr.execute(
        SQL(
            """
            UPDATE customer_pyramid_standing st
               SET entered_on = COALESCE(
                       LEAST(h.first_date, st.refreshed_on),
                       now() AT TIME ZONE 'UTC')
              FROM customer_pyramid_standing s
         LEFT JOIN (SELECT partner_id, company_id, min(date) AS first_date
                      FROM customer_pyramid_history
                  GROUP BY partner_id, company_id) h
                ON h.partner_id = s.partner_id AND h.company_id = s.company_id
             WHERE st.id = s.id AND st.entered_on IS NULL
            """
        )
    )
