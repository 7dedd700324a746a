from odoo.tools import SQL


def migrate(cr, version):
    """Our own companies leave the pyramid and the lifecycle boards.

    Before 18.0.2.1.2, creating a company placed its partner, created before
    the company links it, in the current company's pyramid (a suspect) and on
    its lifecycle board (Awareness), as any new partner. The scheduled action
    never placed it again, but never removed it either. Their history rows
    stay: they record what happened.
    """
    cr.execute(
        SQL(
            """
            DELETE FROM customer_pyramid_standing st
             USING res_company rc
             WHERE rc.partner_id = st.partner_id
            """
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE res_partner p
               SET customer_lifecycle_stage_id = NULL,
                   customer_lifecycle_stage_date = NULL
              FROM res_company rc
             WHERE rc.partner_id = p.id
               AND p.customer_lifecycle_stage_id IS NOT NULL
            """
        )
    )
