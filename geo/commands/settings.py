"""``geo settings``: every setting the software reads, its value here, and each bad one named.

``make run`` runs it before the server starts, so a deployment with a bad value (``GEO_RECONFIRM_MONTHS=0``,
a role that does not exist) is refused at start with the variable named, instead of serving pages that
break later.
"""

from __future__ import annotations

import argparse
import os
import sys

from geo.i18n import N_, translator
from geo.redact import display
from geo.settings import VARIABLES, problems


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help=N_("show the settings read from the environment; exit 1 naming each bad one"))
    p.set_defaults(func=_settings, checks_settings=True)


def _settings(args) -> int:
    _ = translator(args.lang)
    for variable in VARIABLES:
        raw = os.environ.get(variable)
        shown = display(raw) if raw else _("(not set: the default)")
        print(f"{variable}={shown}")
    found = problems()
    for exc in found:
        print(_("error") + ": " + exc.message(args.lang), file=sys.stderr)
    if found:
        return 1
    print(_("Every setting is valid."))
    return 0
