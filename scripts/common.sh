# Shared by scripts/test.sh and scripts/demo.sh: where things live, the lint
# virtual environment, how Odoo is found and how a PostgreSQL cluster is started.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${CUSTOMER_PYRAMID_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/customer_pyramid}
ODOO_PYTHON=${ODOO_PYTHON:-python3}
mkdir -p "$CACHE_DIR"

banner() { printf '\n==== %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The lint tools and pytest live in a virtual environment of their own, rebuilt
# when scripts/lint-requirements.txt changes, so that they never touch Odoo's.
ensure_tools_venv() {
    TOOLS_VENV="$CACHE_DIR/tools-venv"
    local stamp="$TOOLS_VENV/.requirements.sha256"
    local want
    want=$(sha256sum "$ROOT/scripts/lint-requirements.txt" | cut -d' ' -f1)
    if [ ! -x "$TOOLS_VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        banner "installing lint tools into $TOOLS_VENV"
        rm -rf "$TOOLS_VENV"
        python3 -m venv "$TOOLS_VENV"
        "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check \
            -r "$ROOT/scripts/lint-requirements.txt"
        echo "$want" > "$stamp"
    fi
}

odoo_importable() {
    "$ODOO_PYTHON" -c 'import sys, odoo; sys.exit(odoo.release.version_info[0] != 18)' \
        >/dev/null 2>&1
}

# Odoo loads addons by directory name, and a clone of this repository may have
# any name: link it as customer_pyramid inside a private addons directory,
# beside the bridge modules of bridges/ (installed automatically with the app
# they bridge to, see bridges/README.md).
make_addons_path() {
    local link_dir=$1
    mkdir -p "$link_dir"
    ln -sfn "$ROOT" "$link_dir/customer_pyramid"
    local bridge
    for bridge in "$ROOT"/bridges/*/; do
        ln -sfn "${bridge%/}" "$link_dir/$(basename "$bridge")"
    done
    local odoo_addons
    odoo_addons=$("$ODOO_PYTHON" - <<'PY'
import os, odoo
root = os.path.dirname(os.path.dirname(odoo.__file__))
for candidate in (os.path.join(root, "addons"), os.path.join(os.path.dirname(odoo.__file__), "addons")):
    if os.path.isdir(os.path.join(candidate, "sale")):
        print(candidate)
        break
PY
)
    [ -n "$odoo_addons" ] || die "Odoo imports but its 'sale' addon was not found next to it"
    ADDONS_PATH="$link_dir,$odoo_addons"
}

pg_bindir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgresql_server() {
    if [ -z "$(pg_bindir)" ]; then
        [ "$(id -u)" = 0 ] || die "PostgreSQL server missing: run 'sudo apt-get install postgresql'"
        banner "installing PostgreSQL server from Debian"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    PG_BIN=$(pg_bindir)
}

# Runs a PostgreSQL program as an unprivileged user: the server refuses root.
as_pg_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Starts (creating it when missing) a private cluster in $1 that listens only on
# a Unix socket inside that directory, so it collides with no other server.
# Sets PG_SOCKET_DIR and PG_PORT for Odoo's --db_host/--db_port.
start_private_cluster() {
    local dir=$1
    shift
    ensure_postgresql_server
    PG_SOCKET_DIR=$dir
    PG_PORT=5432
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg_user "$PG_BIN/initdb" -D "$dir/data" -U odoo --auth=trust \
            -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
            -o "-c listen_addresses='' -k $dir -p $PG_PORT $*" start >/dev/null
    fi
}

# The benchmarks' cluster (bench/): shared_buffers as a 2-core, 24 GB machine
# would have it; $BENCH_PG_OPTIONS adds server settings, e.g. to log slow
# plans with "-c session_preload_libraries=auto_explain
# -c auto_explain.log_min_duration=5s".
start_benchmark_cluster() {
    # shellcheck disable=SC2086
    start_private_cluster "$1" -c shared_buffers=2GB -c work_mem=64MB \
        -c maintenance_work_mem=512MB -c max_wal_size=8GB ${BENCH_PG_OPTIONS:-}
}

stop_private_cluster() {
    as_pg_user "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

write_odoo_config() {
    local conf=$1 data_dir=$2
    cat > "$conf" <<CONF
[options]
db_host = $PG_SOCKET_DIR
db_port = $PG_PORT
db_user = odoo
db_password = False
addons_path = $ADDONS_PATH
data_dir = $data_dir
CONF
}
