"""Streamlit's AppTest, without the work it repeats on every run that the real server does once: the package
scan for components and the compilation of each script (for the tests and bench_pages.py)."""

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


def compile_scripts_once() -> None:
    """Keep each script's compiled code for this process, as the real server does.

    AppTest makes a new script cache on every run, so each run parses app.py and its page again and rewrites
    their syntax trees for Streamlit's "magic" (~0.07 s a run); the server compiles each script once. Code is
    kept per file path, modification time and size: a script written or changed during the run is compiled
    again.
    """
    import os

    from streamlit.runtime.scriptrunner import script_cache

    cache_class = script_cache.ScriptCache
    compile_one = cache_class.get_bytecode
    if getattr(compile_one, "_geo_once", False):
        return
    compiled: dict[tuple, object] = {}

    def once(self, script_path: str):
        from streamlit import config

        path = os.path.abspath(script_path)
        try:
            st_ = os.stat(path)
        except OSError:
            return compile_one(self, script_path)  # Streamlit's own error for a missing script
        key = (path, st_.st_mtime_ns, st_.st_size, config.get_option("runner.magicEnabled"))
        if key not in compiled:
            compiled[key] = compile_one(self, script_path)
        return compiled[key]

    once._geo_once = True
    cache_class.get_bytecode = once
