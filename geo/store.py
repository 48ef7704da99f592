"""Old name of :mod:`geo.atomic_files`, kept only until the brownfield restructuring (h-seam) is merged."""

from geo.atomic_files import *  # noqa: F401,F403
from geo.atomic_files import atomic_gpkg, write_layer  # noqa: F401
