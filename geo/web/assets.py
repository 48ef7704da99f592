"""Leaflet and its plugins served locally, so the map renders without a CDN.

``python -m geo.web.assets`` downloads the exact versions folium expects from
the npm registry (plain HTTPS with urllib: no node or npm needed), checks each
tarball against the sha512 integrity pinned below, and extracts the files
into ``static/vendor/`` beside ``app.py``, which Streamlit serves at
``/app/static/vendor/`` (``enableStaticServing``).

:func:`localise` then points every folium element's ``default_js`` and
``default_css`` at those local files. Any CDN resource we do not serve is
dropped only if it is known to be unused by our maps (jQuery, Bootstrap,
Font Awesome, awesome-markers); anything else raises, so a new plugin cannot
silently bring a CDN back.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
URL_PREFIX = "/app/static/vendor"

#: npm package -> (version, sha512 integrity, {file in tarball: local path})
PACKAGES: dict[str, tuple[str, str, dict[str, str]]] = {
    "leaflet": ("1.9.3", "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
                {"dist/leaflet.js": "leaflet/leaflet.js", "dist/leaflet.css": "leaflet/leaflet.css",
                 "dist/images/": "leaflet/images/"}),
    "leaflet.markercluster": ("1.1.0", "sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ==",
                              {"dist/leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
                               "dist/MarkerCluster.css": "markercluster/MarkerCluster.css",
                               "dist/MarkerCluster.Default.css": "markercluster/MarkerCluster.Default.css"}),
    "leaflet-draw": ("1.0.2", "sha512-iCcbXE9okhwznoTXjxVjoGFoKeiWGsgmWPKrPAeHUvtWZWK4t6YF6815D13wZoMxX2UM6tOmD7/VofCxx3S0+w==",
                     {"dist/leaflet.draw.js": "leaflet-draw/leaflet.draw.js",
                      "dist/leaflet.draw.css": "leaflet-draw/leaflet.draw.css",
                      "dist/images/": "leaflet-draw/images/"}),
}

#: CDN file name -> local path (matched on the URL's last path component).
LOCAL_BY_NAME = {
    "leaflet.js": "leaflet/leaflet.js", "leaflet.css": "leaflet/leaflet.css",
    "leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
    "MarkerCluster.css": "markercluster/MarkerCluster.css",
    "MarkerCluster.Default.css": "markercluster/MarkerCluster.Default.css",
    "leaflet.draw.js": "leaflet-draw/leaflet.draw.js", "leaflet.draw.css": "leaflet-draw/leaflet.draw.css",
}
#: Resources folium's Map lists by default that our maps never use.
UNUSED = {"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
          "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"}


def _check(data: bytes, integrity: str) -> None:
    algo, _, want = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != want:
        raise RuntimeError(f"integrity mismatch: expected {integrity}, got {algo}-{got}")


def install(dest: Path = VENDOR, registry: str = "https://registry.npmjs.org") -> list[Path]:
    """Download, verify and extract the pinned packages into ``dest``."""
    written: list[Path] = []
    for name, (version, integrity, files) in PACKAGES.items():
        url = f"{registry}/{name}/-/{name.split('/')[-1]}-{version}.tgz"
        with urllib.request.urlopen(url, timeout=60) as resp:
            data = resp.read()
        _check(data, integrity)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar.getmembers():
                if not member.isfile():
                    continue
                inner = member.name.split("/", 1)[1]  # strip "package/"
                for src, dst in files.items():
                    if inner == src or (src.endswith("/") and inner.startswith(src)):
                        target = dest / (dst + inner[len(src):] if src.endswith("/") else dst)
                        target = target.resolve()
                        if not str(target).startswith(str(dest.resolve())):
                            raise RuntimeError(f"unsafe path in tarball: {member.name}")
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(tar.extractfile(member).read())
                        written.append(target)
    return written


def missing(dest: Path = VENDOR) -> list[str]:
    """Local files the maps need that are not there (empty when installed)."""
    return [p for p in LOCAL_BY_NAME.values() if not (dest / p).exists()]


def local_url(cdn_url: str) -> str | None:
    name = cdn_url.rsplit("/", 1)[-1]
    rel = LOCAL_BY_NAME.get(name)
    return f"{URL_PREFIX}/{rel}" if rel else None


def localise(fmap) -> None:
    """Point every element of a folium map at the locally served assets.

    Raises
    ------
    RuntimeError
        If an element needs a CDN resource we do not serve.
    """
    def walk(el):
        yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(fmap):
        for attr in ("default_js", "default_css"):
            res = getattr(el, attr, None)
            if not res:
                continue
            new = []
            for name, url in res:
                local = local_url(url)
                if local:
                    new.append((name, local))
                elif name in UNUSED:
                    continue
                else:
                    raise RuntimeError(f"{type(el).__name__} needs {url}, which is not served locally: "
                                       "add it to geo/web/assets.py")
            setattr(el, attr, new)


if __name__ == "__main__":  # pragma: no cover - set-up step run by make
    files = install()
    print(f"installed {len(files)} files into {VENDOR}", file=sys.stderr)
    if missing():
        sys.exit(f"missing after install: {missing()}")
