"""The verdict of a site against a criterion or a whole brief: one type for search, map, legend, tables and PDF.

The integer value is the code stored in the verdict arrays (``PASS`` = 0 ...);
:attr:`Verdict.rank` is the order results are listed in (an UNKNOWN may turn
out fine, a FAIL will not, so UNKNOWN ranks before FAIL).

>>> Verdict.parse("FAIL").rank > Verdict.UNKNOWN.rank
True
>>> Verdict.PASS.label("it")
'Conforme'
"""

from __future__ import annotations

from enum import IntEnum

from geo.i18n import translator


class Verdict(IntEnum):
    PASS = 0
    CONDITIONAL = 1
    FAIL = 2
    UNKNOWN = 3

    @property
    def rank(self) -> int:
        """Listing order: PASS, CONDITIONAL, UNKNOWN, FAIL."""
        return _RANK[self]

    @property
    def colour(self) -> str:
        """Strong colour (map markers, legend)."""
        return _COLOUR[self]

    @property
    def fill(self) -> str:
        """Light background colour (table cells, PDF)."""
        return _FILL[self]

    @property
    def fill_rgb(self) -> tuple[int, int, int]:
        h = self.fill.lstrip("#")
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)

    @property
    def points(self) -> float:
        """Contribution to the score (see :mod:`geo.search.verdict_rules`)."""
        return _POINTS[self]

    def label(self, lang: str = "en") -> str:
        """The verdict as the reader says it ("Pass", "Conforme")."""
        _ = translator(lang)
        return {Verdict.PASS: _.pgettext("verdict", "Pass"), Verdict.CONDITIONAL: _.pgettext("verdict", "Conditional"),
                Verdict.FAIL: _.pgettext("verdict", "Fail"), Verdict.UNKNOWN: _.pgettext("verdict", "Unknown")}[self]

    @classmethod
    def parse(cls, value: "Verdict | str | int | None") -> "Verdict | None":
        """A verdict from its name or code; None (no brief) stays None."""
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls[value]
        return cls(int(value))


_RANK = {Verdict.PASS: 0, Verdict.CONDITIONAL: 1, Verdict.UNKNOWN: 2, Verdict.FAIL: 3}
_COLOUR = {Verdict.PASS: "#2e7d32", Verdict.CONDITIONAL: "#f9a825", Verdict.FAIL: "#c62828",
           Verdict.UNKNOWN: "#757575"}
_FILL = {Verdict.PASS: "#c8ebc8", Verdict.CONDITIONAL: "#ffecb3", Verdict.FAIL: "#ffcdd2",
         Verdict.UNKNOWN: "#e1e1e1"}
_POINTS = {Verdict.PASS: 1.0, Verdict.CONDITIONAL: 0.6, Verdict.FAIL: 0.0, Verdict.UNKNOWN: 0.3}

#: Colour of a site when there is no brief (no verdict).
NO_VERDICT_COLOUR = "#1565c0"
