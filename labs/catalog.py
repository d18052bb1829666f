"""Where labs come from: the built-in ``catalog/``, installed lab packs (entry-point group ``gailab.labs``),
``GAILAB_LABS_PATH`` and folders given by the caller (``--labs-dir``). Later sources override earlier ones by id.
``GAILAB_LABS_BUILTIN=0`` leaves out the built-in catalog and the installed packs: a course that ships its own
labs shows only those (the app's snapshot tests use it to render a frozen lab pack).

A lab pack's entry point resolves to a path, a list of paths, or a callable returning either; each path is a
lab folder (it holds ``lab.toml``) or a folder of lab folders.
"""

from __future__ import annotations

import logging
import os
from importlib import metadata
from pathlib import Path

from .manifest import MANIFEST, Lab, LabDefinitionError, load_lab

log = logging.getLogger("gailab.labs")
BUILTIN = Path(__file__).resolve().parent / "catalog"
ENTRY_POINT_GROUP = "gailab.labs"


class LabNotFound(KeyError):
    def __init__(self, lab_id: str, known: list[str]):
        self.lab_id = lab_id
        self.known = known
        super().__init__(f"no lab {lab_id!r}; known labs: {', '.join(known) or 'none'}")

    def __str__(self) -> str:
        return self.args[0]


def lab_folders(root: Path) -> list[Path]:
    """``root`` itself when it is a lab, else its sub-folders that are labs."""
    root = Path(root)
    if (root / MANIFEST).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())


def _entry_point_roots() -> list[Path]:
    roots: list[Path] = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            value = ep.load()
            if callable(value):
                value = value()
            values = value if isinstance(value, (list, tuple)) else [value]
            roots.extend(Path(str(v)) for v in values)
        except Exception as exc:  # a broken pack never hides the others
            log.warning("lab pack %s could not be loaded: %s", ep.name, exc)
    return roots


def builtin_enabled() -> bool:
    return os.environ.get("GAILAB_LABS_BUILTIN", "1").strip().lower() not in ("0", "no", "false", "off")


def sources(extra_dirs: list[Path] | None = None) -> list[Path]:
    env = [Path(p) for p in os.environ.get("GAILAB_LABS_PATH", "").split(os.pathsep) if p]
    shipped = [BUILTIN, *_entry_point_roots()] if builtin_enabled() else []
    return [*shipped, *env, *[Path(d) for d in (extra_dirs or [])]]


def load_catalog(extra_dirs: list[Path] | None = None, *, strict: bool = False) -> list[Lab]:
    """Every lab, in suggested order. A lab that fails to load is skipped with a warning (raised when strict)."""
    by_id: dict[str, Lab] = {}
    for root in sources(extra_dirs):
        for folder in lab_folders(root):
            try:
                lab = load_lab(folder)
            except LabDefinitionError as exc:
                if strict:
                    raise
                log.warning("skipping lab %s: %s", folder, exc)
                continue
            by_id[lab.id] = lab
    return sorted(by_id.values(), key=lambda lab: (lab.order, lab.id))


def get_lab(lab_id: str, extra_dirs: list[Path] | None = None) -> Lab:
    """The lab with this id (a path to a lab folder works too). Raises LabNotFound or LabDefinitionError."""
    as_path = Path(lab_id)
    if (as_path / MANIFEST).is_file():
        return load_lab(as_path)
    for root in reversed(sources(extra_dirs)):
        for folder in lab_folders(root):
            if folder.name == lab_id:
                return load_lab(folder)  # a broken definition raises, naming file and field
    raise LabNotFound(lab_id, [lab.id for lab in load_catalog(extra_dirs)])
