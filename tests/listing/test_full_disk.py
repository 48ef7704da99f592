"""A catalogue on a full disk: the owner is told in one sentence, and nothing changes.

The disk is full for real: in its own mount namespace (``unshare -m``) the test mounts a small
tmpfs, copies the catalogue onto it, fills what is left with a file, leaves a little room (none,
or not enough for the write), submits a listing with the CLI, then frees the room and copies the
catalogue's files out (the tmpfs vanishes with the namespace); the test reads the copy. The CLI is the
one process started inside: the catalogue's state before is read from the file that was copied in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.catalogue.worker import state
from tests.listing.conftest import fill

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
set -u
D="$1"; CAT="$2"; BOOK="$3"; FREE_KB="$4"; LANG_="$5"; OUT="$6"; PY="$7"
size=$(( $(stat -c %s "$CAT") / 1048576 + 8 ))m
mount -t tmpfs -o size=$size tmpfs "$D" || exit 90
cp "$CAT" "$D/c.gpkg"
dd if=/dev/zero of="$D/filler" bs=4k 2>/dev/null
if [ "$FREE_KB" -gt 0 ]; then truncate -s "-${FREE_KB}K" "$D/filler"; fi
"$PY" -m geo.cli --lang "$LANG_" --catalogue "$D/c.gpkg" listing submit "$BOOK" > "$OUT/stdout.txt" 2> "$OUT/stderr.txt"
echo $? > "$OUT/rc.txt"
rm -f "$D/filler"
mkdir "$OUT/after" && cp "$D/c.gpkg" "$OUT/after/" || exit 91
if [ -e "$D/c.gpkg-wal" ]; then cp "$D/c.gpkg-wal" "$OUT/after/" || exit 91; fi
"""


def _on_a_full_disk(catalogue: Path, book: Path, free_kb: int, lang: str, out: Path) -> dict:
    before = state(str(catalogue))
    mnt = out / "mnt"
    mnt.mkdir()
    run = subprocess.run(["unshare", "-m", "sh", "-c", SCRIPT, "sh", str(mnt), str(catalogue), str(book),
                          str(free_kb), lang, str(out), sys.executable], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    if run.returncode == 90:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()[:200]}")
    assert run.returncode == 0, run.stderr
    return {"rc": int((out / "rc.txt").read_text()), "stderr": (out / "stderr.txt").read_text(),
            "before": before, "after": state(str(out / "after" / "c.gpkg"))}


@pytest.fixture()
def full_disk_ready(writable_catalogue):
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is needed to mount a small disk")
    return writable_catalogue


@pytest.mark.parametrize("free_kb,lang,words", [
    # No room at all: SQLite cannot even create the WAL index it needs to read.
    (0, "en", ("cannot be opened", "the disk is full", "Free some space")),
    (0, "it", ("non può essere aperto", "il disco è pieno")),
    # Room to read, not to write the listing.
    (48, "en", ("was not changed", "the disk is full", "Free some space")),
    (48, "it", ("non è stato modificato", "il disco è pieno")),
])
def test_submit_on_a_full_disk_is_one_sentence_and_changes_nothing(full_disk_ready, tmp_path, free_kb, lang,
                                                                   words):
    book = fill(tmp_path / "offer.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    r = _on_a_full_disk(full_disk_ready, book, free_kb, lang, out)
    lines = [ln for ln in r["stderr"].splitlines() if ln.strip()]
    assert r["rc"] == 1, r["stderr"]
    assert len(lines) == 1 and "Traceback" not in r["stderr"], r["stderr"]
    assert "c.gpkg" in lines[0] and all(w in lines[0] for w in words), lines[0]
    assert r["after"] == r["before"]  # the catalogue is exactly as it was


def test_with_room_the_same_submission_lands(full_disk_ready, tmp_path):
    """The control: the same script with 2 MB free submits (so the refusals above are the disk's)."""
    book = fill(tmp_path / "offer.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    r = _on_a_full_disk(full_disk_ready, book, 2048, "en", out)
    assert r["rc"] == 0, r["stderr"]
    assert r["after"]["sites"] != r["before"]["sites"]
