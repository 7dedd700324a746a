#!/usr/bin/env bash
# Installing the addon on a big database: bench/install_big.sh [PARTNERS:ORDERS ...]
# Default size: 1000000:5000000. For each size, a fresh database with
# sale_management and crm (not the addon), the benchmark's data loaded into it,
# then the addon installed and timed end to end (bench/install_benchmark.py),
# on a private PostgreSQL cluster set up as bench/benchmark.sh sets it up;
# results go to stdout as markdown rows.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/../scripts/common.sh"
odoo_importable || die "'$ODOO_PYTHON' cannot import Odoo 18: see README.md"

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000:5000000)
BENCH_DIR=$(mktemp -d /tmp/customer_pyramid_install.XXXXXX)
chmod 755 "$BENCH_DIR"
trap 'stop_private_cluster "$BENCH_DIR/pg"; rm -rf "$BENCH_DIR"' EXIT
start_benchmark_cluster "$BENCH_DIR/pg"
make_addons_path "$BENCH_DIR/addons"
write_odoo_config "$BENCH_DIR/odoo.conf" "$BENCH_DIR/data"

banner "template database with sale_management and crm (no demo data, no addon)"
"$ODOO_PYTHON" -m odoo -c "$BENCH_DIR/odoo.conf" -d install_template -i sale_management,crm \
    --without-demo=all --stop-after-init --no-http --log-level=warn

echo
"$ODOO_PYTHON" "$ROOT/bench/install_benchmark.py" --header
for size in "${SIZES[@]}"; do
    partners=${size%%:*}
    orders=${size##*:}
    database="install_${partners}"
    "$PG_BIN/createdb" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U odoo -T install_template "$database"
    "$ODOO_PYTHON" "$ROOT/bench/install_benchmark.py" -c "$BENCH_DIR/odoo.conf" -d "$database" \
        --partners "$partners" --orders "$orders"
    "$PG_BIN/dropdb" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U odoo "$database"
done
