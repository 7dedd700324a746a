#!/usr/bin/env bash
# The concurrency check: bench/storm.sh [CLIENTS]
# Two fresh databases on a private PostgreSQL cluster, one with the addon and
# one without, each served by Odoo with --workers=2 and stormed with
# concurrent confirmations over JSON-RPC (bench/storm.py); prints a markdown
# table and fails when a request failed or a customer's facts are wrong.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/../scripts/common.sh"
odoo_importable || die "'$ODOO_PYTHON' cannot import Odoo 18: see README.md"

CLIENTS=${1:-8}
STORM_DIR=$(mktemp -d /tmp/customer_pyramid_storm.XXXXXX)
chmod 755 "$STORM_DIR"
trap 'stop_private_cluster "$STORM_DIR/pg"; rm -rf "$STORM_DIR"' EXIT
# durability on, as in production
start_private_cluster "$STORM_DIR/pg"
make_addons_path "$STORM_DIR/addons"
write_odoo_config "$STORM_DIR/odoo.conf" "$STORM_DIR/data"

echo
echo "| database | clients | confirmations | failed requests | wrong customers | p50 ms | p95 ms |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
status=0
for variant in without with; do
    modules=sale_management,crm
    flag=--without-addon
    if [ "$variant" = with ]; then
        modules=customer_pyramid
        flag=
    fi
    "$ODOO_PYTHON" -m odoo -c "$STORM_DIR/odoo.conf" -d "storm_$variant" -i "$modules" \
        --without-demo=all --stop-after-init --no-http --log-level=warn
    "$ODOO_PYTHON" "$ROOT/bench/storm.py" -c "$STORM_DIR/odoo.conf" -d "storm_$variant" \
        --clients "$CLIENTS" $flag || status=1
done
exit $status
