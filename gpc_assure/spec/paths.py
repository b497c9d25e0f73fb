"""Where the suite's own files live: a checkout, or the copy packed inside a wheel."""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_PACKED = _PACKAGE_DIR / "_suite"

SUITE_ROOT: Path = _PACKED if _PACKED.is_dir() else _PACKAGE_DIR.parent
FEATURES_DIR: Path = SUITE_ROOT / "features"
STEPS_DIR: Path = SUITE_ROOT / "steps"
SCHEMAS_DIR: Path = SUITE_ROOT / "schemas"
FIXTURES_DIR: Path = SUITE_ROOT / "fixtures"
CATALOGUE_FILE: Path = FIXTURES_DIR / "requirements.toml"
