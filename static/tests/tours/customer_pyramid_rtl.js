/** @odoo-module **/

import {registry} from "@web/core/registry";

/**
 * A step that passes when the page reads right to left: the body carries
 * Odoo's o_rtl class and the element that comes first in the page
 * (``first``) is drawn to the right of the one after it (``second``).
 */
function readsRightToLeft(content, first, second) {
    return {
        content,
        trigger: `body.o_rtl ${second}`,
        run() {
            const [firstBox, secondBox] = [first, second].map((selector) =>
                document.querySelector(selector).getBoundingClientRect()
            );
            if (!(firstBox.left > secondBox.right - 1)) {
                throw new Error(
                    `${first} (left ${firstBox.left}) is not right of ` +
                        `${second} (right ${secondBox.right}): the page reads left to right`
                );
            }
        },
    };
}

registry.category("web_tour.tours").add("customer_pyramid_rtl_lifecycle_board", {
    url: "/odoo/customer-lifecycle",
    steps: () => [
        readsRightToLeft(
            "Awareness, the first stage, is the rightmost column",
            ".o_kanban_group:nth-child(1)",
            ".o_kanban_group:nth-child(2)"
        ),
    ],
});

registry.category("web_tour.tours").add("customer_pyramid_rtl_pyramid_board", {
    url: "/odoo/customer-pyramid",
    steps: () => [
        readsRightToLeft(
            "Top, the first level, is the rightmost column",
            ".o_kanban_group:nth-child(1)",
            ".o_kanban_group:nth-child(2)"
        ),
        readsRightToLeft(
            "The search panel stands right of the board",
            ".o_search_panel",
            ".o_kanban_renderer"
        ),
    ],
});

registry.category("web_tour.tours").add("customer_pyramid_rtl_pyramid_report", {
    url: "/odoo/action-customer_pyramid.customer_pyramid_snapshot_action",
    steps: () => [
        readsRightToLeft(
            "The pivot's row headers stand right of its figures",
            ".o_pivot tbody tr:nth-child(1) th",
            ".o_pivot tbody tr:nth-child(1) td"
        ),
    ],
});
