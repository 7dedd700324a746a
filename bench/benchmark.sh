#!/usr/bin/env bash
# The benchmark: bench/benchmark.sh [PARTNERS:ORDERS ...]
# Default sizes: 10000:50000 100000:500000 1000000:5000000.
# BENCH_SOURCE=invoice: the companies rank by posted invoices minus credit
# notes (one invoice per confirmed order); its own, shorter table.
# Each size gets two fresh databases on a private PostgreSQL cluster: one
# copied from a template without the addon, where the addon is installed on the
# loaded data and a lone confirmation is timed over JSON-RPC before and after
# (bench/install_benchmark.py), and one copied from a template where the addon
# is installed (bench/run_benchmark.py, which prints the size's markdown row).
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/../scripts/common.sh"
odoo_importable || die "'$ODOO_PYTHON' cannot import Odoo 18: see README.md"

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000:50000 100000:500000 1000000:5000000)
BENCH_DIR=$(mktemp -d /tmp/customer_pyramid_bench.XXXXXX)
chmod 755 "$BENCH_DIR"
trap 'stop_private_cluster "$BENCH_DIR/pg"; rm -rf "$BENCH_DIR"' EXIT
# Durability (fsync, full_page_writes, synchronous_commit) is off while
# loading only: bench/run_benchmark.py turns it on (ALTER SYSTEM) before the
# first timing.
start_benchmark_cluster "$BENCH_DIR/pg"
"$PG_BIN/psql" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U odoo -d postgres -q \
    -c "ALTER SYSTEM SET fsync = off" -c "ALTER SYSTEM SET full_page_writes = off" \
    -c "ALTER SYSTEM SET synchronous_commit = off" -c "SELECT pg_reload_conf()" >/dev/null
make_addons_path "$BENCH_DIR/addons"
write_odoo_config "$BENCH_DIR/odoo.conf" "$BENCH_DIR/data"

SOURCE=${BENCH_SOURCE:-sale_order}
banner "template database with the addon (no demo data)"
"$ODOO_PYTHON" -m odoo -c "$BENCH_DIR/odoo.conf" -d bench_template -i customer_pyramid \
    --without-demo=all --stop-after-init --no-http --log-level=warn
if [ "$SOURCE" = sale_order ]; then
    banner "template database with sale_management and crm, without the addon"
    "$ODOO_PYTHON" -m odoo -c "$BENCH_DIR/odoo.conf" -d install_template \
        -i sale_management,crm --without-demo=all --stop-after-init --no-http --log-level=warn
fi

createdb_from() {
    "$PG_BIN/createdb" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U odoo -T "$1" "$2"
}
dropdb_named() {
    "$PG_BIN/dropdb" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U odoo "$1"
}

echo
"$ODOO_PYTHON" "$ROOT/bench/run_benchmark.py" --header --source "$SOURCE"
for size in "${SIZES[@]}"; do
    partners=${size%%:*}
    orders=${size##*:}
    install_results=()
    if [ "$SOURCE" = sale_order ]; then
        createdb_from install_template "install_${partners}"
        "$ODOO_PYTHON" "$ROOT/bench/install_benchmark.py" -c "$BENCH_DIR/odoo.conf" \
            -d "install_${partners}" --partners "$partners" --orders "$orders" \
            --results "$BENCH_DIR/install_${partners}.json"
        dropdb_named "install_${partners}"
        install_results=(--install-results "$BENCH_DIR/install_${partners}.json")
    fi
    createdb_from bench_template "bench_${partners}"
    "$ODOO_PYTHON" "$ROOT/bench/run_benchmark.py" -c "$BENCH_DIR/odoo.conf" -d "bench_${partners}" \
        --partners "$partners" --orders "$orders" --source "$SOURCE" "${install_results[@]}"
    dropdb_named "bench_${partners}"
done
