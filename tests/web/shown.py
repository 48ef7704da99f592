"""What a reader sees of a Markdown text built by ``geo.web.ui.md``: AppTest gives the Markdown source."""

from __future__ import annotations

import re


def shown(markdown: str) -> str:
    """``markdown`` with backslash escapes resolved and the invisible word joiners removed.

    >>> shown("DEMO\\\\-0169 at http\\\\:\\u2060//x")
    'DEMO-0169 at http://x'
    """
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")
