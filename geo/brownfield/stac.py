"""Scenes from STAC: an API (Earth Search, Planetary Computer) or a static catalogue on disk.

Only the assets' COG windows over the area of interest are read, because
:class:`~geo.brownfield.sources.SceneReader` opens assets by URL (GDAL's
``/vsicurl/``) and reads windows of the target grid.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

from geo.brownfield.bands import baseline_offset
from geo.brownfield.sources import BandRef, Scene
from geo.errors import InputFileError, UserError
from geo.i18n import N_

EARTH_SEARCH = "https://earth-search.aws.element84.com/v1"
PLANETARY = "https://planetarycomputer.microsoft.com/api/stac/v1"
#: Asset keys by provider style: common names (Earth Search) and band codes (Planetary Computer).
ASSET_KEYS = {"B02": ("blue", "B02"), "B03": ("green", "B03"), "B04": ("red", "B04"), "B08": ("nir", "B08"),
              "B11": ("swir16", "B11"), "B12": ("swir22", "B12"), "SCL": ("scl", "SCL")}


def scene_from_item(item) -> Scene:
    """A :class:`Scene` from a pystac Item (L2A), with scale/offset from ``raster:bands`` when declared."""
    date = item_date(item)
    baseline = item.properties.get("s2:processing_baseline")
    level = "L2A" if "l2a" in (item.collection_id or "").lower() or item.properties.get(
        "s2:product_type", "").endswith("2A") else item.properties.get("processing:level", "L2A")
    refs: dict[str, BandRef] = {}
    for code, keys in ASSET_KEYS.items():
        asset = next((item.assets[k] for k in keys if k in item.assets), None)
        if asset is None:
            continue
        href = asset.get_absolute_href() or asset.href
        ref = BandRef(href, 1, nodata=0)
        rb = (asset.extra_fields.get("raster:bands") or [{}])[0]
        if code != "SCL":
            if "scale" in rb or "offset" in rb:
                # Declared as reflectance = DN * scale + offset  ->  offset in DN = offset / scale.
                scale = float(rb.get("scale", 1e-4))
                ref.scale = scale
                ref.offset_dn = float(rb.get("offset", 0.0)) / scale
            else:
                ref.offset_dn = baseline_offset(date, baseline)
        else:
            ref.nodata = None
        refs[code] = ref
    return Scene(date=date, level=str(level).upper().replace("LEVEL-", "L"), bands=refs, source=item.self_href or item.id)


def read_items(stac: str | Path, start: dt.date | None = None, end: dt.date | None = None,
               max_cloud: float | None = None, bbox_4326: tuple[float, float, float, float] | None = None,
               limit: int | None = None) -> list:
    """The pystac Items of a static catalogue on disk or of a STAC API search, filtered by date and cloud cover.

    The one way items are read, for the per-date path and the composites alike. Every document is read
    through :mod:`geo.brownfield.bounded` (byte caps; devices, pipes and folders refused).

    Parameters
    ----------
    stac
        A ``catalog.json`` (or one item's JSON) path, or an API URL (Earth Search ``sentinel-2-c1-l2a``,
        Planetary Computer ``sentinel-2-l2a``; needs ``bbox_4326``, ``start`` and ``end``).
    limit
        At most this many items from an API (None: all).

    Raises
    ------
    InputFileError
        A catalogue missing, refused by the bounded reader or not STAC; an API's error.
    """
    from geo.brownfield.bounded import api_io, refusal_in, stac_errors, stac_io

    src = str(stac)
    if src.startswith("http"):
        from pystac_client import Client

        modifier = None
        if "planetarycomputer" in src:
            try:
                import planetary_computer
            except ImportError:
                raise UserError(N_("For Planetary Computer install the extra: pip install "
                                   "'lombardy-sites[planetary]'")) from None
            modifier = planetary_computer.sign_inplace
        collection = "sentinel-2-l2a" if "planetarycomputer" in src else "sentinel-2-c1-l2a"
        q = {"eo:cloud_cover": {"lt": max_cloud}} if max_cloud is not None else None
        with stac_errors():
            search = Client.open(src, modifier=modifier, stac_io=api_io()).search(
                collections=[collection], bbox=bbox_4326, datetime=f"{start}/{end}", query=q, max_items=limit)
            read = list(search.items())
    else:
        import pystac

        p = Path(src)
        if not p.exists():
            raise InputFileError(N_("STAC catalogue not found: {path}"), path=str(p))
        try:
            cat = pystac.read_file(str(p), stac_io=stac_io())
            read = list(cat.get_items(recursive=True)) if hasattr(cat, "get_items") else [cat]
        except UserError:
            raise
        except Exception as exc:
            if (ours := refusal_in(exc)) is not None:  # a link refused by the bounded reader, wrapped by pystac
                raise ours from None
            raise InputFileError(N_("{name} is not a valid STAC catalogue: {error}"), name=p.name,
                                 error=str(exc)) from None
    items = []
    for it in read:
        d = item_date(it)
        cc = it.properties.get("eo:cloud_cover")
        if start and d < start or end and d > end or (max_cloud is not None and cc is not None and cc > max_cloud):
            continue
        items.append(it)
    return items


def item_date(item) -> dt.date:
    """An item's acquisition date (``datetime``, or ``start_datetime`` for a range)."""
    return (item.datetime or dt.datetime.fromisoformat(item.properties["start_datetime"])).date()


def scenes_from_items(items: Iterable) -> list[Scene]:
    """The per-date path's :class:`Scene` of each item, by date; every asset checked before GDAL opens it."""
    from geo.brownfield.bounded import check_assets

    out = [scene_from_item(it) for it in items]
    check_assets(ref.href for s in out for ref in s.bands.values())
    return sorted(out, key=lambda s: s.date)


__all__ = ["read_items", "item_date", "scene_from_item", "scenes_from_items", "EARTH_SEARCH", "PLANETARY",
           "ASSET_KEYS"]
