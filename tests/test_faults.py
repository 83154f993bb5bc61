"""Faults during ``perfdoc build``: nothing a user had is lost, nothing half-written is left.

* killed with SIGKILL at any moment, every output is absent, its previous good
  version or the new complete one; manifest.json is always valid JSON;
* a source that fails validation never touches its previous documents;
* two builds at once on one build/ folder leave it complete and consistent;
* an unwritable folder, a full disk or an unreadable file give a clear Chinese
  message, exit status 1, no traceback and no partial files.

The builds run as subprocesses in a temporary copy of sources/ and templates/,
with the working folder there so that templates/ is found as in real use.

One build at a time writes into a build/ folder (:mod:`perfdoc.build.lock`),
and ``perfdoc render`` writing into one waits for it too: the lock's holder
removes the temp files of interrupted writes, concurrent builds are
serialised, and a folder that stays locked is reported clearly. The reason a
write failed is said in Chinese (磁盘空间不足, 没有写入权限…).
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from perfdoc.build.lock import (
    LOCK_NAME,
    PENDING_NAME,
    build_lock,
    describe_os_error,
    lock_timeout,
    remove_stale_temp_files,
    stale_temp_files,
)
from perfdoc.cli import main
from perfdoc.errors import UserError
from perfdoc.render.extract import document_text

REPO = Path(__file__).resolve().parent.parent
MARK = "版本标记"
BROKEN_SOURCE = "sources/guangzhou/广州市天河区总工会/2022.yaml"
BROKEN_OUTPUTS = (
    "guangzhou/广州市天河区总工会/2022/广州市天河区总工会2022年度部门整体支出绩效自评表.docx",
    "guangzhou/广州市天河区总工会/2022/广州市天河区总工会2022年度部门整体支出绩效自评报告.docx",
)

# Runs perfdoc with os.replace (every atomic rename) hooked: SIGKILL itself at the N-th
# rename, or at the N-th fsync (temp file written, not renamed), or pause before the
# first rename until a file appears.
HOOKED = r"""
import os, signal, sys, time
from pathlib import Path
mode, n = os.environ["FAULT_MODE"], int(os.environ.get("FAULT_AT", "1"))
calls = {"replace": 0, "fsync": 0}
real_replace, real_fsync = os.replace, os.fsync
def replace(src, dst, *args, **kwargs):
    calls["replace"] += 1
    if mode == "kill-at-replace" and calls["replace"] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "pause" and calls["replace"] == 1:
        Path(os.environ["FAULT_PAUSED"]).touch()
        while not Path(os.environ["FAULT_RELEASE"]).exists():
            time.sleep(0.02)
    return real_replace(src, dst, *args, **kwargs)
def fsync(fd):
    calls["fsync"] += 1
    if mode == "kill-at-fsync" and calls["fsync"] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_fsync(fd)
os.replace, os.fsync = replace, fsync
from perfdoc.cli import main
sys.argv = ["perfdoc", *sys.argv[1:]]
main()
"""


# ------------------------------------------------------------------ helpers


def make_workspace(root: Path) -> Path:
    shutil.copytree(REPO / "sources", root / "sources")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "tmp").mkdir()
    return root


def environment(root: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PERFDOC_TEMPLATES"}
    env.update(TMPDIR=str(root / "tmp"), PYTHONPATH=str(REPO), **extra)
    return env


def perfdoc(root: Path, *args: str, timeout: float = 600, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "perfdoc.cli", *args],
        cwd=root,
        env=environment(root, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start(root: Path, *args: str, hooked: bool = False, **extra) -> subprocess.Popen:
    command = [sys.executable, "-c", HOOKED, *args] if hooked else [sys.executable, "-m", "perfdoc.cli", *args]
    return subprocess.Popen(
        command,
        cwd=root,
        env=environment(root, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: workers and LibreOffice die with it
    )


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate(timeout=60)


def outputs(root: Path) -> dict[str, bytes]:
    build = root / "build"
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*")) if p.suffix in (".docx", ".pdf")}


def temp_files(root: Path) -> list[Path]:
    build = root / "build"
    return sorted(p for p in build.rglob("*") if p.is_file() and p.name.endswith(".tmp")) if build.is_dir() else []


def docx_text(data: bytes) -> str:
    """The text of a complete .docx; fails the test if the file is not one."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
    docx.Document(io.BytesIO(data))  # python-docx reopens it
    return document_text(data)


def assert_pdf_complete(data: bytes) -> None:
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-1024:]


def manifest(root: Path) -> dict:
    path = root / "build" / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))  # always valid JSON
    assert isinstance(data, dict) and isinstance(data.get("outputs"), dict)
    return data["outputs"]


def assert_consistent(root: Path) -> dict:
    """After a complete build: every output complete and listed with its digest."""
    produced = outputs(root)
    listed = manifest(root)
    documents = {k: v for k, v in produced.items() if k.endswith(".docx")}
    assert set(listed) == set(documents)
    for key, data in documents.items():
        docx_text(data)
        assert listed[key]["output"] == hashlib.sha256(data).hexdigest(), key
    for key, data in produced.items():
        if key.endswith(".pdf"):
            assert_pdf_complete(data)
    return produced


def mark_templates(root: Path, version: int) -> None:
    """Give every template a last paragraph ``版本标记 N`` so each build's documents differ."""
    for template in sorted((root / "templates").glob("*/*.docx")):
        document = docx.Document(template)
        last = [p for p in document.paragraphs if p.text.startswith(MARK)]
        if last:
            last[-1].text = f"{MARK} {version}"
        else:
            document.add_paragraph(f"{MARK} {version}")
        document.save(template)


def versions_in(text: str) -> set[int]:
    return {int(line.split()[1]) for line in text.splitlines() if line.startswith(MARK + " ")}


def expected_documents(root: Path, *paths: str) -> int:
    """How many documents a build of ``paths`` (default everything) makes (built once more, elsewhere)."""
    done = perfdoc(root, "build", "--jobs", "1", "--out", "planned", *paths)
    assert done.returncode == 0, done.stderr
    count = len(list((root / "planned").rglob("*.docx")))
    shutil.rmtree(root / "planned")
    return count


@pytest.fixture
def workspace(tmp_path):
    return make_workspace(tmp_path)


@pytest.fixture
def built(workspace):
    """A workspace with a complete first build (version 0)."""
    mark_templates(workspace, 0)
    done = perfdoc(workspace, "build", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert_consistent(workspace)
    return workspace


# ------------------------------------------------------------------ SIGKILL


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigkill_at_random_moments_leaves_old_or_new_complete_outputs(built, jobs):
    rng = random.Random(20240601 + int(jobs))
    total = len(outputs(built))
    killed_with_temp_files = 0
    for version in range(1, 7):
        mark_templates(built, version)
        process = start(built, "build", "--jobs", jobs, "--force")
        time.sleep(rng.uniform(0.05, 1.6))
        kill_group(process)
        produced = outputs(built)
        assert len(produced) == total  # nothing removed
        for key, data in produced.items():
            seen = versions_in(docx_text(data))
            assert len(seen) == 1 and seen <= set(range(version + 1)), key
        manifest(built)
        killed_with_temp_files += bool(temp_files(built))
    mark_templates(built, 99)
    done = perfdoc(built, "build", "--jobs", jobs)
    assert done.returncode == 0, done.stderr
    for key, data in assert_consistent(built).items():
        assert versions_in(docx_text(data)) == {99}, key


@pytest.mark.parametrize("hook", ["kill-at-fsync", "kill-at-replace"])
@pytest.mark.parametrize("at", [1, 4, 10])
def test_killed_between_writing_and_renaming_keeps_the_previous_version(built, hook, at):
    before = outputs(built)
    before_manifest = (built / "build" / "manifest.json").read_bytes()
    mark_templates(built, 1)
    process = start(built, "build", "--jobs", "1", hooked=True, FAULT_MODE=hook, FAULT_AT=str(at))
    process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL, (
        f"the build made fewer than {at} calls of os.{hook.split('-')[-1]}: each document should be written to a "
        "temp file, fsynced (else a crash of the machine can leave an empty document) and renamed"
    )
    after = outputs(built)
    assert set(after) == set(before)
    changed = {key for key in after if after[key] != before[key]}
    # at most the renames before the fatal one went through; the rest kept their old bytes
    assert len(changed) <= at - 1
    for key in changed:
        assert versions_in(docx_text(after[key])) == {1}
    manifest(built)
    if at == 1:  # killed at the very first write: nothing on disk changed
        assert (built / "build" / "manifest.json").read_bytes() == before_manifest
    assert len(temp_files(built)) <= 1  # at most the one being written


def test_the_next_build_removes_temp_files_a_killed_build_left(built):
    mark_templates(built, 1)
    for at in (5, 2):  # the second killed build already holds the lock, so it may clean up the first's
        process = start(built, "build", "--jobs", "1", "--force", hooked=True, FAULT_MODE="kill-at-replace", FAULT_AT=str(at))
        process.communicate(timeout=300)
        assert process.returncode == -signal.SIGKILL
    assert temp_files(built)
    done = perfdoc(built, "build", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert temp_files(built) == []
    for key, data in assert_consistent(built).items():
        assert versions_in(docx_text(data)) == {1}, key


@pytest.mark.libreoffice
def test_sigkill_during_pdf_conversion(built):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice is not installed")
    done = perfdoc(built, "build", "--jobs", "1", "--pdf")
    assert done.returncode == 0, done.stderr
    rng = random.Random(7)
    for version in (1, 2):
        mark_templates(built, version)
        process = start(built, "build", "--jobs", "1", "--pdf")
        time.sleep(rng.uniform(1.0, 4.0))
        kill_group(process)
        for key, data in outputs(built).items():
            if key.endswith(".pdf"):
                assert_pdf_complete(data)
            else:
                docx_text(data)
        manifest(built)
    done = perfdoc(built, "build", "--jobs", "1", "--pdf")
    assert done.returncode == 0, done.stderr
    produced = assert_consistent(built)
    assert sum(key.endswith(".pdf") for key in produced) == sum(key.endswith(".docx") for key in produced)


# ------------------------------------------------------------------ refused sources


@pytest.mark.parametrize(
    "breakage",
    [
        ("调整后预算: 655.55", "调整后预算: 999.99"),  # PD201: disagrees with its parts
        ("年度: 2022", "年度: 2022\n年度: 2023"),  # PD004: duplicate key
        ("预算:\n", "预算: [\n"),  # PD001: not YAML at all
        ("年初预算: 643.45", "年初预算: 六百四十三"),  # PD104
    ],
    ids=["arithmetic", "duplicate-key", "syntax", "bad-amount"],
)
@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
def test_a_source_that_fails_validation_keeps_its_previous_documents(built, breakage, force):
    mark_templates(built, 1)  # every document would change if rendered
    before = outputs(built)
    stamps = {key: (built / "build" / key).stat().st_mtime_ns for key in BROKEN_OUTPUTS}
    entries = {key: manifest(built)[key] for key in BROKEN_OUTPUTS}
    source = built / BROKEN_SOURCE
    text = source.read_text(encoding="utf-8")
    assert breakage[0] in text
    source.write_text(text.replace(breakage[0], breakage[1], 1), encoding="utf-8")
    done = perfdoc(built, "build", "--jobs", "1", *(["--force"] if force else []))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    assert BROKEN_SOURCE in done.stderr and "未生成" in done.stderr
    after = outputs(built)
    for key in BROKEN_OUTPUTS:
        assert after[key] == before[key], key
        assert (built / "build" / key).stat().st_mtime_ns == stamps[key]
        assert manifest(built)[key] == entries[key]
    others = [key for key in after if key.endswith(".docx") and key not in BROKEN_OUTPUTS]
    assert others and all(versions_in(docx_text(after[key])) == {1} for key in others)
    assert temp_files(built) == []


def test_render_of_a_failing_source_writes_nothing(built):
    source = built / BROKEN_SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace("调整后预算: 655.55", "调整后预算: 999.99"), encoding="utf-8")
    before = outputs(built)
    done = perfdoc(built, "render", BROKEN_SOURCE, "--doc", "自评表")
    assert done.returncode == 1 and "PD201" in done.stderr
    assert outputs(built) == before
    target = built / "单独.docx"
    done = perfdoc(built, "render", BROKEN_SOURCE, "--doc", "自评表", "-o", str(target))
    assert done.returncode == 1 and not target.exists()


# ------------------------------------------------------------------ the lock


def test_lock_is_exclusive_and_times_out_with_a_chinese_message(tmp_path):
    out = tmp_path / "build"
    with build_lock(out, timeout=5) as lock_file:
        assert lock_file == out / LOCK_NAME and lock_file.exists()
        with pytest.raises(UserError) as caught:
            with build_lock(out, timeout=0.2):
                pytest.fail("a second holder got the lock")
        message = str(caught.value)
        assert "另一个 perfdoc build 正在写入" in message and str(out) in message and "0.2 秒" in message
    with build_lock(out, timeout=0):  # released: free again at once
        pass


def test_lock_is_released_when_the_block_raises(tmp_path):
    out = tmp_path / "build"
    with pytest.raises(RuntimeError):
        with build_lock(out, timeout=1):
            raise RuntimeError("boom")
    with build_lock(out, timeout=0):
        pass


def test_a_waiting_build_is_told_once_and_gets_the_lock_when_it_is_free(tmp_path):
    out = tmp_path / "build"
    told: list[str] = []
    acquired = threading.Event()

    def second():
        with build_lock(out, timeout=120, on_wait=told.append):
            acquired.set()

    with build_lock(out, timeout=1):
        waiter = threading.Thread(target=second)
        waiter.start()
        deadline = time.monotonic() + 60
        while not told and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(told) == 1 and "等待其结束" in told[0]
        assert not acquired.is_set()
    waiter.join(timeout=120)
    assert acquired.is_set() and len(told) == 1


def test_lock_held_by_a_killed_process_is_free_again(tmp_path):
    out = tmp_path / "build"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from perfdoc.build.lock import build_lock\n"
         "with build_lock(Path(sys.argv[1]), 5):\n    print('held', flush=True); time.sleep(600)", str(out)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(UserError):
            with build_lock(out, timeout=0.1):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    with build_lock(out, timeout=5):
        pass


def test_lock_on_an_output_folder_blocked_by_a_file(tmp_path):
    blocker = tmp_path / "build"
    blocker.write_text("不是文件夹", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        with build_lock(blocker / "子文件夹", timeout=1):
            pass
    assert "无法使用输出文件夹" in str(caught.value) and "同名的文件" in str(caught.value)
    assert blocker.read_text(encoding="utf-8") == "不是文件夹"


def test_taking_the_lock_removes_only_stale_temp_files(tmp_path):
    out = tmp_path / "build"
    folder = out / "guangzhou" / "部门" / "2022"
    folder.mkdir(parents=True)
    stale = [folder / ".自评表.docx.ab12_x9z.tmp", out / ".manifest.json.k3j4h5g6.tmp"]
    kept = [folder / "自评表.docx", folder / "说明.tmp", out / ".hidden.tmp", out / "manifest.json", folder / ".x.docx.TOOLONG12.tmp"]
    for path in stale + kept:
        path.write_bytes(b"x")
    assert stale_temp_files(out) == sorted(stale)
    with build_lock(out, timeout=1):  # no writer was interrupted: the tree is not searched
        assert all(p.exists() for p in stale)
    (out / PENDING_NAME).write_bytes(b"")  # what a killed writer leaves
    with build_lock(out, timeout=1):
        assert all(not p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    assert remove_stale_temp_files(out) == [] and remove_stale_temp_files(tmp_path / "none") == []
    with build_lock(out, timeout=1, clean=False):
        pass


def test_lock_timeout_from_the_environment(monkeypatch):
    for raw, expected in [("2.5", 2.5), ("0", 0.0), ("", 600.0), ("abc", 600.0), ("-1", 600.0), ("nan", 600.0), ("inf", 600.0)]:
        monkeypatch.setenv("PERFDOC_LOCK_TIMEOUT", raw)
        assert lock_timeout() == expected, raw


def test_os_errors_are_described_in_chinese():
    assert describe_os_error(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足（No space left on device）"
    assert describe_os_error(PermissionError(errno.EACCES, "Permission denied")).startswith("没有写入权限")
    assert describe_os_error(OSError(errno.EROFS, "Read-only file system")).startswith("磁盘或文件夹是只读的")
    assert describe_os_error(OSError(12345, "odd")) == "odd"


# ------------------------------------------------------------------ two builds at once


def test_two_concurrent_builds_of_everything_leave_a_complete_build(built):
    mark_templates(built, 1)
    first = start(built, "build", "--jobs", "1", "--force")
    second = start(built, "build", "--jobs", "2", "--force")
    for process in (first, second):
        _out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    produced = assert_consistent(built)
    assert len(produced) == expected_documents(built)
    assert all(versions_in(docx_text(data)) == {1} for data in produced.values())
    assert temp_files(built) == []


def test_two_concurrent_builds_of_different_sources_keep_every_manifest_entry(workspace):
    # The first build is held just before its first write, after it has read the
    # manifest; the second runs meanwhile. Without the lock the first then writes
    # its stale manifest over the second's entries.
    paused, release = workspace / "paused", workspace / "release"
    second = None
    first = start(
        workspace, "build", "--jobs", "1", "sources/guangzhou", hooked=True,
        FAULT_MODE="pause", FAULT_PAUSED=str(paused), FAULT_RELEASE=str(release),
    )
    try:
        deadline = time.monotonic() + 300
        while not paused.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert paused.exists(), first.communicate()[1]
        second = start(workspace, "build", "--jobs", "1", "sources/hunan-linxiang", "sources/hunan-yiyang")
        deadline = time.monotonic() + 120
        while second.poll() is None and time.monotonic() < deadline:
            if _lock_is_held(workspace / "build"):
                break  # the second build is made to wait: let the first go on
            time.sleep(0.05)
    finally:
        release.touch()
    for process in (first, second):
        _out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    assert "Traceback" not in err
    produced = assert_consistent(workspace)
    assert {key.split("/")[0] for key in produced} == {"guangzhou", "hunan-linxiang", "hunan-yiyang"}
    assert len(produced) == expected_documents(workspace, "sources/guangzhou", "sources/hunan-linxiang", "sources/hunan-yiyang")


def _lock_is_held(out: Path) -> bool:
    import fcntl

    lock = out / LOCK_NAME
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_build_that_cannot_get_the_lock_says_so_and_writes_nothing(built):
    before = outputs(built)
    mark_templates(built, 1)
    with build_lock(built / "build", timeout=1):
        done = perfdoc(built, "build", "--jobs", "1", "--force", PERFDOC_LOCK_TIMEOUT="0.3")
    assert done.returncode == 1
    assert "另一个 perfdoc build 正在写入" in done.stderr and "Traceback" not in done.stderr
    assert outputs(built) == before


def test_render_into_build_waits_for_the_lock_and_says_so_when_it_stays_taken(built):
    target = built / "build" / BROKEN_OUTPUTS[0]
    before = target.read_bytes()
    mark_templates(built, 1)
    with build_lock(built / "build", timeout=1):
        done = perfdoc(built, "render", BROKEN_SOURCE, "--doc", "自评表", PERFDOC_LOCK_TIMEOUT="0.3")
        assert done.returncode == 1
        assert "另一个 perfdoc build 正在写入" in done.stderr and "Traceback" not in done.stderr
        assert target.read_bytes() == before
        # -o into a folder that no build uses is not held up
        done = perfdoc(built, "render", BROKEN_SOURCE, "--doc", "自评表", "-o", "elsewhere/自评表.docx",
                       PERFDOC_LOCK_TIMEOUT="0.3")
        assert done.returncode == 0, done.stderr
    assert versions_in(docx_text((built / "elsewhere" / "自评表.docx").read_bytes())) == {1}


def test_render_into_a_build_folder_waits_until_the_build_is_done(built):
    stale = built / "build" / "guangzhou" / ".自评表.docx.abcd1234.tmp"
    stale.write_bytes(b"left by a killed build")
    (built / "build" / PENDING_NAME).write_bytes(b"")  # with the journal it keeps while writing
    mark_templates(built, 1)
    with build_lock(built / "build", timeout=1, clean=False):
        render = start(built, "render", BROKEN_SOURCE, "--doc", "自评表", "-o", "build/单独/自评表.docx")
        told = render.stderr.readline()  # blocks until it waits for the lock, or ends
        assert "另一个 perfdoc build 正在写入" in told
        assert not (built / "build" / "单独" / "自评表.docx").exists()
    _out, err = render.communicate(timeout=300)
    assert render.returncode == 0, err
    assert versions_in(docx_text((built / "build" / "单独" / "自评表.docx").read_bytes())) == {1}
    assert not stale.exists()  # removed by the lock's new holder, as a build would


def test_render_into_a_locked_folder_other_than_build(workspace):
    done = perfdoc(workspace, "build", "--jobs", "1", "sources/guangzhou", "--out", "出")
    assert done.returncode == 0, done.stderr
    with build_lock(workspace / "出", timeout=1):
        done = perfdoc(workspace, "render", BROKEN_SOURCE, "-o", "出/新/报告.docx", PERFDOC_LOCK_TIMEOUT="0.3")
    assert done.returncode == 1 and "另一个 perfdoc build 正在写入" in done.stderr
    assert not (workspace / "出" / "新" / "报告.docx").exists()


# ------------------------------------------------------------------ unwritable, full, unreadable


def run_in_process(root: Path, monkeypatch, *args: str):
    monkeypatch.chdir(root)
    monkeypatch.delenv("PERFDOC_TEMPLATES", raising=False)
    return CliRunner().invoke(main, list(args))


def assert_clean_failure(result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # reported, not raised
    assert "Traceback" not in result.output and "内部错误" not in result.output
    for text in expected:
        assert text in result.output, result.output


def test_a_file_in_the_way_of_an_output_folder(workspace, monkeypatch):
    (workspace / "build").mkdir()
    (workspace / "build" / "hunan-yiyang").write_text("挡路的文件", encoding="utf-8")
    result = run_in_process(workspace, monkeypatch, "build", "--jobs", "1")
    assert_clean_failure(result, "无法写入", "hunan-yiyang")
    assert (workspace / "build" / "hunan-yiyang").read_text(encoding="utf-8") == "挡路的文件"
    assert temp_files(workspace) == []
    for data in outputs(workspace).values():
        docx_text(data)


def test_an_output_folder_under_a_file(workspace):
    (workspace / "文件").write_text("x", encoding="utf-8")
    done = perfdoc(workspace, "build", "--jobs", "1", "--out", "文件/build")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    assert "文件/build" in done.stderr
    done = perfdoc(workspace, "build", "--jobs", "1", "--out", "文件")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_manifest_path_taken_by_a_folder(built, monkeypatch):
    manifest_path = built / "build" / "manifest.json"
    manifest_path.unlink()
    manifest_path.mkdir()
    mark_templates(built, 1)
    result = run_in_process(built, monkeypatch, "build", "--jobs", "1")
    assert_clean_failure(result, "无法写入", "manifest.json")
    assert temp_files(built) == []
    for data in outputs(built).values():
        docx_text(data)


def _refuse_replace(error: OSError):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if "build" in Path(dst).parts:
            raise error
        return real(src, dst, *args, **kwargs)

    return replace


@pytest.mark.parametrize(
    "error",
    [PermissionError(errno.EACCES, "Permission denied"), OSError(errno.EROFS, "Read-only file system")],
    ids=["permission", "read-only"],
)
def test_an_unwritable_build_folder(built, monkeypatch, error):
    before = outputs(built)
    manifest_before = (built / "build" / "manifest.json").read_bytes()
    mark_templates(built, 1)
    monkeypatch.setattr(os, "replace", _refuse_replace(error))
    result = run_in_process(built, monkeypatch, "build", "--jobs", "1")
    assert_clean_failure(result, "无法写入", "build/")
    assert outputs(built) == before
    assert (built / "build" / "manifest.json").read_bytes() == manifest_before
    assert temp_files(built) == []


def test_an_unwritable_build_folder_is_explained_in_chinese(built, monkeypatch):
    mark_templates(built, 1)
    monkeypatch.setattr(os, "replace", _refuse_replace(PermissionError(errno.EACCES, "Permission denied")))
    result = run_in_process(built, monkeypatch, "build", "--jobs", "1")
    assert_clean_failure(result, "没有写入权限")


class _DiskFull(io.RawIOBase):
    """A file on a disk that fills up after ``room`` bytes: writes that much, then ENOSPC."""

    def __init__(self, handle, room: int):
        self._handle = handle
        self._room = room

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        if len(data) > self._room:
            self._handle.write(data[: self._room])
            self._handle.flush()
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return self._handle.write(data)

    def fileno(self):
        return self._handle.fileno()

    def flush(self):
        self._handle.flush()

    def close(self):
        if not self.closed:
            super().close()  # flushes through self.flush first
            self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


@contextmanager
def disk_full(monkeypatch, inside: Path, room: int = 1000):
    """Every file opened for writing under ``inside`` hits ENOSPC after ``room`` bytes."""
    inside = inside.resolve()
    real_fdopen, real_open = os.fdopen, builtins.open

    def under(path) -> bool:
        try:
            return inside in Path(path).resolve().parents
        except (OSError, TypeError, ValueError):
            return False

    def writing(mode) -> bool:
        return any(flag in str(mode) for flag in "wax+")

    def fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        if writing(mode) and under(os.readlink(f"/proc/self/fd/{fd}")):
            return _DiskFull(handle, room)
        return handle

    def open_(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if writing(mode) and not isinstance(file, int) and under(file):
            return _DiskFull(handle, room)
        return handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)
    yield


def test_a_full_disk(built, monkeypatch):
    before = outputs(built)
    manifest_before = (built / "build" / "manifest.json").read_bytes()
    mark_templates(built, 1)
    with disk_full(monkeypatch, built / "build"):
        result = run_in_process(built, monkeypatch, "build", "--jobs", "1")
    assert_clean_failure(result, "无法写入", "build/")
    assert outputs(built) == before
    assert (built / "build" / "manifest.json").read_bytes() == manifest_before
    assert temp_files(built) == []


def test_a_full_disk_on_a_first_build_leaves_no_partial_file(workspace, monkeypatch):
    with disk_full(monkeypatch, workspace / "build", room=0):
        result = run_in_process(workspace, monkeypatch, "build", "--jobs", "1")
    assert_clean_failure(result, "无法写入")
    assert outputs(workspace) == {} and temp_files(workspace) == []
    assert not (workspace / "build" / "manifest.json").exists()


def test_a_full_disk_is_explained_in_chinese(built, monkeypatch):
    mark_templates(built, 1)
    with disk_full(monkeypatch, built / "build"):
        result = run_in_process(built, monkeypatch, "build", "--jobs", "1")
    assert_clean_failure(result, "磁盘空间不足")


def test_full_disk_in_render(built, monkeypatch):
    before = outputs(built)
    mark_templates(built, 1)
    with disk_full(monkeypatch, built / "build"):
        result = run_in_process(built, monkeypatch, "render", BROKEN_SOURCE, "--doc", "自评表")
    assert_clean_failure(result, "无法写入")
    assert outputs(built) == before and temp_files(built) == []


def _unreadable(monkeypatch, name: str):
    """Reading any file called ``name`` fails as if its permissions forbade it."""
    real_read, real_open = Path.read_bytes, builtins.open

    def refuse(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    def read_bytes(self):
        return refuse(self) if self.name == name else real_read(self)

    def open_(file, *args, **kwargs):
        if not isinstance(file, int) and Path(file).name == name:
            refuse(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)


def test_an_unreadable_source(built, monkeypatch):
    before = outputs(built)
    _unreadable(monkeypatch, "2021.yaml")
    result = run_in_process(built, monkeypatch, "build", "--jobs", "1", "--force")
    assert_clean_failure(result, "2021.yaml", "无法读取文件")
    assert {k: v for k, v in outputs(built).items() if "2021" in k} == {k: v for k, v in before.items() if "2021" in k}
    assert temp_files(built) == []


def test_an_unreadable_template(built, monkeypatch):
    _unreadable(monkeypatch, "项目支出绩效评价报告.docx")
    result = run_in_process(built, monkeypatch, "build", "--jobs", "1", "--force")
    assert_clean_failure(result, "项目支出绩效评价报告.docx")
    assert "无法读取模板文件" in result.output or "找不到模板文件" in result.output
    assert temp_files(built) == []


# ================================================================== hostile repository contents
#
# Sources, templates and earlier revisions arrive through ``git pull``: a link to a secret, a device
# or a FIFO, a zip bomb, narrative nested too deep, a source perfdoc itself fails on. Each is refused
# or reported for itself alone, nothing of a refused file is shown, and the rest of the batch goes on.
# The subprocesses run with their address space limited, so that a regression fails fast instead of
# taking the machine's memory.

import resource
import struct
import zlib
from decimal import Decimal

from perfdoc.testing.workspace import make_template
from perfdoc.testing.workspace import make_workspace as make_small_workspace

from perfdoc.build.parallel import in_order
from perfdoc.numbers import format_amount, format_percent
from perfdoc.render.markdown import paragraphs
from perfdoc.render.present import chinese_number

SECRET = "SECRET_TOKEN_7f3a9c"
MEMORY_LIMIT = 1 << 30  # address space of a hostile run: far below what the attacks took (1.5–5 GB)
SMALL_DOCUMENTS = ["testfmt/乙部门/2022/乙部门2022年度测试报告.docx", "testfmt/乙部门/2022/乙部门2022年度测试表.docx",
                   "testfmt/甲部门/2022/甲部门2022年度测试报告.docx", "testfmt/甲部门/2022/甲部门2022年度测试表.docx"]
REPORTS_ONLY = [key for key in SMALL_DOCUMENTS if key.endswith("报告.docx")]


@pytest.fixture
def small(tmp_path):
    """A working folder with the two-document test format and two departments (see test_build)."""
    root = tmp_path / "repo"
    root.mkdir()
    make_small_workspace(root)
    (root / "tmp").mkdir()
    return root


def limited(root: Path, *args: str, timeout: float = 120, **extra) -> subprocess.CompletedProcess:
    """``perfdoc ARGS`` in ``root`` with at most MEMORY_LIMIT of address space."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "perfdoc.cli", *args], cwd=root, env=environment(root, **extra),
        capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
    )


def assert_reported(done: subprocess.CompletedProcess, *expected: str, status: int = 1) -> str:
    output = done.stdout + done.stderr
    assert done.returncode == status, output
    assert "Traceback" not in output and "内部错误" not in output, output
    for text in expected:
        assert text in output, output
    return output


def document_keys(root: Path) -> list[str]:
    return sorted(key for key in outputs(root) if key.endswith(".docx"))


# ------------------------------------------------------------------ links (finding 1)


def test_a_source_that_is_a_link_is_refused_and_nothing_of_it_is_shown(small, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2022.yaml").write_text(f"格式: testfmt\n年度: 2022\nAPI_KEY: {SECRET}\n", encoding="utf-8")
    sources = small / "sources" / "testfmt"
    (sources / "泄露").mkdir()
    (sources / "泄露" / "2022.yaml").symlink_to(outside / "2022.yaml")
    (sources / "环境").mkdir()
    (sources / "环境" / "2022.yaml").symlink_to("/proc/self/environ")  # the attack: the whole environment
    (sources / "链接部门").symlink_to(outside, target_is_directory=True)
    done = limited(small, "validate", PERFDOC_LEAK=SECRET)
    output = assert_reported(done, "检查了 5 个文件：3 个错误", "sources/testfmt/链接部门: PD000")
    assert SECRET not in output
    assert output.count("该路径是符号链接") == 3
    named = limited(small, "validate", "sources/testfmt/链接部门/2022.yaml", "--format", "json", PERFDOC_LEAK=SECRET)
    output = assert_reported(named, "位于符号链接 sources/testfmt/链接部门 之下")
    assert SECRET not in output
    built = limited(small, "build", "--jobs", "1", PERFDOC_LEAK=SECRET)
    output = assert_reported(built, "符号链接")
    assert SECRET not in output
    assert document_keys(small) == SMALL_DOCUMENTS


@pytest.mark.parametrize("target", ["机密.docx", "/dev/zero"])
def test_a_template_that_is_a_link_is_refused(small, tmp_path, target):
    secret_document = tmp_path / "机密.docx"
    make_template(secret_document, f"机密 {SECRET}")
    template = small / "templates" / "testfmt" / "表.docx"
    template.unlink()
    template.symlink_to(tmp_path / target)
    done = limited(small, "build", "--jobs", "1", timeout=60)
    assert_reported(done, "模板“表.docx”是符号链接，指向格式文件夹之外")
    assert document_keys(small) == []


@pytest.mark.parametrize("linked", ["templates", "templates/testfmt"])
def test_a_templates_or_format_folder_that_is_a_link_is_refused(small, tmp_path, linked):
    outside = tmp_path / "别处"
    shutil.move(small / linked, outside)
    (small / linked).symlink_to(outside, target_is_directory=True)
    done = limited(small, "build", "--jobs", "1", timeout=60)
    assert_reported(done, f"格式“testfmt”的文件夹经过符号链接 {linked}（指向 {outside}），为安全起见不予使用")
    assert document_keys(small) == []


# ------------------------------------------------------------------ devices and FIFOs (finding 6)


def test_a_device_or_a_fifo_given_as_a_source_is_refused_unread(small):
    fifo = small / "sources" / "testfmt" / "管道.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer for ever
    done = limited(small, "validate", "/dev/zero", str(fifo), "sources/testfmt/甲部门/2022.yaml", timeout=60)
    output = assert_reported(done, "/dev/zero: PD000 无法读取文件：该路径不是普通文件（是设备）", "检查了 3 个文件：2 个错误")
    assert "管道.yaml: PD000 无法读取文件：该路径不是普通文件（是管道）" in output


def test_a_template_that_is_a_fifo_is_refused_unread(small):
    template = small / "templates" / "testfmt" / "表.docx"
    template.unlink()
    os.mkfifo(template)
    done = limited(small, "build", "--jobs", "1", timeout=60)
    assert_reported(done, "找不到模板“表.docx”")
    assert document_keys(small) == []


def test_git_setup_reads_gitattributes_through_the_guard(small):
    subprocess.run(["git", "init", "-q"], cwd=small, check=True)
    (small / ".gitattributes").symlink_to("/dev/zero")
    done = limited(small, "git-setup", timeout=60)
    assert_reported(done, ".gitattributes：该路径是符号链接（指向 /dev/zero）")
    assert (small / ".gitattributes").is_symlink()


# ------------------------------------------------------------------ zip bombs (finding 5)


def zip_bomb(docx_data: bytes, inflated: int = 3 << 29) -> bytes:
    """``docx_data`` whose word/document.xml (well-formed XML) inflates to ``inflated`` bytes, 1.5 GiB by default.

    The deflated stream is one compressed megabyte of spaces repeated, each piece flushed so it stands alone.
    """
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><!--')
    tail = b"--></w:body></w:document>"
    chunk = b" " * (1 << 20)
    count, rest = divmod(inflated - len(head) - len(tail), len(chunk))
    end = b" " * rest + tail
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflater.compress(head) + deflater.flush(zlib.Z_FULL_FLUSH)
    piece = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    stream = first + piece * count + deflater.compress(end) + deflater.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(end, crc)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_data)) as source, zipfile.ZipFile(out, "w") as bomb:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info, source.read(info))
        bomb.writestr(zipfile.ZipInfo("word/document.xml"), stream)  # stored as it is, then declared deflated
        entry = bomb.getinfo("word/document.xml")
        entry.compress_type, entry.CRC, entry.file_size = zipfile.ZIP_DEFLATED, crc, inflated
    data = bytearray(out.getvalue())
    struct.pack_into("<H", data, entry.header_offset + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<III", data, entry.header_offset + 14, crc, len(stream), inflated)
    return bytes(data)


def test_the_zip_bomb_is_one_as_described(small):
    bomb = zip_bomb((small / "templates" / "testfmt" / "表.docx").read_bytes())
    assert len(bomb) < 2_000_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as package, package.open("word/document.xml") as part:
        assert package.getinfo("word/document.xml").file_size == 3 << 29
        assert part.read(60).startswith(b"<?xml")


def test_textconv_of_a_zip_bomb_is_refused(small, tmp_path):
    bomb = tmp_path / "炸弹.docx"
    bomb.write_bytes(zip_bomb((small / "templates" / "testfmt" / "表.docx").read_bytes()))
    done = limited(small, "textconv", str(bomb))
    assert_reported(done, "word/document.xml 解压后有 1536 MB", "压缩炸弹")


def test_a_zip_bomb_template_is_refused(small):
    template = small / "templates" / "testfmt" / "表.docx"
    template.write_bytes(zip_bomb(template.read_bytes()))
    done = limited(small, "build", "--jobs", "1")
    assert_reported(done, "templates/testfmt/表.docx", "word/document.xml 解压后有 1536 MB", "压缩炸弹")
    assert document_keys(small) == REPORTS_ONLY


# ------------------------------------------------------------------ narrative nested too deep (finding 9)

LEVELS = "一二三四五六七八九十"


@pytest.mark.parametrize(
    "narrative, lost",
    [
        ("".join(f"{'  ' * i}- 第{LEVELS[i]}层\n" for i in range(10)) + "\n后面的段落\n", "第十层"),
        ("".join(f"{'>' * i} 引用{i}\n\n" for i in range(1, 21)) + "后文\n", "引用20"),
    ],
    ids=["list-10-deep", "quote-20-deep"],
)
def test_narrative_nested_too_deep_is_reported_where_text_is_lost(check, narrative, lost):
    assert lost not in paragraphs(narrative)  # what the document would silently miss
    fragment = "叙述:\n  存在问题: |\n" + "".join(f"    {line}".rstrip() + "\n" for line in narrative.splitlines())
    result = check(fragment)
    found = [d for d in result.diagnostics if d.code == "PD509"]
    assert len(found) == 1, result.diagnostics
    line = next(number for number, text in enumerate(result.text.splitlines(), 1) if lost in text)
    assert found[0].location.line == line and "不会出现在文档中" in found[0].message


def test_narrative_nested_less_deep_is_not_reported(check):
    narrative = "".join(f"      {'  ' * i}- 第{LEVELS[i]}层\n" for i in range(9))
    assert "第九层" in paragraphs("".join(line[6:] + "\n" for line in narrative.splitlines()))
    assert not [d for d in check("叙述:\n  存在问题: |\n" + narrative).diagnostics if d.code == "PD509"]


# ------------------------------------------------------------------ one bad input hides nothing else (finding 10)


def test_chinese_numbers_of_any_integer():
    readings = {0: "零", 7: "七", 10: "十", 12: "十二", 20: "二十", 99: "九十九", 100: "一百", 105: "一百零五",
                110: "一百一十", 1010: "一千零一十", 2022: "二千零二十二", 10001: "一万零一", 100010: "十万零一十",
                120034000: "一亿二千零三万四千", 10**12: "一万亿", -3: "负三"}
    assert {n: chinese_number(n) for n in readings} == readings


def test_a_year_in_chinese_in_a_narrative_renders(small):
    source = small / "sources" / "testfmt" / "甲部门" / "2022.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("1. 第一条", "1. {{ 年度|中文数字 }}年第一条"), encoding="utf-8")
    assert_reported(limited(small, "validate"), "检查了 2 个文件，未发现问题", status=0)
    assert_reported(limited(small, "build", "--jobs", "1"), status=0)
    assert "二千零二十二年第一条" in docx_text(outputs(small)["testfmt/甲部门/2022/甲部门2022年度测试报告.docx"])


def test_a_lone_surrogate_is_removed_with_a_warning(small):
    source = small / "sources" / "testfmt" / "甲部门" / "2022.yaml"
    text = source.read_text(encoding="utf-8").replace("名称: 甲部门", '名称: "甲\\udfff部门"')
    source.write_text(text + '"坏\\udfff键": 1\n', encoding="utf-8")
    done = limited(small, "validate", "--format", "json")
    found = {(d["line"], d["code"]) for d in json.loads(done.stdout)}
    assert done.returncode == 1 and found == {(4, "PD005"), (12, "PD005"), (12, "PD101")}, done.stdout + done.stderr
    source.write_text(text, encoding="utf-8")
    assert_reported(limited(small, "validate"), "U+DFFF", "检查了 2 个文件：0 个错误，1 个警告", status=0)
    assert_reported(limited(small, "build", "--jobs", "1"), status=0)
    assert "甲部门2022年度" in docx_text(outputs(small)["testfmt/甲部门/2022/甲部门2022年度测试表.docx"])


def test_a_source_perfdoc_fails_on_is_reported_alone(small, monkeypatch):
    import perfdoc.pipeline

    analyse = perfdoc.pipeline.analyse

    def failing(source, previous=None):
        if "甲部门" in source.path:
            raise ZeroDivisionError("division by zero")
        return analyse(source, previous)

    monkeypatch.setattr(perfdoc.pipeline, "analyse", failing)
    monkeypatch.chdir(small)
    checked = CliRunner().invoke(main, ["validate", "--jobs", "1"])
    assert checked.exit_code == 1, checked.output
    assert "甲部门/2022.yaml: PD999 内部错误（这是 perfdoc 的缺陷，请报告）：ZeroDivisionError" in checked.output
    assert "检查了 2 个文件：1 个错误" in checked.output
    built = CliRunner().invoke(main, ["build", "--jobs", "1"])
    assert built.exit_code == 1 and "ZeroDivisionError" in built.output, built.output
    assert document_keys(small) == [key for key in SMALL_DOCUMENTS if "乙部门" in key]
    assert sorted(manifest(small)) == document_keys(small)


def _damage_deflate_stream(path: Path, part: str = "word/document.xml") -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        entry = package.getinfo(part)
    name_length, extra_length = struct.unpack_from("<HH", data, entry.header_offset + 26)
    start = entry.header_offset + 30 + name_length + extra_length
    for index in range(start + 20, start + 60):
        data[index] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "breakage, message",
    [
        (_damage_deflate_stream, "Word（.docx）文件"),
        (lambda path: make_template(path, "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"), "递归过深"),
    ],
    ids=["damaged-deflate", "recursive-macro"],
)
def test_a_broken_template_fails_its_documents_alone(small, breakage, message):
    breakage(small / "templates" / "testfmt" / "表.docx")
    done = limited(small, "build", "--jobs", "1")
    output = assert_reported(done, message)
    assert output.count(message) == 2  # once for each source's document
    assert document_keys(small) == REPORTS_ONLY
    assert sorted(manifest(small)) == REPORTS_ONLY


def work_that_kills_its_worker_on_3(item: int) -> int:
    if item == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return item * 10


def test_a_worker_that_dies_loses_only_its_own_item():
    results = list(in_order(work_that_kills_its_worker_on_3, list(range(20)), 2, failed=lambda item, exc: str(exc)))
    assert results[:3] == [0, 10, 20] and results[4:] == [item * 10 for item in range(4, 20)]
    assert "工作进程意外退出" in results[3]


class _PoolThatBrokeDuringASubmit:
    """What CPython's pool looks like when a worker died while ``submit`` was starting another."""

    _broken = "A child process terminated abruptly"

    def __init__(self):
        self.started = _Started()
        self._processes = {1: self.started}
        self.was_shut_down = False

    def submit(self, work, item):
        raise OSError("handle is closed")  # the call queue the new worker was to inherit is closed

    def shutdown(self, wait, cancel_futures):
        assert not self.started.alive, "shut down while a worker nobody will stop still runs: it waits for ever"
        self.was_shut_down = True


class _Started:
    alive = True

    def kill(self):
        self.alive = False


def test_a_pool_that_breaks_during_a_submit_is_broken_not_an_internal_error():
    from concurrent.futures.process import BrokenProcessPool

    from perfdoc.build.parallel import _Workers

    workers = _Workers.__new__(_Workers)
    workers._pool = pool = _PoolThatBrokeDuringASubmit()
    with pytest.raises(BrokenProcessPool):
        workers.submit(print, 1).result()
    workers.shutdown()
    assert pool.was_shut_down and not pool.started.alive


def test_a_worker_killed_during_a_build_is_replaced(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    make_small_workspace(root)
    (root / "tmp").mkdir()
    from perfdoc.testing.workspace import write_source

    for number in range(30):
        write_source(root, f"部门{number:02d}")
    process = start(root, "build", "--jobs", "2")
    try:
        victim = _first_worker(process.pid)
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=300)
    finally:
        kill_group(process)
    assert process.returncode == 0, stderr
    assert "内部错误" not in stderr and "生成 64，跳过 0，失败 0" in stdout
    assert sorted(manifest(root)) == document_keys(root) and len(document_keys(root)) == 64


def _first_worker(parent: int, timeout: float = 120) -> int:
    """The pid of a worker process (a spawned child of ``parent``), once one runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in command:
                return int(entry.name)
        time.sleep(0.05)
    raise AssertionError("no worker process started")


# ------------------------------------------------------------------ revisions, new sources, negative zero (finding 12)


def test_diff_rev_refuses_a_revision_too_large_to_be_a_source(small):
    source = small / "sources" / "testfmt" / "甲部门" / "2022.yaml"
    original = source.read_text(encoding="utf-8")
    source.write_text(original + "# 填充\n" * 400_000, encoding="utf-8")  # 3.6 MB
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "big"]):
        subprocess.run(git + command, cwd=small, check=True, capture_output=True)
    source.write_text(original, encoding="utf-8")
    done = limited(small, "diff", "sources/testfmt/甲部门/2022.yaml", "--rev", "HEAD")
    assert_reported(done, "修订版本“HEAD”中的 sources/testfmt/甲部门/2022.yaml 过大", "上限 2048 KB")


@pytest.mark.parametrize("department", ["../../逃逸", "/tmp/绝对路径", "甲/乙", "甲\\乙", "..", ""])
def test_new_refuses_a_department_that_is_not_a_folder_name(small, department):
    before = sorted(p for p in small.parent.rglob("*"))
    done = limited(small, "new", "--format", "testfmt", "--department", department, "--year", "2023")
    assert_reported(done, "不能用作文件夹名", status=2)
    assert sorted(p for p in small.parent.rglob("*")) == before


def test_negative_zero_is_zero(small):
    assert format_amount(Decimal("-0.00")) == "0.00" and format_amount(Decimal("-0.004")) == "0.00"
    assert format_percent(Decimal("-0.001")) == "0.00%" and format_amount(Decimal("-0.005")) == "-0.01"
    source = small / "sources" / "testfmt" / "甲部门" / "2022.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("调整数: 10", "调整数: -0.00"), encoding="utf-8")
    assert_reported(limited(small, "validate"), "未发现问题", status=0)
    shown = limited(small, "show", "sources/testfmt/甲部门/2022.yaml", "--format", "json")
    assert "-0" not in shown.stdout and shown.returncode == 0
    assert_reported(limited(small, "build", "--jobs", "1"), status=0)
    assert "调整后预算 100.00" in docx_text(outputs(small)["testfmt/甲部门/2022/甲部门2022年度测试表.docx"])


# ------------------------------------------------------------------ a build folder, sources and outputs not to be trusted

YIYANG_SOURCE = "sources/hunan-yiyang/益阳市总工会/2023.yaml"


def limited_memory():
    """For a subprocess: at most 2 GB of address space, so that an unbounded read fails fast instead of swapping."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def perfdoc_limited(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfdoc.cli", *args], cwd=root, env=environment(root),
                          capture_output=True, text=True, timeout=600, preexec_fn=limited_memory)


def test_a_source_saved_while_it_is_built_is_built_again(built, monkeypatch):
    """The digest recorded is that of the bytes rendered, not of the file as it is after rendering."""
    import perfdoc.load.loader as loader

    source = built / YIYANG_SOURCE
    original = source.read_bytes()
    real_text_of_bytes = loader._text_of_bytes
    monkeypatch.setenv("PERFDOC_CACHE_DIR", str(built / "cache"))  # analysed now, not taken from the first build's cache

    def decode_then_save(raw):
        decoded = real_text_of_bytes(raw)
        if not source.read_text(encoding="utf-8").endswith("# 已保存\n") and raw == original:
            source.write_text(raw.decode("utf-8") + "# 已保存\n", encoding="utf-8")  # the user saves, mid-build
        return decoded

    monkeypatch.setattr(loader, "_text_of_bytes", decode_then_save)
    assert run_in_process(built, monkeypatch, "build", YIYANG_SOURCE, "--jobs", "1", "--force").exit_code == 0
    monkeypatch.setattr(loader, "_text_of_bytes", real_text_of_bytes)
    again = run_in_process(built, monkeypatch, "build", YIYANG_SOURCE, "--jobs", "1")
    assert again.exit_code == 0, again.output
    assert "生成 1，跳过 0" in again.output  # the saved text is rendered, not taken as already built


def test_a_build_folder_that_is_a_symlink_is_refused(workspace):
    elsewhere = workspace / "elsewhere"
    elsewhere.mkdir()
    planted = {".notes.docx.abcd1234.tmp": b"a temp-named file of someone else", "manifest.json": b"not perfdoc's"}
    for name, data in planted.items():
        (elsewhere / name).write_bytes(data)
    (workspace / "build").symlink_to(elsewhere)
    done = perfdoc(workspace, "build", "--jobs", "1")
    assert done.returncode == 1, done.stderr
    assert "是一个符号链接" in done.stderr and "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == planted


def test_a_symlinked_folder_inside_the_build_folder_is_not_followed(built):
    elsewhere = built / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(built / "build" / "hunan-yiyang")
    (built / "build" / "hunan-yiyang").symlink_to(elsewhere)
    done = perfdoc(built, "build", "--jobs", "1")
    assert done.returncode == 1
    assert "符号链接" in done.stderr and "Traceback" not in done.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_dangling_lock_symlink_does_not_create_its_target(workspace):
    (workspace / "build").mkdir()
    target = workspace / "created-by-perfdoc"
    (workspace / "build" / LOCK_NAME).symlink_to(target)
    done = perfdoc(workspace, "build", "--jobs", "1")
    assert done.returncode == 1
    assert "符号链接" in done.stderr and "Traceback" not in done.stderr
    assert not target.exists()


@pytest.mark.parametrize("planted", ["dev-zero", "huge"])
def test_a_manifest_that_is_not_a_plain_small_file_is_not_read(built, planted):
    manifest_path = built / "build" / "manifest.json"
    manifest_path.unlink()
    if planted == "dev-zero":
        manifest_path.symlink_to("/dev/zero")
    else:
        with open(manifest_path, "wb") as handle:  # sparse: 3 GB that take no disk
            handle.truncate(3 << 30)
    done = perfdoc_limited(built, "build", "--jobs", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert not manifest_path.is_symlink()
    assert manifest(built)  # rewritten, as a plain file listing the documents


def test_render_refuses_to_write_over_a_source_or_a_template(built):
    for target in (BROKEN_SOURCE, "templates/guangzhou/自评表.docx"):
        before = (built / target).read_bytes()
        for force in ((), ("--force",)):
            done = perfdoc(built, "render", BROKEN_SOURCE, "-o", target, *force)
            assert done.returncode == 1, (target, done.stderr)
            assert "不会覆盖" in done.stderr and "Traceback" not in done.stderr
            assert (built / target).read_bytes() == before


def test_render_keeps_an_existing_file_it_did_not_write_unless_forced(built):
    mine = built / "我的.docx"
    mine.write_bytes(b"my own document")
    done = perfdoc(built, "render", BROKEN_SOURCE, "-o", "我的.docx")
    assert done.returncode == 1 and "--force" in done.stderr
    assert mine.read_bytes() == b"my own document"
    assert perfdoc(built, "render", BROKEN_SOURCE, "-o", "我的.docx", "--force").returncode == 0
    docx_text(mine.read_bytes())
    # into build/: a document edited by hand is kept; one perfdoc wrote is replaced
    edited = built / "build" / BROKEN_OUTPUTS[0]
    written = edited.read_bytes()
    edited.write_bytes(b"edited by hand")
    done = perfdoc(built, "render", BROKEN_SOURCE, "--doc", "自评表")
    assert done.returncode == 1 and edited.read_bytes() == b"edited by hand"
    assert perfdoc(built, "render", BROKEN_SOURCE, "--doc", "自评表", "--force").returncode == 0
    assert edited.read_bytes() == written
    assert perfdoc(built, "render", BROKEN_SOURCE, "--doc", "自评表").returncode == 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_end_when_the_main_process_is_killed(workspace):
    department = workspace / "sources" / "guangzhou" / "广州市天河区总工会"
    for index in range(24):  # enough departments for two workers
        shutil.copytree(department, department.with_name(f"部门{index:02d}"))
    process = start(workspace, "build", "--jobs", "2", "--force")
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [pid for pid in _children(process.pid) if b"spawn_main" in (Path("/proc") / str(pid) / "cmdline").read_bytes()]
        time.sleep(0.05)
    assert len(workers) >= 2, "no workers started"
    time.sleep(1.0)  # at work
    everything = _children(process.pid)
    os.kill(process.pid, signal.SIGKILL)  # only the main process
    closed = threading.Event()
    reader = threading.Thread(target=lambda: (process.stdout.read(), closed.set()), daemon=True)
    reader.start()
    try:
        assert closed.wait(20), "workers kept the output pipe open after the main process was killed"
        ended = time.monotonic() + 10
        while time.monotonic() < ended and any(_alive(pid) for pid in everything):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in everything)
    finally:
        for pid in everything:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=60)


# ================================================================ bounds of templates and narrative references
#
# A template or a narrative reference arrives through ``git pull`` like any source. Each hostile expression
# below once took gigabytes or ran for ever; now the sandbox (perfdoc.render.sandbox) refuses it with a
# message, within a few hundred megabytes' allowance and a timeout. Each runs in a process of its own,
# with its address space capped, so that a regression fails the test instead of the machine.

BOUNDED_RUN = r"""
import json, resource, sys, time
from pathlib import Path
kind, text, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
context = {"部门": {"名称": "测试部门名称"}, "年度": 2023}
import docx
from perfdoc.errors import UserError
from perfdoc.render.narrative import NarrativeError, render_references
from perfdoc.render.templates import render_document
def template_of(path, paragraph):
    document = docx.Document()
    document.add_paragraph(paragraph)
    document.save(path)
    return path
render_document(template_of(folder / "预热.docx", "{{ 部门.名称 }}"), context)  # imports and first-use costs
template = template_of(folder / "模板.docx", text)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    if kind == "narrative":
        render_references(text, context)
    else:
        render_document(template, context)
    outcome, message = "rendered", ""
except (NarrativeError, UserError) as exc:
    outcome, message = "refused", str(exc)
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"outcome": outcome, "message": message, "seconds": time.perf_counter() - started, "grown_mb": grown}))
"""

HOSTILE_EXPRESSIONS = {
    "join-of-joins": "{{ ([([部门.名称] * 100000)|join] * 2000)|join|length }}",
    "string-of-shared-lists": "{{ ([[0]*199999]*3000)|string|length }}",
    "sum-of-lists": "{{ ([[0]*199999]*3000)|sum(start=[])|length }}",
    "repeated-text": "{{ 'x'*10**9 }}",
}
HOSTILE_TEMPLATE_ONLY = {
    "nested-ranges": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "centre": "{{ 'x'|center(10**9) }}",
    "ljust": "{{ 'x'.ljust(10**9) }}",
    "format-width": "{{ '{:>999999999}'.format(1) }}",
    "doubling-namespace": "{% set ns = namespace(x='x') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}"
                          "{% endfor %}{{ ns.x|length }}",
    "replace-growth": "{{ ('x'*900000).replace('x', 'yyyyyyyyyy') }}",
    "recursive-loop": "{% for x in range(3) recursive %}{{ loop(range(99999)) }}{% endfor %}",
    "recursive-macro": "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "appending-in-a-loop": "{% set l = [] %}{% for i in range(3000) %}{% set _ = l.append([0]*199999) %}{% endfor %}"
                           "{{ l|length }}",
    "macro-in-loops": "{% macro m() %}" + "页" * 2000 + "{% endmacro %}"
                      "{% for i in range(99999) %}{% set x = m() %}{{ m() }}{% endfor %}",
}


def bounded_run(kind: str, text: str, folder: Path) -> dict:
    import resource

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-c", BOUNDED_RUN, kind, text, str(folder)],
        capture_output=True, text=True, timeout=120, preexec_fn=cap_memory,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_refused_within_bounds(result: dict) -> None:
    assert result["outcome"] == "refused", result
    assert "计算量或结果过大" in result["message"] or "嵌套或递归过深" in result["message"], result
    assert result["grown_mb"] < 100, result  # the whole process, Python's allocator included


@pytest.mark.parametrize("name", sorted(HOSTILE_EXPRESSIONS))
def test_a_hostile_narrative_reference_is_refused_within_bounds(tmp_path, name):
    result = bounded_run("narrative", HOSTILE_EXPRESSIONS[name], tmp_path)
    assert result["outcome"] == "refused" and "计算量或结果过大" in result["message"], result
    assert result["grown_mb"] < 100, result


@pytest.mark.parametrize("name", sorted({**HOSTILE_EXPRESSIONS, **HOSTILE_TEMPLATE_ONLY}))
def test_a_hostile_template_is_refused_within_bounds(tmp_path, name):
    text = {**HOSTILE_EXPRESSIONS, **HOSTILE_TEMPLATE_ONLY}[name]
    result = bounded_run("template", text, tmp_path)
    assert_refused_within_bounds(result)
    assert "模板.docx" in result["message"] and "第 1 段" in result["message"], result


def test_a_hostile_narrative_in_a_source_is_a_validation_error_not_gigabytes(tmp_path):
    source = tmp_path / "sources" / "hunan-linxiang" / "临湘市总工会" / "2023.yaml"
    source.parent.mkdir(parents=True)
    text = (REPO / "sources" / "hunan-linxiang" / "临湘市总工会" / "2023.yaml").read_text(encoding="utf-8")
    hostile = HOSTILE_EXPRESSIONS["join-of-joins"]
    text = text.replace("{{ 部门.人员变动.录用 }}", hostile, 1)
    assert hostile in text
    source.write_text(text, encoding="utf-8")
    import resource

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "perfdoc.cli", "validate", str(source)], cwd=REPO, capture_output=True, text=True,
        timeout=120, preexec_fn=cap_memory, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "计算量或结果过大" in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_the_bounds_leave_every_example_document_alone(monkeypatch):
    """The example documents render well inside the bounds: with a tenth of the work allowed."""
    from perfdoc.build.rendering import template_context
    from perfdoc.pipeline import check_file
    from perfdoc.render import sandbox
    from perfdoc.render.templates import render_document

    env = sandbox.template_environment()
    monkeypatch.setattr(env, "limits", sandbox.Limits(env.limits.value, env.limits.work // 10))
    for path in sorted((REPO / "sources").rglob("*.yaml")):
        checked = check_file(path)
        for document in checked.analysis.format.documents:
            assert render_document(document.template, template_context(checked.analysis))
