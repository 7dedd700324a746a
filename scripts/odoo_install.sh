# Brings Odoo 18 in for scripts/demo.sh when no Python imports it: its 18.0
# source, a virtual environment with its requirements, PostgreSQL and the
# libraries its requirements build against. Everything lands in
# $CACHE_DIR/odoo-18.0, which a second run reuses.
# shellcheck shell=bash

ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
ODOO_HOME="$CACHE_DIR/odoo-18.0"
ODOO_VENV="$ODOO_HOME/venv"
# Debian's packages: the server, and the headers python-ldap and psycopg2 build with.
ODOO_SYSTEM_PACKAGES=(git postgresql libldap2-dev libsasl2-dev libpq-dev)

odoo_source_dir() {
    if [ -n "${ODOO_SRC:-}" ]; then
        echo "$ODOO_SRC"
    else
        echo "$ODOO_HOME/src"
    fi
}

missing_system_packages() {
    local package
    for package in "${ODOO_SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
            || echo "$package"
    done
    # Debian's own python3 makes virtual environments only with python3-venv
    "$ODOO_BOOTSTRAP_PYTHON" -c 'import ensurepip' 2>/dev/null || echo python3-venv
}

# Runs a step and says how long it took.
timed_step() {
    local label=$1 started=$SECONDS
    shift
    banner "$label"
    "$@"
    echo "     done in $((SECONDS - started)) s"
}

install_system_packages() {
    local missing
    missing=$(missing_system_packages | tr '\n' ' ')
    [ -n "${missing// /}" ] || return 0
    [ "$(id -u)" = 0 ] || die "missing Debian packages: run 'sudo apt-get install $missing' and this command again"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
}

clone_odoo() {
    local source
    source=$(odoo_source_dir)
    if [ -f "$source/odoo-bin" ]; then
        echo "     using the Odoo source in $source"
        return 0
    fi
    [ -z "${ODOO_SRC:-}" ] || die "ODOO_SRC=$ODOO_SRC holds no Odoo source tree (no odoo-bin)"
    rm -rf "$source"
    git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$source"
}

# Odoo 18's requirements.txt pins packages from 2022-2023; two need help
# from a current pip, on Python 3.11 and 3.12 alike:
# - cbor2 5.4.2 builds with pkg_resources, which setuptools 81 removed:
#   every build runs with setuptools<81;
# - gevent (the websocket worker of a server with --workers) finds
#   zope.interface through pkg_resources, and setuptools before 75 does not
#   find wheels named the new way (zope_interface-*.dist-info): the venv keeps
#   a setuptools from 75 to 80.
create_odoo_venv() {
    local source constraints
    source=$(odoo_source_dir)
    "$ODOO_BOOTSTRAP_PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
        || die "Odoo 18 runs on Python 3.10 to 3.12; set ODOO_BOOTSTRAP_PYTHON to one of them"
    rm -rf "$ODOO_VENV"
    "$ODOO_BOOTSTRAP_PYTHON" -m venv "$ODOO_VENV"
    constraints="$ODOO_HOME/build-constraints.txt"
    echo 'setuptools<81' > "$constraints"
    # pip before 25.3 applies PIP_CONSTRAINT to build environments too, later
    # ones read PIP_BUILD_CONSTRAINT: both are set, whichever pip the venv has
    export PIP_CONSTRAINT=$constraints PIP_BUILD_CONSTRAINT=$constraints
    "$ODOO_VENV/bin/pip" install --quiet --disable-pip-version-check \
        'setuptools>=75,<81' wheel
    "$ODOO_VENV/bin/pip" install --quiet --disable-pip-version-check \
        -r "$source/requirements.txt"
    "$ODOO_VENV/bin/pip" install --quiet --disable-pip-version-check \
        --no-deps --editable "$source"
    unset PIP_CONSTRAINT PIP_BUILD_CONSTRAINT
}

# Sets ODOO_PYTHON to the cached Odoo's interpreter, installing it first
# when a previous run has not.
bring_odoo() {
    ODOO_BOOTSTRAP_PYTHON=${ODOO_BOOTSTRAP_PYTHON:-python3}
    if ODOO_PYTHON="$ODOO_VENV/bin/python" odoo_importable; then
        ODOO_PYTHON="$ODOO_VENV/bin/python"
        echo "Using the Odoo 18 installed by an earlier run: $ODOO_PYTHON"
        return 0
    fi
    cat <<MSG
Odoo 18 is not installed: '$ODOO_PYTHON' cannot import it. This command now
installs it for the demo, as Odoo's documentation says (source install), in
$ODOO_HOME:
  1. Debian packages, when missing: ${ODOO_SYSTEM_PACKAGES[*]}
  2. Odoo's 18.0 source: ${ODOO_SRC:-a shallow clone of branch 18.0 of $ODOO_GIT_URL}
  3. a virtual environment ($ODOO_BOOTSTRAP_PYTHON) with Odoo's requirements.txt
A second run reuses all of it. To use an Odoo of your own instead, stop now
(Ctrl-C) and set ODOO_PYTHON to a Python that imports it.
MSG
    sleep "${ODOO_INSTALL_PAUSE:-5}"
    timed_step "1. Debian packages" install_system_packages
    timed_step "2. Odoo 18.0 source" clone_odoo
    timed_step "3. virtual environment with Odoo's requirements" create_odoo_venv
    ODOO_PYTHON="$ODOO_VENV/bin/python"
    odoo_importable || die "the virtual environment in $ODOO_VENV cannot import Odoo 18"
}
