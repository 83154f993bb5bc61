"""``<out>/.perfdoc-cache.json``: what the last builds learnt about each source, to skip it unread."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import UserError
from .digests import EMPTY_DIGEST, FileDigests, combined_digest, renderer_identity, sha256
from .paths import source_key
from .writes import atomic_write_text

CACHE = ".perfdoc-cache.json"
CACHE_VERSION = 1


def _stat(path: Path) -> list | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


class BuildCache:
    """``<out>/.perfdoc-cache.json``: what the last builds learnt about each source, to skip it unread.

    ``sources``: source path → {sha256, format, folder, previous, warnings,
    documents: [{key, template}]}; ``outputs``: manifest key → [size,
    mtime_ns, ctime_ns, inode, sha256] of the file as written; ``trusted``:
    templates whose fast rendering was compared with the reference. Kept only
    for the renderer that wrote it.
    """

    def __init__(self, out: Path):
        self.path = out / CACHE
        self.sources: dict = {}
        self.outputs: dict = {}
        self.trusted: set = set()
        try:
            self._text = self.path.read_text(encoding="utf-8")
            data = json.loads(self._text)
        except (OSError, ValueError):
            self._text, data = None, {}
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION and data.get("renderer") == renderer_identity():
            self.sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
            self.outputs = data.get("outputs") if isinstance(data.get("outputs"), dict) else {}
            self.trusted = {t for t in data.get("trusted") or [] if isinstance(t, str)}

    def output_matches(self, key: str, target: Path, digest) -> bool:
        """Whether the file at ``target`` is the one whose digest is ``digest`` (by its stat, else by reading it)."""
        recorded = self.outputs.get(key)
        stat = _stat(target)
        if stat is None or not isinstance(digest, str):
            return False
        if isinstance(recorded, list) and recorded == [*stat, digest]:
            return True
        try:
            matches = sha256(target.read_bytes()) == digest
        except OSError:
            return False
        if matches:
            self.outputs[key] = [*stat, digest]
        return matches

    def record_output(self, key: str, target: Path, digest: str) -> None:
        stat = _stat(target)
        if stat is None:
            self.outputs.pop(key, None)
        else:
            self.outputs[key] = [*stat, digest]

    def save(self) -> None:
        data = {
            "version": CACHE_VERSION,
            "renderer": renderer_identity(),
            "sources": self.sources,
            "outputs": self.outputs,
            "trusted": sorted(self.trusted),
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if text == self._text or not (self.sources or self.outputs) or not self.path.parent.is_dir():
            return
        try:
            atomic_write_text(self.path, text)
        except UserError:
            pass  # only a cache: the next build validates more


def unchanged(path: Path, out: Path, manifest: dict, cache: BuildCache, digests: FileDigests):
    """``(documents, warnings)`` of a source whose documents are all current, decided without validating it.

    ``documents``: the (manifest key, file) of each; None when anything may
    have changed (then the source is validated and its documents checked as
    always).
    """
    from ..load.formats import templates_root

    entry = cache.sources.get(source_key(path))
    if not isinstance(entry, dict):
        return None
    try:
        source = digests.of_readable(path)
        folder = (templates_root() / entry["format"]).resolve()
        if source != entry["sha256"] or str(folder) != entry["folder"] or not (folder / "format.yaml").is_file():
            return None
        previous = Path(entry["previous"]) if entry["previous"] else None
        previous_digest = digests.of(previous) if previous is not None and previous.is_file() else EMPTY_DIGEST
        config = digests.of(folder / "format.yaml")
        documents = []
        for document in entry["documents"]:
            key = document["key"]
            inputs = combined_digest(
                source=source, template=digests.of(Path(document["template"])), format=config, previous=previous_digest
            )
            recorded = manifest.get(key)
            if not isinstance(recorded, dict) or recorded.get("inputs") != inputs:
                return None
            target = out / key
            if not cache.output_matches(key, target, recorded.get("output")):
                return None
            documents.append((key, target))
        return documents, int(entry["warnings"])
    except (OSError, KeyError, TypeError, ValueError):
        return None
