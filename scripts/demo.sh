#!/usr/bin/env bash
# The demo command: a database with Odoo, this addon and its demo data,
# served on http://127.0.0.1:8069. `scripts/demo.sh --reset` starts afresh.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

DATABASE=${CUSTOMER_PYRAMID_DEMO_DB:-customer_pyramid_demo}
PORT=${CUSTOMER_PYRAMID_DEMO_PORT:-8069}

if ! odoo_importable; then
    # shellcheck source=scripts/odoo_install.sh
    source "$(dirname "$0")/odoo_install.sh"
    bring_odoo
fi

# Odoo builds right-to-left stylesheets (Arabic) with rtlcss, as its
# documentation says; without it the boards stay left to right.
if ! command -v rtlcss >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v npm >/dev/null 2>&1; then
        banner "installing rtlcss (npm) for right-to-left languages"
        npm install -g --silent rtlcss >/dev/null
    else
        echo "Note: without rtlcss (sudo npm install -g rtlcss) Arabic pages read left to right." >&2
    fi
fi

# As root the server runs as the postgres user, who cannot enter /root.
if [ "$(id -u)" = 0 ]; then
    DEMO_DIR=/var/lib/customer_pyramid/demo
else
    DEMO_DIR="$CACHE_DIR/demo"
fi
mkdir -p "$DEMO_DIR"
chmod 755 "$DEMO_DIR"
start_private_cluster "$DEMO_DIR/pg"
make_addons_path "$DEMO_DIR/addons"
write_odoo_config "$DEMO_DIR/odoo.conf" "$DEMO_DIR/data"

psql_demo() {
    "$PG_BIN/psql" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U odoo -d postgres -Atqc "$1"
}
if [ "${1:-}" = "--reset" ]; then
    banner "dropping database $DATABASE"
    psql_demo "DROP DATABASE IF EXISTS \"$DATABASE\" WITH (FORCE)"
    rm -rf "$DEMO_DIR/data/filestore/$DATABASE"
fi
if [ -z "$(psql_demo "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" ]; then
    banner "creating $DATABASE with Odoo, customer_pyramid and its demo data (a few minutes)"
    started=$SECONDS
    "$ODOO_PYTHON" -m odoo -c "$DEMO_DIR/odoo.conf" -d "$DATABASE" -i customer_pyramid \
        --stop-after-init --no-http --log-level=warn
    echo "     done in $((SECONDS - started)) s"
fi

banner "Odoo with customer_pyramid: http://127.0.0.1:$PORT/odoo  (login: admin, password: admin)"
echo "Stop with Ctrl-C. Start afresh with: scripts/demo.sh --reset"
# -u: a database made by an older checkout gets this checkout's models and views
exec "$ODOO_PYTHON" -m odoo -c "$DEMO_DIR/odoo.conf" -d "$DATABASE" --db-filter="^$DATABASE\$" \
    -u customer_pyramid --http-interface=127.0.0.1 --http-port="$PORT"
