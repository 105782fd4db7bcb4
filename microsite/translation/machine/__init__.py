"""Machine translation: an installed Argos Translate package (``engine``) and managing packages (``packages``).

Only ``translate`` and ``models`` import this; building the site never does.
"""

from ...errors import MachineTranslationError
from .engine import Engine, argos_version, how_to_remove, split_sentences
from .packages import (
    PackageInfo,
    broken_packages,
    check_archive,
    download_package,
    how_to_install,
    install_file,
    installed_packages,
    load_engine,
    packages_folder,
    read_metadata,
)

__all__ = [
    "Engine",
    "MachineTranslationError",
    "PackageInfo",
    "argos_version",
    "broken_packages",
    "check_archive",
    "download_package",
    "how_to_install",
    "how_to_remove",
    "install_file",
    "installed_packages",
    "load_engine",
    "packages_folder",
    "read_metadata",
    "split_sentences",
]
