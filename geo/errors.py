"""Domain errors shown to users.

Every error a user can cause (a wrong file, a wrong CRS, a value out of range)
is a :class:`UserError`. It carries its message in English, marked with
``N_`` so the catalogue holds its translation, and the values to put in it;
the message is translated when it is shown, in the reader's language (the
code that raises it rarely knows that language). The UI and the CLI print
``err.message(lang)``; they never show a traceback for these.

>>> from geo.i18n import N_
>>> e = UserError(N_("File not found: {path}"), path="x.csv")
>>> e.message("en"), e.message("it"), str(e)
('File not found: x.csv', 'File non trovato: x.csv', 'File not found: x.csv')

A value that is written differently in each language (a number, a date, a label)
is given as a function of the :class:`~geo.i18n.Translator`:

>>> UserError(N_("{n} rows"), n=lambda _: _.number(1234.5, 1)).message("it")
'1.234,5 rows'
"""

from __future__ import annotations

from typing import Any, Callable

from geo.i18n import translator
from geo.redact import redact



class UserError(Exception):
    """An error caused by user input, with a message translated when shown.

    Parameters
    ----------
    message
        The message in English, marked with ``N_`` (a literal string), with
        ``{name}`` placeholders. Say what happened, show the offending value,
        say how to fix it.
    params
        The values of the placeholders. A callable is called with the reader's
        :class:`~geo.i18n.Translator` (for numbers, dates and labels).
    """

    def __init__(self, message: str, /, **params: Any) -> None:
        self.msgid = message
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en", escape: Callable[[object], str] | None = None) -> str:
        """The message in ``lang`` ("it" or "en").

        ``escape`` is applied to every value put into the message (never to the message itself):
        the web pages pass their Markdown escape, since the values quote what a person typed,
        uploaded or linked.
        """
        _ = translator(lang)
        text = _(self.msgid)
        if not self.params:
            return text
        values = {k: (v(_) if callable(v) else v) for k, v in self.params.items()}
        # A value may quote a connection string or a driver's error text: never its secrets.
        values = {k: (redact(v) if isinstance(v, str) else v) for k, v in values.items()}
        if escape is not None:
            values = {k: escape(v) for k, v in values.items()}
        return text.format(**values)


class InputFileError(UserError):
    """A file given by the user cannot be read or has the wrong content."""


class CatalogueError(UserError):
    """The catalogue is missing, locked or was built by an incompatible version."""
