{
    "name": "Customer Pyramid",
    "summary": "Rank customers into Jay Curry's customer pyramid and follow "
    "them along the customer lifecycle",
    "version": "18.0.1.1.0",
    "category": "Sales/Sales",
    "website": "https://github.com/customer-pyramid/customer_pyramid",
    "author": "Customer Pyramid Team",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    # sale_management: the Sales app menu and its settings page live there.
    "depends": ["sale_management", "crm"],
    "data": [
        "security/customer_pyramid_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "data/customer_lifecycle_stage_data.xml",
        "views/customer_pyramid_history_views.xml",
        "views/customer_pyramid_snapshot_views.xml",
        "views/customer_lifecycle_stage_views.xml",
        "views/customer_lifecycle_history_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "report/customer_pyramid_report_views.xml",
        "report/customer_pyramid_report_templates.xml",
        "report/customer_pyramid_concentration_views.xml",
        "report/customer_pyramid_migration_views.xml",
        "report/customer_lifecycle_funnel_views.xml",
        "views/customer_pyramid_menus.xml",
    ],
    "demo": [
        "demo/customer_pyramid_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "customer_pyramid/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "post_init_hook",
}
