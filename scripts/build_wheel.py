"""Builds the addon's wheel with whool, as OCA publishes odoo-addon-* wheels.

    python scripts/build_wheel.py OUT_DIR [MODULE]

MODULE is customer_pyramid (the default) or a bridge module of bridges/,
whose folder is its addon; the addon's wheel holds none of bridges/.

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


def addon_files(addon_dir):
    """The files of the addon in ``addon_dir``, relative to it."""
    listed = subprocess.run(
        ["git", "-C", str(addon_dir), "ls-files", "-z", "--cached", "--others"]
        + ["--exclude-standard", "."],
        capture_output=True,
        check=True,
    ).stdout.decode()
    # a tracked file deleted in the checkout is listed but gone
    return [
        name
        for name in listed.split("\0")
        if name and not name.startswith("bridges/") and (addon_dir / name).is_file()
    ]


def copy_addon(addon_dir, source_dir):
    for name in addon_files(addon_dir):
        target = source_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(addon_dir / name, target)
    git = ["git", "-C", str(source_dir), "-c", "user.name=build"]
    git += ["-c", "user.email=build@localhost"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "wheel build"], check=True)


def build(out_dir, module=MODULE):
    addon_dir = ROOT if module == MODULE else ROOT / "bridges" / module
    if not (addon_dir / "__manifest__.py").is_file():
        sys.exit(f"{module} is neither {MODULE} nor a module of bridges/")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        source_dir = Path(scratch) / module
        copy_addon(addon_dir, source_dir)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
            + ["--no-build-isolation", "--disable-pip-version-check"]
            + ["--wheel-dir", str(out_dir), str(source_dir)],
            check=True,
            env={**os.environ, "WHOOL_POST_VERSION_STRATEGY_OVERRIDE": "none"},
        )
    wheels = sorted(out_dir.glob(f"odoo_addon_{module}-*.whl"))
    if len(wheels) != 1:
        names = ", ".join(path.name for path in out_dir.iterdir())
        sys.exit(f"expected one odoo_addon_{module} wheel in {out_dir}, found: {names}")
    check_contents(wheels[0], module)
    return wheels[0]


def check_contents(wheel, module):
    """The wheel holds the addon where Odoo looks for it in site-packages."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    manifest = f"odoo/addons/{module}/__manifest__.py"
    if manifest not in names:
        sys.exit(f"{wheel.name} has no {manifest}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    print(build(Path(sys.argv[1]).resolve(), *sys.argv[2:]))
