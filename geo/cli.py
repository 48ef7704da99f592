"""The ``geo`` command: one entry point, one subcommand module per area.

Each area registers its subcommands from its own module (``register(sub)``), so
this file stays a table of contents. Nothing the user gives ends in a traceback:
a :class:`~geo.errors.UserError` (bad file, missing catalogue) or an OS error (full or
read-only disk, no permission) is one line in the chosen language and exit code 1; a
usage mistake is one line and exit code 2; a bug is one line and exit code 2
(``GEO_DEBUG=1`` shows its traceback).

Everything the command says is in the language of ``--lang`` (English by default):
help texts are written in English, marked ``N_``, and translated when the help is
shown (:class:`HelpFormatter`); argparse's own messages ("usage:", "the following
arguments are required") are translated from the same catalogue while ``main`` runs.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from typing import NoReturn, Sequence

from geo.commands._args import cli_translator, set_cli_lang
from geo.errors import UserError
from geo.i18n import LOCALES, N_, Translator, translator
from geo.settings import DEFAULT_CATALOGUE, problems

# Modules that define ``register(subparsers) -> None``. Imported lazily so
# that ``geo --help`` stays fast and a missing optional extra only breaks
# its own subcommand.
COMMAND_MODULES: tuple[str, ...] = (
    "geo.commands.build",
    "geo.commands.imports",
    "geo.commands.search",
    "geo.commands.listing",
    "geo.commands.brownfield",
    "geo.commands.catalogue",
    "geo.commands.documents",
    "geo.commands.settings",
    "geo.commands.mail",
)


def _lang_of(argv: Sequence[str]) -> str:
    """The ``--lang`` asked for, before argparse has run (its own errors need a language too)."""
    argv = list(argv)
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv) and argv[i + 1] in LOCALES:
            return argv[i + 1]
        if a.startswith("--lang=") and a.split("=", 1)[1] in LOCALES:
            return a.split("=", 1)[1]
    return "en"


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, translating help texts, descriptions and section titles when shown.

    Subcommands pass their help in English marked ``N_`` (``help=N_("...")``); no module needs the
    language when it builds its parser.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return cli_translator()(action.help) if action.help else action.help

    def add_text(self, text: str | None) -> None:
        super().add_text(cli_translator()(text) if text and text is not argparse.SUPPRESS else text)

    def start_section(self, heading: str | None) -> None:
        super().start_section(cli_translator()(heading) if heading else heading)


class GeoArgumentParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (exit 2), not a usage block, in the user's language."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        _ = cli_translator()
        text = _("error: {message} (see '{hint}')").format(message=message, hint=f"{self.prog} --help")
        self.exit(2, text.replace("\n", " ") + "\n")


#: argparse's own messages (its gettext domain is not installed anywhere): marked here so the
#: catalogue holds them; :func:`_argparse_speaks` makes argparse look them up there.
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"), N_("ignored explicit argument %r"), N_("expected one argument"),
    N_("expected at most one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("can't open '%(filename)s': %(error)s"),
)


def _argparse_plural(_: Translator, n: int) -> str:
    """argparse's one plural message, marked for the catalogue (looked up through ``_.ngettext``)."""
    return _.ngettext("expected %s argument", "expected %s arguments", n)


class _argparse_speaks:
    """While active, argparse's own messages come from the catalogue in the CLI's language."""

    def __enter__(self) -> None:
        self._saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
        argparse._ = lambda message: cli_translator()(message)  # type: ignore[attr-defined]
        argparse.ngettext = lambda singular, plural, n: cli_translator().ngettext(singular, plural, n)

    def __exit__(self, *exc: object) -> None:
        argparse._, argparse.ngettext = self._saved  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    parser = GeoArgumentParser(
        prog="geo",
        description=N_("Lombardy investment sites: catalogue, search, listings, brownfield layer."),
    )
    parser.add_argument(
        "--catalogue",
        dest="catalogue_path",
        default=os.environ.get("GEO_CATALOGUE") or DEFAULT_CATALOGUE,  # the other settings are checked in main
        help=N_("catalogue GeoPackage (default: $GEO_CATALOGUE or data/catalogue.gpkg)"),
    )
    parser.add_argument("--lang", choices=list(LOCALES), default="en", help=N_("language of messages"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # area not built yet
                continue
            raise
        module.register(sub)
    return parser


#: errno -> what a failed read or write means for the user (translated where shown).
OS_REASONS: dict[int, str] = {
    errno.ENOSPC: N_("no space left on the device"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EROFS: N_("read-only file system"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOENT: N_("no such file or folder"),
    errno.EISDIR: N_("is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EIO: N_("input/output error of the disk"),
    errno.EMFILE: N_("too many open files"),
}
#: errno -> what to do about it.
OS_ADVICE: dict[int, str] = {
    errno.ENOSPC: N_("Free some space and try again"),
    errno.EDQUOT: N_("Free some space and try again"),
    errno.EROFS: N_("Use a writable location"),
    errno.EACCES: N_("Check the permissions of the file and its folder"),
}


def os_error_message(exc: OSError, lang: str = "en") -> str:
    """One line for a failed read or write: the file, what happened, what to do.

    >>> import errno
    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "/data/c.gpkg"))
    '/data/c.gpkg: no space left on the device. Free some space and try again.'
    """
    _ = translator(lang)
    reason = OS_REASONS.get(exc.errno or -1)
    text = _(reason) if reason else (exc.strerror or str(exc))  # an unlisted errno: the OS's own words
    advice = OS_ADVICE.get(exc.errno or -1)
    head = f"{exc.filename}: " if exc.filename is not None and exc.filename != "" else ""
    tail = f" {_(advice)}." if advice else ""
    return f"{head}{text}.{tail}".replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``geo``; every failure is one line on stderr: 1 for the user's input or the disk, 2 for usage."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_of(argv)
    set_cli_lang(lang)
    with _argparse_speaks():
        parser = build_parser()
        args = parser.parse_args(argv)
    lang = getattr(args, "lang", lang)
    _ = translator(lang)
    prefix = _("error")
    if not getattr(args, "checks_settings", False):
        # A bad setting stops every command before it starts, each one named (`geo settings` shows them all).
        bad = problems()
        for exc in bad:
            print(f"{prefix}: {_one_line(exc.message(lang))}", file=sys.stderr)
        if bad:
            return 1
    try:
        return int(args.func(args) or 0)
    except UserError as exc:  # CatalogueError and InputFileError included
        print(f"{prefix}: {_one_line(exc.message(lang))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `geo ... | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:
        print(f"{prefix}: {_one_line(os_error_message(exc, lang))}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"{prefix}: " + _("out of memory."), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the details only when asked for
        if os.environ.get("GEO_DEBUG"):
            raise
        kind = type(exc).__name__
        print(f"{prefix}: " + _("unexpected error ({kind}: {detail}); GEO_DEBUG=1 shows the details.").format(
            kind=kind, detail=_one_line(str(exc))), file=sys.stderr)
        return 2


def _one_line(text: str, n: int = 500) -> str:
    """``text`` on one line, at most ``n`` characters, without secrets (every error line passes here)."""
    from geo.redact import redact

    text = " ".join(redact(text).split())
    return text if len(text) <= n else text[:n] + "…"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
