"""Domain errors shown to users.

Every error a user can cause (a wrong file, a wrong CRS, a value out of range)
is a :class:`UserError` carrying a message in Italian and English. The UI and
the CLI print ``err.message(lang)``; they never show a traceback for these.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["it", "en"]


class UserError(Exception):
    """An error caused by user input, with a message in both languages.

    Parameters
    ----------
    it, en
        The message in Italian and in English. Say what happened, show the
        offending value, say how to fix it.
    """

    def __init__(self, it: str, en: str | None = None) -> None:
        self.it = it
        self.en = en if en is not None else it
        super().__init__(self.en)

    def message(self, lang: Lang = "en") -> str:
        return self.it if lang == "it" else self.en


class InputFileError(UserError):
    """A file given by the user cannot be read or has the wrong content."""


class CatalogueError(UserError):
    """The catalogue is missing, locked or was built by an incompatible version."""
