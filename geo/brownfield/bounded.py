"""Reads of STAC documents and assets with a ceiling in bytes, so a wrong link cannot fill the memory.

Three things are read from a link: STAC JSON (a static catalogue, its collections and items, an API's
pages) in full, and raster assets in windows by GDAL. Each is checked before it is read:

- JSON, local: a regular file (not ``/dev/zero``, a pipe or a folder) of at most :data:`MAX_JSON_BYTES`;
  over HTTP: at most :data:`MAX_JSON_BYTES` of body, whatever the server declares (the body is read
  in steps and dropped past the limit), within :data:`HTTP_TIMEOUT_S` per read.
- Assets, local: a regular file of at most :data:`MAX_ASSET_BYTES`. Over HTTP: the server must answer
  a one-byte range request with the asset's total size (what GDAL needs to read windows) and that size
  must be at most :data:`MAX_ASSET_BYTES`; a server that ignores ranges would make GDAL download the
  whole body, possibly without end.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from geo.errors import InputFileError, UserError
from geo.i18n import N_

#: A STAC item is 20-60 KB; an API page of 100 items (Planetary Computer, the largest we read) about 6 MB.
#: 32 MiB is five times that, and refuses an endless or absurd document before it takes the memory.
MAX_JSON_BYTES = 32 * 2**20
#: A Sentinel-2 asset is one band of one 110 km tile: at 10 m and 16 bits, 241 MB uncompressed (COGs are
#: smaller). 1 GiB is four times that.
MAX_ASSET_BYTES = 2**30
#: Seconds to connect and between two reads of an HTTP answer (not the whole transfer).
HTTP_TIMEOUT_S = 30.0
_STEP = 1 << 16
#: What is read, named in messages (translated where shown).
DOCUMENT = N_("STAC document")
ASSET = N_("Asset")


def _mb(n: int):
    return lambda _: _.number(n / 2**20, 1)


def is_remote(href: str) -> bool:
    return urlsplit(str(href)).scheme in ("http", "https")


def local_path(href: str) -> Path:
    """The path of a local href (a path or a ``file://`` URL)."""
    parts = urlsplit(str(href))
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    return Path(str(href))


def _what(what: str):
    return lambda _: _(what)


def check_local(path: Path, limit: int, what: str) -> int:
    """The size of ``path`` if it is a regular file of at most ``limit`` bytes, else an InputFileError.

    ``what`` names the kind of file in the message (:data:`DOCUMENT`, :data:`ASSET`)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(N_("{what} not found: {path}"), what=_what(what), path=str(path)) from None
    except OSError as exc:
        raise InputFileError(N_("Cannot read {path}: {error}"), path=str(path), error=exc.strerror) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(N_("{what} {path} is not a regular file (a folder, device, pipe or socket): it is not "
                                "read."), what=_what(what), path=str(path))
    if st.st_size > limit:
        raise InputFileError(N_("{what} {path} is {size} MB, more than the {limit} MB read from one link: it is not "
                                "read. Check the link."), what=_what(what), path=str(path), size=_mb(st.st_size),
                             limit=_mb(limit))
    return st.st_size


def _too_big(href: str, limit: int, what: str) -> InputFileError:
    return InputFileError(N_("{what} {path} is larger than the {limit} MB read from one link: it is not read. "
                             "Check the link."), what=_what(what), path=href, limit=_mb(limit))


def read_capped(stream, href: str, limit: int, what: str) -> bytes:
    """At most ``limit`` bytes from a file-like ``stream``; an InputFileError as soon as there are more."""
    chunks, total = [], 0
    while True:
        chunk = stream.read(min(_STEP, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise _too_big(href, limit, what)
        chunks.append(chunk)


def read_bytes(href: str, limit: int | None = None, what: str = DOCUMENT) -> bytes:
    """The bytes at ``href`` (a path, ``file://`` or ``http(s)://`` URL), at most ``limit`` of them
    (default :data:`MAX_JSON_BYTES`)."""
    limit = MAX_JSON_BYTES if limit is None else limit
    if is_remote(href):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(href, timeout=HTTP_TIMEOUT_S) as resp:
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise _too_big(href, limit, what)
                return read_capped(resp, href, limit, what)
        except urllib.error.HTTPError as exc:
            raise InputFileError(N_("{url} answered HTTP {status}."), url=href, status=exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            raise InputFileError(N_("Cannot read {url}: {error}"), url=href,
                                 error=str(getattr(exc, "reason", exc))) from None
    path = local_path(href)
    check_local(path, limit, what)
    with open(path, "rb") as fh:
        return read_capped(fh, str(path), limit, what)


def stac_io():
    """A pystac StacIO whose every read is :func:`read_bytes` (catalogues, collections, items)."""
    from pystac.stac_io import DefaultStacIO

    class BoundedStacIO(DefaultStacIO):
        def read_text_from_href(self, href: str) -> str:
            return read_bytes(href).decode("utf-8")

    return BoundedStacIO()


def api_io(modifier=None):
    """A pystac-client StacApiIO whose answers are capped at :data:`MAX_JSON_BYTES` (read before use)."""
    from pystac_client.stac_api_io import StacApiIO

    io = StacApiIO(timeout=HTTP_TIMEOUT_S)

    def cap(resp, *args, **kwargs):
        # Runs before requests reads the body: read it here, in steps, and stop past the limit.
        limit = MAX_JSON_BYTES
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            resp.close()
            raise _too_big(resp.url, limit, DOCUMENT)
        if resp._content is False:
            try:
                resp._content = read_capped(resp.raw, resp.url, limit, DOCUMENT)
            finally:
                resp.close()
        return resp

    io.session.hooks["response"].append(cap)
    return io


def refusal_in(exc: BaseException) -> UserError | None:
    """Our refusal in the chain of ``exc`` (pystac and pystac-client wrap whatever a read raised)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, UserError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


@contextlib.contextmanager
def stac_errors() -> Iterator[None]:
    """Our refusal when pystac or pystac-client wrapped it (``STACError``, ``APIError``); an API's own error
    as one sentence."""
    from pystac_client.exceptions import APIError

    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        ours = refusal_in(exc)
        if ours is not None:
            raise ours from None
        if isinstance(exc, APIError):
            raise InputFileError(N_("The STAC API answered with an error: {error}"), error=str(exc)[:300]) from None
        raise


def check_asset(href: str, limit: int | None = None) -> None:
    """Refuse an asset GDAL should not open: not a regular file, larger than ``limit`` (default
    :data:`MAX_ASSET_BYTES`), or over HTTP a server that does not give its size for a range request (GDAL would
    read the whole body)."""
    limit = MAX_ASSET_BYTES if limit is None else limit
    if not is_remote(href):
        if urlsplit(str(href)).scheme in ("", "file") or len(urlsplit(str(href)).scheme) == 1:  # C:\ on Windows
            check_local(local_path(href), limit, ASSET)
        return
    import requests

    try:
        with requests.get(href, headers={"Range": "bytes=0-0"}, stream=True, timeout=HTTP_TIMEOUT_S) as resp:
            total = resp.headers.get("Content-Range", "").rpartition("/")[2]
            status = resp.status_code
    except requests.RequestException as exc:
        raise InputFileError(N_("Cannot read {url}: {error}"), url=href, error=type(exc).__name__) from None
    if status >= 400:
        raise InputFileError(N_("{url} answered HTTP {status}."), url=href, status=status)
    if status != 206 or not total.isdigit():
        raise InputFileError(N_("Asset {url}: the server does not serve byte ranges with a size, so the whole "
                                "body would be read: it is not read. Use a server that serves COGs by range."),
                             url=href)
    if int(total) > limit:
        raise InputFileError(N_("{what} {path} is {size} MB, more than the {limit} MB read from one link: it is not "
                                "read. Check the link."), what=_what(ASSET), path=href, size=_mb(int(total)),
                             limit=_mb(limit))


def check_assets(hrefs: Iterable[str], limit: int | None = None) -> None:
    """:func:`check_asset` on each distinct href (remote ones eight at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    unique = list(dict.fromkeys(hrefs))
    for h in unique:
        if not is_remote(h):
            check_asset(h, limit)
    remote = [h for h in unique if is_remote(h)]
    if remote:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda h: check_asset(h, limit), remote))
