"""Benchmark: an owner's photo upload (issue 18, item 4): check, clean, thumbnail and store N phone photos.

Makes ``--photos`` phone-like JPEGs (``--width`` x ``--height``, camera noise, GPS EXIF) and one PDF plan in a
temporary folder, then measures in a fresh process (so the peak memory is the upload's, not the generator's):

- prepare: :func:`geo.media.prepare.prepare_media` (Pillow checks, decode, orientation, re-encode without
  metadata, two thumbnails each): wall time and peak RSS growth over the process before the upload (Pillow's
  pixel buffers are not Python objects: RSS sees them), then in a second pass the peak Python memory
  (tracemalloc: the Python objects, the uploaded and encoded bytes included);
- submit: the one transaction that writes the workbook's listing and the media (GeoPackage);
- read: ``photos_for`` (thumbnails) and one stored photo back.

    .venv/bin/python benchmarks/bench_media.py [--photos 10] [--width 4032] [--height 3024] [--catalogue PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_photo(path: Path, width: int, height: int, seed: int) -> None:
    """A phone-like JPEG: smooth scene + sensor noise, quality 92, GPS and owner in its EXIF."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).resize((width, height),
                                                                                     Image.Resampling.BICUBIC)
    pixels = np.asarray(base, dtype=np.int16) + rng.normal(0, 6, (height, width, 3)).astype(np.int16)
    im = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = "Mario Rossi"
    exif[0x8825] = {1: "N", 2: (45.0, 8.0, 1.5), 3: "E", 4: (9.0, 11.0, 2.5)}
    im.save(path, format="JPEG", quality=92, exif=exif)


def _status_kb(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in KB. Not ``ru_maxrss``: a child started by a
    large parent inherits the parent's peak there."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(folder: Path, catalogue: str) -> dict:
    import tracemalloc

    from geo.catalogue import open_catalogue
    from geo.listing.check import check_workbook
    from geo.listing.submission import submit
    from geo.media.prepare import prepare_media, read_upload
    from geo.media.store import media_file, photos_for
    import geo.media.plans  # noqa: F401 - imported before the measure, as in a running server

    cat = open_catalogue(catalogue)
    res = check_workbook(str(folder / "w.xlsx"), cat.places())
    uploads = [read_upload(p) for p in sorted(folder.glob("*.jpg"))] + [read_upload(folder / "plan.pdf")]
    in_mb = sum(len(u.data) for u in uploads) / 2**20
    rss0 = _status_kb("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    media = prepare_media(uploads, res.sites)
    t_prepare, c_prepare = time.perf_counter() - t0, time.process_time() - c0
    rss_peak = _status_kb("VmHWM")
    tracemalloc.start()  # a second pass for the Python peak (tracing slows Python code: not in the timing)
    prepare_media(uploads, res.sites)
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t0 = time.perf_counter()
    receipt = submit(cat, res, media=media)
    t_submit = time.perf_counter() - t0
    t0 = time.perf_counter()
    photos = photos_for(cat, receipt.site_ids[0], role="staff")
    t_list = time.perf_counter() - t0
    t0 = time.perf_counter()
    media_file(cat, photos[0], role="staff")
    t_file = time.perf_counter() - t0
    return {"files": len(uploads), "input_mb": in_mb, "stored_mb": sum(m.bytes for m in media) / 2**20,
            "thumbs_mb": sum(len(m.thumb_320) + len(m.thumb_1280) for m in media) / 2**20,
            "prepare_s": t_prepare, "prepare_cpu_s": c_prepare, "py_peak_mb": py_peak / 2**20, "rss_growth_mb": (rss_peak - rss0) / 1024,
            "rss_peak_mb": rss_peak / 1024, "submit_s": t_submit, "photos_for_s": t_list, "file_s": t_file,
            "photos": len(photos)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=10)
    ap.add_argument("--width", type=int, default=4032)
    ap.add_argument("--height", type=int, default=3024)
    ap.add_argument("--catalogue", help="a catalogue to copy (default: build one without demo sites)")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--target", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.target)))
        return
    from tests.listing.conftest import fill
    from tests.media.samples import pdf

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        target = work / "catalogue.gpkg"
        if args.catalogue:
            shutil.copy2(args.catalogue, target)
        else:
            from geo.catalogue.build import build_catalogue

            build_catalogue(target, demo=False)
        fill(work / "w.xlsx")
        for i in range(args.photos):
            make_photo(work / f"IMG_{i:04d}.jpg", args.width, args.height, i)
        (work / "plan.pdf").write_bytes(pdf(4))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, __file__, "--measure", str(work), "--target", str(target)],
                             capture_output=True, text=True, env=env, timeout=1200)
        if out.returncode:
            sys.exit(out.stderr[-3000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"upload: {args.photos} photos of {args.width} x {args.height} + 1 plan of 4 pages, "
          f"{r['input_mb']:.1f} MB in; stored {r['stored_mb']:.1f} MB + thumbnails {r['thumbs_mb']:.2f} MB")
    print(f"prepare (check, clean, thumbnails): {r['prepare_s']:.2f} s wall, {r['prepare_cpu_s']:.2f} s CPU; "
          f"peak Python memory "
          f"{r['py_peak_mb']:.0f} MB (tracemalloc); peak RSS {r['rss_peak_mb']:.0f} MB "
          f"(+{r['rss_growth_mb']:.0f} MB over the process before the upload)")
    print(f"submit (one transaction, listing + media): {r['submit_s']:.2f} s")
    print(f"photos_for: {r['photos_for_s'] * 1000:.0f} ms ({r['photos']} photos); one stored file: "
          f"{r['file_s'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
