"""Builds the addon's wheel with whool, as OCA publishes odoo-addon-* wheels.

    python scripts/build_wheel.py OUT_DIR

whool names the wheel after the folder that holds the addon and packages the
files under git control, so the addon's files (tracked and new, as git lists
them) are copied into a folder named ``customer_pyramid`` and committed in a
repository of their own: the wheel is ``odoo_addon_customer_pyramid`` wherever
this checkout lives and whatever it is called. The version is the manifest's,
without the ``.postN`` whool derives from the git history. Prints the wheel's
path. Runs with the interpreter that has whool (the lint tools' venv).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULE = "customer_pyramid"


def addon_files():
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others"]
        + ["--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    # a tracked file deleted in the checkout is listed but gone
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def copy_addon(source_dir):
    for name in addon_files():
        target = source_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    git = ["git", "-C", str(source_dir), "-c", "user.name=build"]
    git += ["-c", "user.email=build@localhost"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "wheel build"], check=True)


def build(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        source_dir = Path(scratch) / MODULE
        copy_addon(source_dir)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
            + ["--no-build-isolation", "--disable-pip-version-check"]
            + ["--wheel-dir", str(out_dir), str(source_dir)],
            check=True,
            env={**os.environ, "WHOOL_POST_VERSION_STRATEGY_OVERRIDE": "none"},
        )
    wheels = sorted(out_dir.glob(f"odoo_addon_{MODULE}-*.whl"))
    if len(wheels) != 1:
        names = ", ".join(path.name for path in out_dir.iterdir())
        sys.exit(f"expected one odoo_addon_{MODULE} wheel in {out_dir}, found: {names}")
    check_contents(wheels[0])
    return wheels[0]


def check_contents(wheel):
    """The wheel holds the addon where Odoo looks for it in site-packages."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    manifest = f"odoo/addons/{MODULE}/__manifest__.py"
    if manifest not in names:
        sys.exit(f"{wheel.name} has no {manifest}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(Path(sys.argv[1]).resolve()))
