"""``<out>/manifest.json``: for every document, what it was made from and the digest of the file written."""

from __future__ import annotations

import json
from pathlib import Path

from .. import __version__
from .digests import sha256
from .writes import atomic_write_text

MANIFEST = "manifest.json"


def load_manifest(out: Path) -> dict:
    """The recorded outputs, or none when the manifest is missing or unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    return outputs if isinstance(outputs, dict) else {}


def manifest_text(outputs: dict) -> str:
    text = json.dumps({"perfdoc": __version__, "outputs": outputs}, ensure_ascii=False, indent=2, sort_keys=True)
    return text + "\n"


def write_manifest(out: Path, outputs: dict) -> None:
    atomic_write_text(out / MANIFEST, manifest_text(outputs))


def is_current(entry: dict | None, inputs: str, path: Path) -> bool:
    if not isinstance(entry, dict) or entry.get("inputs") != inputs:
        return False
    try:
        return sha256(path.read_bytes()) == entry.get("output")
    except OSError:
        return False
