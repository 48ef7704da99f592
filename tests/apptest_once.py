"""Streamlit's AppTest, without the package scan it repeats on every run (for the tests and bench_pages.py)."""

from __future__ import annotations


def scan_components_once() -> None:
    """Keep the answer of Streamlit's component scan for this process.

    AppTest looks for installed components (v2 manifests) on every run, parsing the metadata of every installed
    distribution: ~0.2 s of each ~0.25 s page run here, which the real server spends once, when it starts. The
    installed packages do not change during a test run; each AppTest still registers what the scan found in its
    own component manager.
    """
    try:  # Streamlit >= 1.50; pyproject allows older ones, which have no such scan
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        return
    scan = getattr(manifest_scanner, "scan_component_manifests", None)
    if scan is None or getattr(scan, "_geo_once", False):
        return
    found: list = []

    def once(max_workers=None):
        if not found:
            found.append(scan(max_workers))
        return list(found[0])

    once._geo_once = True
    manifest_scanner.scan_component_manifests = once
