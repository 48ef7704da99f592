"""The ``geo`` command: one entry point, one subcommand module per area.

Each area registers its subcommands from its own module (``register(sub)``), so
this file stays a table of contents. Nothing the user gives ends in a traceback:
a :class:`~geo.errors.UserError` (bad file, missing catalogue) or an OS error (full or
read-only disk, no permission) is one line in the chosen language and exit code 1; a
usage mistake is one line and exit code 2; a bug is one line and exit code 2
(``GEO_DEBUG=1`` shows its traceback).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import math
import os
import sys
from typing import NoReturn, Sequence

from geo.errors import UserError
from geo.settings import settings

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
)


def _lang_of(argv: Sequence[str]) -> str:
    """The ``--lang`` asked for, before argparse has run (its own errors need a language too)."""
    argv = list(argv)
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("it", "en"):
            return argv[i + 1]
        if a in ("--lang=it", "--lang=en"):
            return a.split("=")[1]
    return "en"


class GeoArgumentParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (exit 2), not a usage block."""

    lang = "en"

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        hint = f"{self.prog} --help"
        text = (f"errore: {message} (vedere «{hint}»)" if self.lang == "it" else f"error: {message} (see '{hint}')")
        self.exit(2, text.replace("\n", " ") + "\n")


def _number(kind: type, lo: float, inclusive: bool, what_it: str, what_en: str, hi: float | None = None):
    def parse(text: str):
        try:
            v = kind(text)
        except (TypeError, ValueError, OverflowError):
            v = None
        if v is None or not math.isfinite(v) or (v < lo if inclusive else v <= lo) or (hi is not None and v > hi):
            it = f"«{text}» non è un {what_it}"
            en = f"'{text}' is not a {what_en}"
            raise argparse.ArgumentTypeError(it if GeoArgumentParser.lang == "it" else en)
        return v
    parse.__name__ = what_en  # argparse names the type in its messages
    return parse


#: argparse types that refuse negative, NaN and infinite numbers (for the subcommands' options).
non_negative_int = _number(int, 0, True, "numero intero >= 0", "whole number >= 0")
positive_int = _number(int, 0, False, "numero intero > 0", "whole number > 0")
positive_float = _number(float, 0, False, "numero > 0", "number > 0")
non_negative_float = _number(float, 0, True, "numero >= 0", "number >= 0")


def int_between(lo: int, hi: int):
    """An argparse type for a whole number in ``[lo, hi]`` (a count that must stay sane)."""
    return _number(int, lo, True, f"numero intero tra {lo} e {hi:,}".replace(",", "."), f"whole number from {lo} to "
                   f"{hi:,}", hi=hi)


def build_parser() -> argparse.ArgumentParser:
    parser = GeoArgumentParser(
        prog="geo",
        description="Lombardy investment sites: catalogue, search, listings, brownfield layer.",
    )
    parser.add_argument(
        "--catalogue",
        dest="catalogue_path",
        default=settings().catalogue,
        help="catalogue GeoPackage (default: $GEO_CATALOGUE or data/catalogue.gpkg)",
    )
    parser.add_argument("--lang", choices=["it", "en"], default="en", help="language of messages")
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


#: errno -> (Italian, English): what a failed read or write means for the user.
OS_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("disco pieno", "no space left on the device"),
    errno.EDQUOT: ("quota del disco superata", "disk quota exceeded"),
    errno.EROFS: ("file system in sola lettura", "read-only file system"),
    errno.EACCES: ("permesso negato", "permission denied"),
    errno.EPERM: ("operazione non permessa", "operation not permitted"),
    errno.ENOENT: ("file o cartella inesistente", "no such file or folder"),
    errno.EISDIR: ("è una cartella", "is a folder"),
    errno.ENOTDIR: ("un elemento del percorso non è una cartella", "a part of the path is not a folder"),
    errno.EIO: ("errore di lettura/scrittura del disco", "input/output error of the disk"),
    errno.EMFILE: ("troppi file aperti", "too many open files"),
}


def os_error_message(exc: OSError, lang: str = "en") -> str:
    """One line for a failed read or write: the file, what happened, what to do.

    >>> import errno
    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "/data/c.gpkg"))
    '/data/c.gpkg: no space left on the device. Free some space and try again.'
    """
    it, en = OS_REASONS.get(exc.errno or -1, (exc.strerror or str(exc), exc.strerror or str(exc)))
    where = exc.filename if exc.filename is not None else ""
    advice = {errno.ENOSPC: ("Liberare spazio e riprovare", "Free some space and try again"),
              errno.EDQUOT: ("Liberare spazio e riprovare", "Free some space and try again"),
              errno.EROFS: ("Usare un percorso scrivibile", "Use a writable location"),
              errno.EACCES: ("Controllare i permessi del file e della cartella",
                             "Check the permissions of the file and its folder")}.get(exc.errno or -1)
    tail_it = f" {advice[0]}." if advice else ""
    tail_en = f" {advice[1]}." if advice else ""
    head = f"{where}: " if where else ""
    return (f"{head}{it}.{tail_it}" if lang == "it" else f"{head}{en}.{tail_en}").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``geo``; every failure is one line on stderr: 1 for the user's input or the disk, 2 for usage."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_of(argv)
    GeoArgumentParser.lang = lang
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", lang)
    prefix = "errore" if lang == "it" else "error"
    try:
        return int(args.func(args) or 0)
    except UserError as exc:  # CatalogueError and InputFileError included
        print(f"{prefix}: {_one_line(exc.message(lang))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrotto" if lang == "it" else "interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `geo ... | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:
        print(f"{prefix}: {os_error_message(exc, lang)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"{prefix}: " + ("memoria esaurita." if lang == "it" else "out of memory."), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the details only when asked for
        if settings().debug:
            raise
        kind = type(exc).__name__
        print(f"{prefix}: " + (f"errore imprevisto ({kind}: {_one_line(str(exc))}); GEO_DEBUG=1 mostra i dettagli."
                               if lang == "it" else
                               f"unexpected error ({kind}: {_one_line(str(exc))}); GEO_DEBUG=1 shows the details."),
              file=sys.stderr)
        return 2


def _one_line(text: str, n: int = 500) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n] + "…"


if __name__ == "__main__":  # pragma: no cover
    # Through the imported module, not __main__: the subcommands import geo.cli, and the language
    # their argument types speak is set there.
    from geo.cli import main as _main

    sys.exit(_main())
