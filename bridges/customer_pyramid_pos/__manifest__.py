{
    "name": "Customer Pyramid: Point of Sale",
    "summary": "Rank customers by their sale orders and paid Point of Sale orders",
    "version": "18.0.1.1.0",
    "category": "Sales/Point of Sale",
    "website": "https://github.com/customer-pyramid/customer_pyramid",
    "author": "Customer Pyramid Team",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["customer-pyramid"],
    "application": False,
    "installable": True,
    # installed with the pyramid as soon as Point of Sale is, and only then:
    # customer_pyramid itself never depends on point_of_sale
    "auto_install": True,
    "depends": ["customer_pyramid", "point_of_sale"],
    "uninstall_hook": "uninstall_hook",
}
