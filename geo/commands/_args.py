"""The ``geo`` command's argument types and the language it speaks, for the subcommand modules.

Subcommands import these from here, never from :mod:`geo.cli` (which imports the subcommands):
no import runs in a circle. :func:`geo.cli.main` sets the language (:func:`set_cli_lang`) before it
parses the arguments, so the types refuse a value in the user's language.
"""

from __future__ import annotations

import argparse
import math

from geo.i18n import N_, Translator, translator

_LANG = {"lang": "en"}


def set_cli_lang(lang: str) -> None:
    """Make ``lang`` the language of the command's help and messages (``--lang``)."""
    _LANG["lang"] = lang


def cli_lang() -> str:
    """The language the command speaks."""
    return _LANG["lang"]


def cli_translator() -> Translator:
    """The translator of the language the command speaks (``--lang``), for help and messages."""
    return translator(cli_lang())


def _number(kind: type, lo: float, inclusive: bool, what: str, hi: float | None = None, **values: int):
    """An argparse type for a number ``kind`` above ``lo`` (and up to ``hi``); ``what`` (English, marked
    N_, with ``values`` as Babel-formatted integers) names it in the refusal."""
    def parse(text: str):
        try:
            v = kind(text)
        except (TypeError, ValueError, OverflowError):
            v = None
        if v is None or not math.isfinite(v) or (v < lo if inclusive else v <= lo) or (hi is not None and v > hi):
            _ = cli_translator()
            name = _(what).format(**{k: _.integer(n) for k, n in values.items()})
            raise argparse.ArgumentTypeError(_("'{text}' is not a {what}").format(text=text, what=name))
        return v
    parse.__name__ = what  # argparse names the type in its messages
    return parse


#: argparse types that refuse negative, NaN and infinite numbers (for the subcommands' options).
non_negative_int = _number(int, 0, True, N_("whole number >= 0"))


def int_between(lo: int, hi: int):
    """An argparse type for a whole number in ``[lo, hi]`` (a count that must stay sane)."""
    return _number(int, lo, True, N_("whole number from {low} to {high}"), hi, low=lo, high=hi)
