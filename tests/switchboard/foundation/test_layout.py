"""Guards for DESIGN.md section 1: platform/ is a source root, never a package."""

import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_platform_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_stdlib_platform_is_not_shadowed():
    import platform

    assert callable(platform.system)
    assert platform.system()  # the stdlib's, which returns e.g. "Linux"
    assert "site-packages" not in (platform.__file__ or "") and "/platform/" not in (platform.__file__ or "")


def test_no_app_named_after_a_stdlib_module():
    apps_dir = ROOT / "platform" / "switchboard"
    names = {m.name for m in pkgutil.iter_modules([str(apps_dir)])}
    clashes = names & set(sys.stdlib_module_names)
    assert not clashes, f"apps named after stdlib modules: {clashes}"


def test_connectors_never_import_django():
    offenders = []
    for path in (ROOT / "connectors").rglob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import django", "from django", "import switchboard", "from switchboard")):
                offenders.append(str(path))
    assert not offenders


def test_uuid_and_celery_import_cleanly():
    importlib.import_module("uuid")
    importlib.import_module("celery")
