"""Whether an output folder can be written, checked before a simulation rather than after it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(ValueError):
    """The output location is a file, or a folder this process cannot write."""


def writable(folder: Path) -> bool:
    """Whether files can be created in `folder`.

    Asks the OS (os.access) and then really creates and removes a file: permission bits say
    nothing for root or on a read-only mount, and os.access says nothing about ACLs or quotas.
    """
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".trocha-probe-"):
            pass
    except OSError:
        return False
    return True


def check_output_folder(out_dir: Path | str) -> Path:
    """`out_dir` as a Path, if it is (or can be created as) a writable folder; else OutputError.

    Creates nothing: a folder that does not exist yet is checked through its nearest existing
    parent.
    """
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{out_dir} is a file; give a folder for the output")
    existing = path.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{out_dir}: {existing} is a file, so the folder cannot be created")
    if not writable(existing):
        raise OutputError(f"{out_dir}: cannot write in {existing} (permission denied or read-only)")
    return path
