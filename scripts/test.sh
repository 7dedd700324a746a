#!/usr/bin/env bash
# The project's test command: lint, pure-Python tests, then, when Odoo 18
# imports, the full Odoo suite on fresh databases of a private PostgreSQL.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"
cd "$ROOT"

ensure_tools_venv
banner "lint: ruff"
"$TOOLS_VENV/bin/ruff" check --no-fix .
"$TOOLS_VENV/bin/ruff" format --check .
banner "lint: pylint-odoo (OCA mandatory checks)"
LINT_DIR=$(mktemp -d)
trap 'rm -rf "$LINT_DIR"' EXIT
ln -s "$ROOT" "$LINT_DIR/customer_pyramid"
ADDON_DIRS=("$LINT_DIR/customer_pyramid")
for bridge in "$ROOT"/bridges/*/; do
    ln -s "${bridge%/}" "$LINT_DIR/$(basename "$bridge")"
    ADDON_DIRS+=("$LINT_DIR/$(basename "$bridge")")
done
"$TOOLS_VENV/bin/pylint" --rcfile="$ROOT/.pylintrc-mandatory" "${ADDON_DIRS[@]}"
banner "lint: oca-checks-odoo-module, oca-checks-po"
for addon_dir in "${ADDON_DIRS[@]}"; do
    # each addon's own files: the bridges are addons of their own
    (cd "$addon_dir" && "$TOOLS_VENV/bin/oca-checks-odoo-module" __manifest__.py \
        $(git ls-files --cached --others --exclude-standard '*.xml' '*.csv' '*.py' \
          | grep -v '^bridges/'))
done
shopt -s nullglob
PO_FILES=("$ROOT"/i18n/*.po "$ROOT"/i18n/*.pot "$ROOT"/bridges/*/i18n/*.po "$ROOT"/bridges/*/i18n/*.pot)
shopt -u nullglob
"$TOOLS_VENV/bin/oca-checks-po" --disable=po-pretty-format "${PO_FILES[@]}"
banner "Arabic: every entry of the template translated"
"$TOOLS_VENV/bin/python" "$ROOT/scripts/check_po.py"

banner "Odoo Apps page: static/description/index.html is built from readme/"
"$TOOLS_VENV/bin/python" "$ROOT/scripts/gen_addon_readme.py" --check

banner "the wheels: built with whool as odoo-addon-customer_pyramid and one per bridge"
WHEEL=$("$TOOLS_VENV/bin/python" "$ROOT/scripts/build_wheel.py" "$LINT_DIR/dist")
echo "$WHEEL"
for bridge in "$ROOT"/bridges/*/; do
    "$TOOLS_VENV/bin/python" "$ROOT/scripts/build_wheel.py" "$LINT_DIR/dist" "$(basename "$bridge")"
done

banner "pure-Python tests (pytest)"
# The repository root is the addon, whose __init__.py imports odoo: pytest would
# import it as the tests' parent package, so the tests run from a copy.
cp -r "$ROOT/lib" "$ROOT/unit_tests" "$LINT_DIR/"
(cd "$LINT_DIR" && "$TOOLS_VENV/bin/pytest" -q -p no:cacheprovider unit_tests)

if ! odoo_importable; then
    echo
    echo "!!!!!!!! ODOO SUITE SKIPPED: '$ODOO_PYTHON' cannot import Odoo 18, so only lint and pure-Python tests ran." \
        "Install Odoo 18 (see README.md) or set ODOO_PYTHON to an interpreter that imports it. !!!!!!!!"
    exit 0
fi

# The board tours drive headless Chromium through Odoo's websocket client.
if ! command -v chromium >/dev/null && ! command -v google-chrome >/dev/null; then
    [ "$(id -u)" = 0 ] || die "Chromium missing for the tours: run 'sudo apt-get install chromium'"
    banner "installing Chromium from Debian for the board tours"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! "$ODOO_PYTHON" -c 'import websocket' 2>/dev/null; then
    banner "installing websocket-client into $ODOO_PYTHON for the board tours"
    "$ODOO_PYTHON" -m pip install --quiet --disable-pip-version-check websocket-client
fi

# Odoo builds the right-to-left stylesheets of Arabic with rtlcss; the
# right-to-left browser test needs them.
if ! command -v rtlcss >/dev/null; then
    [ "$(id -u)" = 0 ] || die "rtlcss missing for the right-to-left test: run 'sudo npm install -g rtlcss'"
    command -v npm >/dev/null || die "rtlcss missing and no npm to install it: run 'sudo apt-get install npm'"
    banner "installing rtlcss (npm) for the right-to-left test"
    npm install -g --silent rtlcss >/dev/null
fi

RUN_DIR=$(mktemp -d /tmp/customer_pyramid_test.XXXXXX)
chmod 755 "$RUN_DIR"
trap 'stop_private_cluster "$RUN_DIR/pg"; rm -rf "$LINT_DIR" "$RUN_DIR"' EXIT
banner "Odoo suite: private PostgreSQL cluster in $RUN_DIR/pg"
# A throw-away cluster needs no durability: these settings only make it faster.
start_private_cluster "$RUN_DIR/pg" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
make_addons_path "$RUN_DIR/addons"
write_odoo_config "$RUN_DIR/odoo.conf" "$RUN_DIR/data"
"$ODOO_PYTHON" "$ROOT/scripts/odoo_suite.py" "$RUN_DIR/odoo.conf" "$RUN_DIR" "$WHEEL"
