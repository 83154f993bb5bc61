"""What perfdoc keeps between runs in the user's cache folder: compiled templates and the parts they are cut into."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfdoc import usercache
from perfdoc.pipeline import check_file
from perfdoc.render import codecache, shown
from perfdoc.render.context import build_context
from perfdoc.render.sandbox import template_environment

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "sources/guangzhou/广州市天河区总工会/2023.yaml"
REPORT = REPO / "templates/guangzhou/自评报告.docx"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFDOC_CACHE_DIR", str(tmp_path / "cache"))
    shown._part_templates.cache_clear()  # as a new process finds it
    return tmp_path / "cache"


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_an_entry_reads_back_and_a_damaged_or_linked_one_is_a_miss(cache, tmp_path):
    usercache.write("kind", "ab12", b"payload")
    assert usercache.read("kind", "ab12") == b"payload"
    (entry,) = _entries(cache)
    entry.write_bytes(entry.read_bytes()[:-1])  # cut short
    assert usercache.read("kind", "ab12") is None
    secret = tmp_path / "secret"
    secret.write_bytes(b"x" * 40)
    entry.unlink()
    entry.symlink_to(secret)
    assert usercache.read("kind", "ab12") is None
    assert usercache.read("kind", "cd34") is None


def test_off_keeps_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("PERFDOC_CACHE_DIR", "off")
    assert usercache.cache_dir() is None
    usercache.write("kind", "ab12", b"payload")
    assert usercache.read("kind", "ab12") is None
    monkeypatch.delenv("PERFDOC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert usercache.cache_dir() == tmp_path / "perfdoc"


def test_compiled_code_is_kept_and_used(cache, monkeypatch):
    env = template_environment()
    source = "{{ 部门.名称 }}：{{ 预算.年初预算|万元 }}"
    context = build_context(check_file(SOURCE).analysis)  # validating has filled the cache with the templates' code
    before = set(_entries(cache / codecache.KIND))
    first = codecache.compiled(env, source).render(context)
    assert first == "广州市天河区总工会：668.20"
    (entry,) = set(_entries(cache / codecache.KIND)) - before

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    with monkeypatch.context() as patched:
        patched.setattr(env, "compile", no_compiling)
        assert codecache.compiled(env, source).render(context) == first
    entry.write_bytes(b"\0" * 40)  # damaged: compiled again, not loaded
    assert codecache.compiled(env, source).render(context) == first


def test_shown_xml_is_the_same_from_a_cold_and_a_warm_cache(cache):
    context = build_context(check_file(SOURCE).analysis)
    cold = shown.shown_xml(REPORT, context)
    assert "【待填写：部门.职能职责】" in cold
    assert _entries(cache / shown.PARTS_KIND)
    assert shown.shown_xml(REPORT, context) == cold


def test_shown_xml_of_what_is_not_a_template_is_none(cache, tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    assert shown.shown_xml(broken, {}) is None
    assert shown.shown_xml(tmp_path / "missing.docx", {}) is None


def test_the_sections_a_template_reads_are_the_same_from_a_cold_and_a_warm_cache(cache, monkeypatch):
    from perfdoc.load import template_sections

    template_sections._sections_read.cache_clear()
    cold = template_sections.sections_read(REPORT)
    assert cold and "存在问题" in cold
    (entry,) = _entries(cache / template_sections.KIND)
    template_sections._sections_read.cache_clear()
    with monkeypatch.context() as patched:  # warm: the package is not opened
        patched.setattr(template_sections, "_sections_in_package", lambda data: pytest.fail("unpacked again"))
        assert template_sections.sections_read(REPORT) == cold
    entry.write_bytes(b"\0" * 40)  # damaged: read from the package again
    template_sections._sections_read.cache_clear()
    assert template_sections.sections_read(REPORT) == cold


def test_the_yaml_tag_table_is_ruamel_yamls_from_a_cold_and_a_warm_cache(cache, monkeypatch):
    from ruamel.yaml.resolver import VersionedResolver

    from perfdoc.load import loader

    resolvers = VersionedResolver(version=(1, 2)).versioned_resolver
    expected = {first: [(str(tag), p.pattern, p.flags) for tag, p in entries] for first, entries in resolvers.items()}
    loader._implicit_table.cache_clear()
    assert loader._implicit_table() == expected
    (entry,) = _entries(cache / loader._TAGS_KIND)
    loader._implicit_table.cache_clear()
    assert loader._implicit_table() == expected
    entry.write_bytes(entry.read_bytes()[:32] + b"{")  # damaged: the digest no longer matches
    loader._implicit_table.cache_clear()
    assert loader._implicit_table() == expected
    loader._implicit_table.cache_clear()
    loader._implicit_tags.cache_clear()


def test_shown_xml_follows_a_template_changed_in_place(cache, tmp_path):
    # the compiled parts are kept for the process under the template's bytes, never under its path alone
    context = build_context(check_file(SOURCE).analysis)
    template = tmp_path / "自评报告.docx"
    template.write_bytes(REPORT.read_bytes())
    report = shown.shown_xml(template, context)
    template.write_bytes((REPO / "templates/guangzhou/自评表.docx").read_bytes())
    table = shown.shown_xml(template, context)
    assert table != report and table == shown.shown_xml(REPO / "templates/guangzhou/自评表.docx", context)
