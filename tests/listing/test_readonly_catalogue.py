"""A catalogue on a read-only disk: the owner is told in one sentence, and nothing changes.

The disk is made read-only for real: the test runs the command in its own mount
namespace (``unshare -m``) where the catalogue's folder is bind-mounted read-only,
so SQLite meets the same EROFS as on a read-only volume.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import revision
from tests.listing.conftest import fill


def _read_only(folder: Path, argv: list[str]) -> subprocess.CompletedProcess:
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, str(folder), *argv],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def ro_catalogue(writable_catalogue):
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is needed to mount a folder read-only")
    probe = _read_only(writable_catalogue.parent, ["sh", "-c", f'touch "{writable_catalogue.parent}/x"'])
    if "Read-only file system" not in probe.stderr:
        pytest.skip(f"cannot make a read-only mount here: {probe.stderr.strip()[:200]}")
    return writable_catalogue


@pytest.mark.parametrize("lang,words", [
    ("en", ("was not changed", "cannot be written", "read-only")),
    ("it", ("non è stato modificato", "sola lettura")),
])
def test_submit_to_a_read_only_catalogue_is_one_sentence_and_changes_nothing(ro_catalogue, tmp_path, lang, words):
    before = revision(str(ro_catalogue))
    book = fill(tmp_path / "offer.xlsx")
    run = _read_only(ro_catalogue.parent, [sys.executable, "-m", "geo.cli", "--lang", lang, "--catalogue",
                                           str(ro_catalogue), "listing", "submit", str(book)])
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1, run.stderr
    assert len(lines) == 1 and "Traceback" not in run.stderr and "unexpected" not in run.stderr.lower(), run.stderr
    assert str(ro_catalogue) in lines[0] and all(w in lines[0] for w in words), lines[0]
    assert revision(str(ro_catalogue)) == before


def test_the_page_path_raises_the_same_user_error(ro_catalogue, tmp_path):
    """The owner page calls ``submit`` inside ``guarded()``, which shows a UserError's message
    (not the generic 'unexpected error'): the library call itself must raise one."""
    book = fill(tmp_path / "offer.xlsx")
    code = (
        "import sys\n"
        "from geo.catalogue import open_catalogue\n"
        "from geo.errors import CatalogueError\n"
        "from geo.listing.check import check_workbook\n"
        "from geo.listing.submission import submit\n"
        f"cat = open_catalogue({str(ro_catalogue)!r})\n"
        f"res = check_workbook({str(book)!r}, places=cat.places())\n"
        "assert res.ok, res\n"
        "try:\n"
        "    submit(cat, res)\n"
        "except CatalogueError as exc:\n"
        "    print(exc.message('it'))\n"
        "    sys.exit(0)\n"
        "sys.exit('submit did not refuse')\n"
    )
    run = _read_only(ro_catalogue.parent, [sys.executable, "-c", code])
    assert run.returncode == 0, run.stderr[-2000:]
    assert "sola lettura" in run.stdout


def test_a_read_only_postgis_catalogue_refuses_a_submission_in_one_sentence(request, postgis_server, tmp_path):
    """The same on PostGIS: the database is set read-only for every new session (as a replica or a
    read-only grant would be); the owner gets the server's reason, the catalogue stays as it was."""
    import psycopg

    from geo.catalogue import open_catalogue
    from geo.errors import CatalogueError
    from geo.listing.check import check_workbook
    from geo.listing.submission import submit

    url = postgis_server.new_database("ro", template=request.getfixturevalue("postgis_demo"))
    try:
        dbname = url.rsplit("/", 1)[1]
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f'ALTER DATABASE "{dbname}" SET default_transaction_read_only = on')
        before = revision(url)
        cat = open_catalogue(url)
        res = check_workbook(fill(tmp_path / "offer.xlsx"), places=cat.places())
        assert res.ok
        with pytest.raises(CatalogueError) as err:
            submit(cat, res)
        assert "read-only" in err.value.message("en") and "il server rifiuta" in err.value.message("it")
        assert "non è stato modificato" in err.value.message("it")
        assert revision(url) == before
    finally:
        postgis_server.drop_database(url)


def test_a_catalogue_on_a_read_only_volume_can_still_be_searched(ro_catalogue):
    """Reading needs no write: SQLite cannot create the WAL index there, so the file is opened immutable."""
    run = _read_only(ro_catalogue.parent, [sys.executable, "-m", "geo.cli", "--catalogue", str(ro_catalogue),
                                           "search", "--limit", "3"])
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip()
