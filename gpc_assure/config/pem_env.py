"""TLS material given as PEM text in environment variables, as CI secrets usually arrive.

For every TLS file field (`tls.ca`, `tls.client_cert`, `tls.client_key`, ...), the variable
named after its own with `_PEM` appended (`GPC_ASSURE_TLS_CLIENT_CERT_PEM`) may hold the PEM
text instead of a path. The text is written to a private temporary folder (mode 0700, files
0600) that `PemFiles.remove()` deletes at the end of the run, and the field's own variable is
pointed at that file, so the usual precedence (a flag, then the environment, then the file)
holds. Setting both a field's variable and its `_PEM` twin is refused.
"""

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from gpc_assure.config.fields import FIELDS, PATH, FieldDef
from gpc_assure.config.provider_config import ConfigError

PEM_SUFFIX = "_PEM"
PEM_MARKER = "-----BEGIN "


def pem_variables() -> dict[str, FieldDef]:
    """Each `_PEM` variable and the field it stands in for."""
    return {
        field.env + PEM_SUFFIX: field
        for field in FIELDS
        if field.kind == PATH and field.path.startswith("tls.")
    }


class PemFiles:
    """The private folder holding the PEM texts of one run (nothing, when none was given)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> tuple["PemFiles", dict[str, str]]:
        """The files written for the `_PEM` variables set in `env`, and `env` pointing at them.

        Raises ConfigError (a usage error) for a variable that does not hold PEM text or is
        set beside its field's own variable."""
        given = {name: env[name] for name in pem_variables() if env.get(name, "").strip()}
        if not given:
            return cls(), dict(env)
        for pem_name, text in given.items():
            field = pem_variables()[pem_name]
            if env.get(field.env, "").strip():
                raise ConfigError(
                    field.path,
                    f"both {field.env} and {pem_name}",
                    "only one of them",
                    "environment",
                )
            if PEM_MARKER not in text:  # the text itself is never repeated: it may be a key
                raise ConfigError(field.path, "text without -----BEGIN", "PEM text", pem_name)
        folder = Path(tempfile.mkdtemp(prefix="gpc-assure-pem-"))  # mode 0700
        resolved = dict(env)
        for pem_name, text in given.items():
            field = pem_variables()[pem_name]
            path = folder / (field.path.removeprefix("tls.") + ".pem")
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text.replace("\\n", "\n") if "\n" not in text else text)
            resolved[field.env] = str(path)
        return cls(folder), resolved

    def remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
