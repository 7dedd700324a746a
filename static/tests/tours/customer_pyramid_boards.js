/** @odoo-module **/

import {registry} from "@web/core/registry";

const column = (title) => `.o_kanban_group:has(.o_column_title:contains('${title}'))`;

registry.category("web_tour.tours").add("customer_pyramid_boards", {
    url: "/odoo/customer-lifecycle",
    steps: () => [
        {
            content: "Every stage is a column, the empty Advocacy one included",
            trigger: `${column("Advocacy")}`,
        },
        {
            content: "The new customer waits in Awareness",
            trigger: `${column("Awareness")} .o_kanban_record:contains('Tour Newcomer')`,
        },
        {
            content: "Drag it to Conversion",
            trigger: `${column("Awareness")} .o_kanban_record:contains('Tour Newcomer')`,
            // Awareness, Consideration, Conversion: the third column
            run: "drag_and_drop (.o_kanban_group:eq(2))",
        },
        {
            content: "It is in Conversion now",
            trigger: `${column("Conversion")} .o_kanban_record:contains('Tour Newcomer')`,
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Only my customers",
            trigger: ".o_filter_menu .o_menu_item:contains('My customers')",
            run: "click",
        },
        {
            content: "Somebody else's customer is gone",
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tour Stranger')))",
        },
        {
            content: "Group the board by pyramid level",
            trigger: ".o_group_by_menu .o_menu_item:contains('Level')",
            run: "click",
        },
        {
            content: "The levels are the columns, the buyer is Top",
            trigger: `${column("Top")} .o_kanban_record:contains('Tour Buyer')`,
        },
    ],
});

registry.category("web_tour.tours").add("customer_pyramid_pyramid_board", {
    url: "/odoo/customer-pyramid",
    steps: () => [
        {
            content: "The pyramid board shows every level, the buyer on top",
            trigger: `${column("Top")} .o_kanban_record:contains('Tour Buyer')`,
        },
        {
            content: "Empty levels still have their column",
            trigger: `${column("Rest of the world")}`,
        },
        {
            content: "Filter on prospects from the search panel",
            trigger: ".o_search_panel_label:contains('Prospect')",
            run: "click",
        },
        {
            content: "Only prospects remain",
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tour Buyer')))",
        },
    ],
});
