"""Benchmark: what a document costs staff (the site sheet PDF, a dossier of N sites), as ``geo sheet`` and
``geo dossier`` make them: records read, location maps drawn, brief judged, PDF rendered.

Prints, per language, the median over ``--repeat`` runs of: one sheet PDF, one sheet HTML and a dossier
of ``--sites`` sites with a 3-criterion brief (reference layers read once before, as the command does),
plus the dossier's pages and bytes. Peak memory of the process is printed at the end.

    .venv/bin/python benchmarks/bench_documents.py [--sites 10] [--repeat 3] [--catalogue PATH]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_s(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``fn`` (on a shared machine the CPU time is the steadier one)."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--catalogue", help="an existing catalogue (default: build the demo one)")
    args = ap.parse_args()
    from geo.catalogue import open_catalogue
    from geo.render.documents import Sources, dossier_document, sheet_document
    from geo.search import Brief, Criterion

    if args.catalogue:
        path = Path(args.catalogue)
    else:
        from geo.catalogue.build import build_catalogue

        path = Path(tempfile.mkdtemp()) / "catalogue.gpkg"
        build_catalogue(path, demo=True)
    cat = open_catalogue(path)
    t = time.perf_counter()
    sources = Sources.of(cat)
    print(f"reference layers read and reprojected once: {time.perf_counter() - t:.2f} s")
    ids = cat.sites()["site_id"].head(args.sites).tolist()
    brief = Brief(name="bench", criteria=[Criterion("land_area_min", 20000), Criterion("power_min", 5000),
                                          Criterion("motorway_junction_km", 10, hard=False)])
    for lang in ("it", "en"):
        sheet = _median_s(lambda: sheet_document(cat, ids[0], lang, "pdf", brief=brief, sources=sources),
                          args.repeat)
        html = _median_s(lambda: sheet_document(cat, ids[0], lang, "html", brief=brief, sources=sources),
                         args.repeat)
        dossier = _median_s(lambda: dossier_document(cat, ids, lang, brief=brief, sources=sources), args.repeat)
        from tests.docimage import page_count

        data = dossier[2]
        print(f"{lang}: sheet PDF {sheet[0]:.2f} s (CPU {sheet[1]:.2f} s), sheet HTML {html[0]:.2f} s "
              f"(CPU {html[1]:.2f} s), dossier of {len(ids)} sites {dossier[0]:.2f} s (CPU {dossier[1]:.2f} s; "
              f"{page_count(data)} pages, {len(data) / 1e6:.2f} MB)")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
