"""Kill -9 the ingest at several points, run it again, and get exactly what a clean run gets.

Real processes: `armstrace ingest` runs as a subprocess over ~40 files whose
parser sleeps (`SLOW:` in `runner_plugins.py`, `$ARMSTRACE_TEST_SLOW` seconds
each), and is SIGKILLed while it works. Then the same command runs to the end,
and its documents, pages, paths, files and transfers are compared, row by row,
with those of a run that was never interrupted. No worker may outlive a kill.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from runner_plugins import bundle

ROOT = Path(__file__).resolve().parents[1]
ARMSTRACE = Path(sys.executable).parent / "armstrace"
SLOW = 0.12  # seconds per file: ~40 files on 2 workers take ~2.5 s, long enough to be killed mid-way

# Russian: the Russian extractor starts fast, so the kills land in the ingest rather than in model loading
SENTENCES = [
    "Беларусь поставила Азербайджану станции Гроза-С в 2019 году.",
    "В 2020 году Республика Беларусь провела модернизацию артиллерии Азербайджана.",
    "Государственный военно-промышленный комитет Республики Беларусь предложил Азербайджану РСЗО Полонез.",
    "Письмо № {n} подтверждает график отгрузки.",
]


def _corpus(root: Path) -> Path:
    """40 files on disk (one duplicate, one crashing, one container with files inside), slow to parse."""
    leak = root / "leak"
    for n in range(36):
        folder = leak / f"box-{n % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        text = SENTENCES[n % len(SENTENCES)].format(n=n) + f"\nИсх. № {n}."
        (folder / f"letter-{n:02}.txt").write_text("SLOW:" + text, encoding="utf-8")
    (leak / "copy-of-letter-00.txt").write_text((leak / "box-0" / "letter-00.txt").read_text())
    (leak / "crash.bin").write_bytes(b"SEGV")
    (leak / "empty.txt").touch()
    (leak / "mail.bundle").write_text(
        bundle(
            {
                "body.txt": "SLOW:Республика Беларусь поставила Азербайджану средства РЭБ в 2021 году.",
                "attachments/contract.txt": "SLOW:Контракт 2018 года на поставку артиллерийских средств.",
                "inner.bundle": bundle({"deep.txt": "SLOW:Записка, 2022 год."}),
            }
        )
    )
    return leak


def _env(token: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
            "ARMSTRACE_PLUGINS": "runner_plugins",
            "ARMSTRACE_TEST_SLOW": str(SLOW),
            "ARMSTRACE_TEST_TOKEN": token,  # marks every process of this test, workers included
        }
    )
    return env


def _command(leak: Path, db: Path) -> list[str]:
    return [str(ARMSTRACE), "ingest", str(leak), "--db", str(db), "--no-progress", "--workers", "2"]


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "documents": "SELECT sha256, media_type, language, title, metadata, n_pages, size FROM documents",
        "pages": "SELECT doc, number, text FROM pages",
        "paths": "SELECT doc, path FROM paths",
        "files": "SELECT path, sha256, size, status, reason, mtime_ns, media_type, pages, chain, parent "
        "FROM files",
        "transfers": "SELECT id, source, doc, data FROM transfers",
    }
    with sqlite3.connect(db) as conn:
        snapshot = {table: sorted(conn.execute(sql).fetchall()) for table, sql in queries.items()}
    conn.close()
    return snapshot


def _files_done(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as conn:
            count: int = conn.execute("SELECT count(*) FROM files").fetchone()[0]
        conn.close()
    except sqlite3.OperationalError:  # killed before the tables were made
        return 0
    return count


def _survivors(token: str) -> list[int]:
    """Processes still running with this test's token in their environment (workers, fork server)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if f"ARMSTRACE_TEST_TOKEN={token}".encode() in environ and "State:\tZ" not in status:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_killed_ingest_resumes_to_exactly_the_clean_result(tmp_path: Path) -> None:
    leak = _corpus(tmp_path)
    token = uuid.uuid4().hex
    env = _env(token)

    clean_db = tmp_path / "clean.db"
    started = time.monotonic()
    clean = subprocess.Popen(_command(leak, clean_db), env=env, stdout=subprocess.DEVNULL)
    first_file = None  # seconds until the first file was committed: what starting up costs
    while clean.poll() is None:
        if first_file is None and _files_done(clean_db) > 0:
            first_file = time.monotonic() - started
        time.sleep(0.05)
    clean_seconds = time.monotonic() - started
    assert clean.returncode == 0
    assert first_file is not None
    expected = _snapshot(clean_db)
    total = len(expected["files"])
    assert total == 44  # 40 on disk + 4 inside the bundle
    assert {row[3] for row in expected["files"]} == {"ok", "failed"}
    assert len(expected["documents"]) == 41  # 44 paths, less the duplicate, the crash and the empty file
    assert expected["transfers"], "the corpus should state transfers"

    killed_db = tmp_path / "killed.db"
    # Kill points: while it starts up, then as soon as the database holds N files' rows; 3 and 5
    # fall inside the bundle (whose members are read right after it, and whose own row comes last)
    progress: list[int] = []
    for point in (None, 3, 5, 12, 25, 38):
        process = subprocess.Popen(
            _command(leak, killed_db), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started = time.monotonic()
        if point is None:
            time.sleep(0.3)
        else:
            while _files_done(killed_db) < point and process.poll() is None:
                assert time.monotonic() - started < 120, f"no progress past {_files_done(killed_db)}"
                time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL, f"the run finished before the kill at {point}"
        progress.append(_files_done(killed_db))
        deadline = time.monotonic() + 10
        while _survivors(token) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _survivors(token) == [], "a worker outlived the killed ingest"

    # every kill landed before the end, and no run lost what an earlier one had done
    assert all(done < total for done in progress), progress
    assert progress == sorted(progress), progress
    print(
        f"clean run {clean_seconds:.1f} s, first file at {first_file:.1f} s; "
        f"files done when killed: {progress}"
    )

    final = subprocess.run(_command(leak, killed_db), env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert _snapshot(killed_db) == expected

    # and once more: nothing left to do, nothing changes
    again = subprocess.run(
        [*_command(leak, killed_db), "--json"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert '"read": 0' in again.stdout and f'"skipped": {total}' in again.stdout
    assert _snapshot(killed_db) == expected
