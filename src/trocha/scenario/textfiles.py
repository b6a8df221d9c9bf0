"""Read a scenario's text files the way users save them, or say exactly why one cannot be read.

Spreadsheets save CSV as UTF-8 with or without a byte-order mark, or as UTF-16 ("Unicode text")
with one; all of those are read. Bytes that are not UTF-8 (Latin-1 or Windows-1252 text) are
refused with the file and the encoding to save it in, rather than guessed: a guessed place name
that does not match the other files would be a worse error than this one. A folder, a broken
link or a link loop where a file should be is named as such, not as "missing".
"""

from __future__ import annotations

import codecs
import errno
import os
from pathlib import Path

from .problems import Problem

SAVE_AS = "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')"


def file_problem(path: Path) -> str | None:
    """Why `path` is not a readable file (None if it is one)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"a link to {os.readlink(path)!r}, which does not exist"
        return "missing"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symbolic link that loops back on itself; replace it with the file"
        return f"cannot be read: {error.strerror}"
    if path.is_dir():
        return "is a folder; a file is expected here"
    if not path.is_file():
        return "is not a regular file"
    return None


def exists(path: Path) -> bool:
    """Whether anything (a file, a folder, a link, even a broken one) is at `path`."""
    return os.path.lexists(path)


def decode(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, why the bytes cannot be read as text)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, f"has a UTF-16 byte-order mark but is not UTF-16 text; {SAVE_AS}"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        return None, (
            f"is not UTF-8 text (byte 0x{byte:02X} on line {line}; perhaps Latin-1 or "
            f"Windows-1252); {SAVE_AS}"
        )


def read_text(path: Path, label: str, problems: list[Problem], missing: str) -> str | None:
    """The text of `path`, or None with a problem (`missing`: what to say when it is absent)."""
    why = file_problem(path)
    if why == "missing":
        problems.append(Problem(label, None, "file", missing))
        return None
    if why is not None:
        problems.append(Problem(label, None, "file", why))
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(label, None, "file", f"cannot be read: {error.strerror}"))
        return None
    text, why = decode(data)
    if text is None:
        problems.append(Problem(label, None, "file", why or "cannot be read"))
        return None
    if "\x00" in text:
        problems.append(
            Problem(label, None, "file", f"contains NUL bytes (UTF-16 without a BOM?); {SAVE_AS}")
        )
        return None
    return text
