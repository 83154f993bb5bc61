"""The cache of analysed sources kept between builds (perfdoc.build.prepared): the same bytes, messages and
manifest as a build without it, and a miss whenever anything the analysis read has changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import perfdoc.pipeline
from perfdoc.build import prepared
from perfdoc.testing.workspace import BROKEN_TOTAL, make_template, run, write_source


@pytest.fixture
def cached(workspace, tmp_path_factory, monkeypatch):
    """The workspace with a cache of its own, and a count of the sources analysed by each build."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PERFDOC_CACHE_DIR", str(cache))
    analysed: list[str] = []
    check_file = perfdoc.pipeline.check_file

    def counting(path, *args, **kwargs):
        analysed.append(Path(path).as_posix())
        return check_file(path, *args, **kwargs)

    monkeypatch.setattr(perfdoc.pipeline, "check_file", counting)
    write_source(workspace, "甲部门", year=2021, budget=80)  # 甲部门 2022 has last year's file
    write_source(workspace, "丙部门", extra=BROKEN_TOTAL)  # refused, with its message
    return workspace, cache, analysed


def built(workspace: Path, out: str, *args) -> tuple[dict, str]:
    """The files a build writes into ``out`` (the documents and the manifest) and its messages."""
    result = run("build", "--jobs", "1", "--out", out, *args)
    assert result.exit_code in (0, 1), result.output
    folder = workspace / out
    files = {p.relative_to(folder).as_posix(): p.read_bytes()
             for p in sorted(folder.rglob("*")) if p.suffix in (".docx", ".json")}
    return files, result.output.split("用时")[0]


def test_cached_build_gives_the_same_bytes_messages_and_manifest(cached, monkeypatch):
    workspace, cache, analysed = cached
    monkeypatch.setenv("PERFDOC_CACHE_DIR", "off")
    plain = built(workspace, "plain")
    assert len(analysed) == 4 and not any(cache.iterdir())
    monkeypatch.setenv("PERFDOC_CACHE_DIR", str(cache))
    analysed.clear()
    assert built(workspace, "first") == plain  # fills the cache
    assert len(analysed) == 4
    analysed.clear()
    again = built(workspace, "second")
    assert analysed == []  # every source, the refused one too, from the cache
    assert again == plain
    assert "丙部门" in again[1] and "PD201" in again[1]
    assert len(plain[0]) == 7  # six documents and the manifest


def test_force_rebuild_uses_the_cache(cached):
    workspace, _cache, analysed = cached
    built(workspace, "build")
    analysed.clear()
    files, _messages = built(workspace, "build", "--force")
    assert analysed == [] and len(files) == 7


@pytest.mark.parametrize("change", ["source", "last year", "format", "template", "perfdoc"])
def test_a_change_to_what_the_analysis_read_is_a_miss(cached, monkeypatch, change):
    workspace, _cache, analysed = cached
    built(workspace, "first")
    if change == "source":
        write_source(workspace, "甲部门", budget=150)
        expected = ["sources/testfmt/甲部门/2022.yaml"]
    elif change == "last year":
        write_source(workspace, "甲部门", year=2021, budget=90)
        expected = ["sources/testfmt/甲部门/2021.yaml", "sources/testfmt/甲部门/2022.yaml"]
    elif change == "format":
        config = workspace / "templates" / "testfmt" / "format.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("测试格式", "测试格式二"), encoding="utf-8")
        expected = "all"
    elif change == "template":  # loading the format reads which narrative sections its templates print
        make_template(workspace / "templates" / "testfmt" / "报告.docx", "{{ 部门.名称 }}")
        expected = "all"
    else:
        monkeypatch.setattr(prepared, "renderer_identity", lambda: "another perfdoc")
        expected = "all"
    analysed.clear()
    after = built(workspace, "second")
    everything = sorted(p.relative_to(workspace).as_posix() for p in (workspace / "sources").rglob("*.yaml"))
    assert sorted(analysed) == (everything if expected == "all" else expected)
    monkeypatch.setenv("PERFDOC_CACHE_DIR", "off")
    assert built(workspace, "third") == (after[0], after[1].replace("second", "third"))  # what analysing gives


def test_a_damaged_entry_is_a_miss(cached):
    workspace, cache, analysed = cached
    first = built(workspace, "first")
    entries = [p for p in (cache / prepared.KIND).rglob("*") if p.is_file()]
    assert len(entries) == 4
    for entry in entries:
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.write_bytes(bytes(data))
    entries[0].write_bytes(entries[0].read_bytes()[:40])  # and one cut short
    analysed.clear()
    assert built(workspace, "first", "--force") == first
    assert len(analysed) == 4


def test_an_entry_is_not_used_for_another_path(cached):
    workspace, _cache, analysed = cached
    built(workspace, "first")
    copy = workspace / "sources" / "testfmt" / "丁部门" / "2022.yaml"
    copy.parent.mkdir()
    copy.write_bytes((workspace / "sources" / "testfmt" / "乙部门" / "2022.yaml").read_bytes())
    analysed.clear()
    built(workspace, "first")
    assert analysed == ["sources/testfmt/丁部门/2022.yaml"]


def test_the_cache_is_kept_within_its_limit(cached, monkeypatch):
    workspace, cache, _analysed = cached
    built(workspace, "first")
    entries = sorted(p for p in (cache / prepared.KIND).rglob("*") if p.is_file())
    for age, entry in enumerate(entries):  # oldest first
        os.utime(entry, ns=(age * 10**9, age * 10**9))
    limit = sum(p.stat().st_size for p in entries[1:])
    monkeypatch.setattr(prepared, "CACHE_LIMIT", limit)
    write_source(workspace, "乙部门", budget=120)  # a build that adds an entry prunes
    built(workspace, "first")
    left = {p for p in (cache / prepared.KIND).rglob("*") if p.is_file()}
    assert entries[0] not in left and entries[1] not in left  # the oldest went first
    assert left - set(entries)  # the entry just written stayed
    assert sum(p.stat().st_size for p in left) <= limit


def test_the_examples_give_the_same_messages_and_bytes_from_the_cache(tmp_path, monkeypatch):
    """The repository's examples, whose warnings include the 【待填写】 markers their documents show (PD701),
    counted when the documents are rendered and kept with the rest."""
    repo = Path(__file__).resolve().parent.parent
    shutil.copytree(repo / "sources", tmp_path / "sources")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(repo / "templates"))
    monkeypatch.setenv("PERFDOC_CACHE_DIR", "off")
    plain = built(tmp_path, "plain")
    assert "个警告" in plain[1]
    monkeypatch.setenv("PERFDOC_CACHE_DIR", str(tmp_path / "cache"))
    assert built(tmp_path, "first") == plain
    assert built(tmp_path, "second") == plain
    entries = [p for p in (tmp_path / "cache" / prepared.KIND).rglob("*") if p.is_file()]
    assert len(entries) == len(list((tmp_path / "sources").rglob("*.yaml")))  # every example kept
