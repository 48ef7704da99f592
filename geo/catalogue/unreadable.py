"""One message for a stored geometry the store cannot read, naming the layer and the row.

Both stores decode a whole column at once (fast); when that fails, the column is decoded again one
value at a time to find the first row at fault, and the reader gets a sentence instead of a
``KeyError`` or a GEOS parse error.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from geo.errors import CatalogueError
from geo.i18n import N_


def unreadable_geometry(layer: str, row: int, error: str) -> CatalogueError:
    """The error for row ``row`` (1-based, in the layer's stored order) of ``layer``."""
    return CatalogueError(N_("Layer {layer}, row {row}: the stored geometry cannot be read ({error}). The catalogue "
                             "was changed by another program or is damaged: re-import the layer or restore a "
                             "backup."), layer=layer, row=row, error=error)


def decode_all(decode_one: Callable[[bytes], object], decode_many: Callable[[list], np.ndarray],
               values: Sequence[object], layer: str) -> np.ndarray:
    """``decode_many(values)``; if it fails, the first value ``decode_one`` cannot read is named.

    ``values`` holds ``bytes`` or ``None`` (None stays None).
    """
    try:
        return decode_many(list(values))
    except Exception:  # noqa: BLE001 - found again below, one value at a time, and named
        pass
    for i, v in enumerate(values):
        if v is None:
            continue
        try:
            decode_one(v)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the same fact for the reader
            raise unreadable_geometry(layer, i + 1, _why(exc)) from None
    raise unreadable_geometry(layer, 0, "?")  # decode_many failed on no single value: should not happen


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
