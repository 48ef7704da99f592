"""Extract, update, compile and check the message catalogues (Babel).

    python -m geo.i18n.catalogs update    # extract marked strings, merge into every .po
    python -m geo.i18n.catalogs compile   # .po -> .mo (run by make)
    python -m geo.i18n.catalogs check     # fail on any string without a translation
    python -m geo.i18n.catalogs todo web  # the untranslated strings of a domain, as JSON
    python -m geo.i18n.catalogs fill web it.json   # merge {"English": "Italiano", ...} into it/web.po

Marked strings are the arguments of ``_``, ``N_``, ``gettext``, ``ngettext``,
``pgettext`` (also as methods, ``_.ngettext(...)``) in Python and of ``_``/``trans``
in the Jinja2 templates of ``geo/render/templates``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from geo.i18n import DOMAINS, LOCALE_DIR, LOCALES, TRANSLATED

ROOT = LOCALE_DIR.parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
#: Fixed header dates: the catalogues change only when their messages do.
_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
_HEADER = "# Translations of lombardy-sites (geo). Fill msgstr; run `python -m geo.i18n.catalogs update` first.\n#"
_PLACEHOLDER = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)?(?:[!:][^{}]*)?\}")


def domain_of(path: Path, root: Path = ROOT) -> str:
    """The domain a source file's strings belong to (first matching prefix of :data:`DOMAINS`)."""
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    for domain, prefixes in DOMAINS.items():
        if any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in prefixes):
            return domain
    raise ValueError(f"{rel} belongs to no message domain: add its folder to geo.i18n.DOMAINS")


def sources(root: Path = ROOT) -> list[Path]:
    """Every file whose strings are extracted: the app, the library and its templates."""
    files = [root / "app.py"] + sorted((root / "geo").rglob("*.py")) + sorted((root / "geo").rglob("templates/*.html"))
    skip = ("geo/catalogue/migrations/",)
    return [f for f in files if f.exists() and not any(s in f.as_posix() for s in skip)]


def extract(files: list[Path] | None = None, root: Path = ROOT) -> dict[str, Catalog]:
    """The template catalogue of each domain, from ``files`` (default: :func:`sources`)."""
    catalogs = {d: _new(None, d) for d in DOMAINS}
    for f in files if files is not None else sources(root):
        method = "jinja2" if f.suffix == ".html" else "python"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        rel = f.resolve().relative_to(root.resolve()).as_posix()
        for lineno, message, comments, context in extract_from_file(method, f, keywords=KEYWORDS,
                                                                     options=options):
            catalogs[domain_of(f, root)].add(message, locations=[(rel, lineno)], auto_comments=comments,
                                       context=context)
    return catalogs


def _new(locale: str | None, domain: str) -> Catalog:
    return Catalog(locale=locale, domain=domain, project="lombardy-sites", version="0.1", header_comment=_HEADER,
                   msgid_bugs_address="", creation_date=_EPOCH, revision_date=_EPOCH, fuzzy=False,
                   copyright_holder="lombardy-sites contributors")


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read(lang: str, domain: str) -> Catalog:
    path = po_path(lang, domain)
    if not path.exists():
        return _new(LOCALES[lang], domain)
    with open(path, "rb") as fh:
        return read_po(fh, locale=LOCALES[lang], domain=domain)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.fuzzy = False
    catalog.revision_date = catalog.creation_date = _EPOCH
    catalog.header_comment = _HEADER
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True)
    # Babel writes its own version into the header: without it, another Babel release changes no file.
    text = re.sub(rb'"Generated-By: Babel [^"\\]*\\n"', rb'"Generated-By: Babel\\n"', buf.getvalue())
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(text)
    tmp.replace(path)


@contextlib.contextmanager
def _locked():
    """One writer of the ``.po`` files at a time (update and fill rewrite whole files)."""
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCALE_DIR / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def update() -> None:
    """Merge the strings found in the code into every ``.po`` (new ones untranslated, gone ones dropped)."""
    with _locked():
        _update()


def _update() -> None:
    for domain, template in extract().items():
        for lang in TRANSLATED:
            catalog = read(lang, domain)
            catalog.update(template, no_fuzzy_matching=True)
            _write(catalog, po_path(lang, domain))


def compile_all() -> list[Path]:
    """Write the ``.mo`` of every ``.po``; returns the files written."""
    written = []
    for lang in TRANSLATED:
        for domain in DOMAINS:
            po = po_path(lang, domain)
            if not po.exists():
                continue
            catalog = read(lang, domain)
            mo = po.with_suffix(".mo")
            with open(mo, "wb") as fh:
                write_mo(fh, catalog)
            written.append(mo)
    return written


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message (``{{`` escapes excluded)."""
    return {m.group(1) or "" for m in _PLACEHOLDER.finditer(text.replace("{{", "").replace("}}", ""))}


def problems(files: list[Path] | None = None, root: Path = ROOT) -> list[str]:
    """What keeps the catalogues from being complete, one line each (empty when complete)."""
    out: list[str] = []
    for domain, template in extract(files, root).items():
        for lang in TRANSLATED:
            translated = read(lang, domain)
            for msg in template:
                if not msg.id:
                    continue
                where = ", ".join(f"{f}:{n}" for f, n in msg.locations[:2])
                have = translated.get(msg.id, context=msg.context)
                ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
                strs = (have.string if isinstance(have.string, tuple) else (have.string,)) if have else ()
                if have is None or not all(strs) or have.fuzzy:
                    out.append(f"{lang}/{domain}.po: no translation for {ids[0]!r} ({where})")
                    continue
                want = set().union(*(placeholders(i) for i in ids))
                for s in strs:
                    if placeholders(s) != want:
                        out.append(f"{lang}/{domain}.po: placeholders of {ids[0]!r} are {sorted(want)}, "
                                   f"the translation has {sorted(placeholders(s))} ({where})")
    return out


def todo(domain: str, lang: str = "it") -> dict[str, str]:
    """The messages of ``domain`` still without a translation in ``lang`` (plural forms as "a|b")."""
    out = {}
    for msg in read(lang, domain):
        if not msg.id:
            continue
        strs = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if not all(strs) or msg.fuzzy:
            key = "|".join(msg.id) if isinstance(msg.id, tuple) else msg.id
            out[key if msg.context is None else f"{msg.context}\x04{key}"] = ""
    return out


def fill(domain: str, translations: dict[str, str], lang: str = "it") -> int:
    """Set the translations given (keys as :func:`todo` prints them); returns how many were set."""
    with _locked():
        return _fill(domain, translations, lang)


def _fill(domain: str, translations: dict[str, str], lang: str) -> int:
    catalog = read(lang, domain)
    done = 0
    for key, text in translations.items():
        if not text:
            continue
        context, _, msgid = key.rpartition("\x04") if "\x04" in key else (None, "", key)
        ident = tuple(msgid.split("|")) if "|" in msgid and catalog.get(tuple(msgid.split("|")), context) else msgid
        msg = catalog.get(ident, context=context or None)
        if msg is None:
            raise KeyError(f"{key!r} is not in {lang}/{domain}.po: run `update` first")
        msg.string = tuple(text.split("|")) if isinstance(ident, tuple) else text
        msg.flags.discard("fuzzy")
        done += 1
    _write(catalog, po_path(lang, domain))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo.i18n.catalogs", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["update", "compile", "check", "todo", "fill"])
    parser.add_argument("domain", nargs="?", choices=list(DOMAINS))
    parser.add_argument("file", nargs="?", type=Path)
    args = parser.parse_args(argv)
    if args.action in ("todo", "fill") and not args.domain:
        parser.error(f"{args.action} needs a domain")
    if args.action == "todo":
        import json

        print(json.dumps(todo(args.domain), ensure_ascii=False, indent=1))
    elif args.action == "fill":
        import json

        if args.file is None:
            parser.error("fill needs a JSON file of translations")
        print(fill(args.domain, json.loads(args.file.read_text(encoding="utf-8"))), "translations set")
    elif args.action == "update":
        update()
    elif args.action == "compile":
        compile_all()
    else:
        found = problems()
        for line in found:
            print(line)
        if found:
            print(f"{len(found)} strings without a translation: fill them in geo/locale/*/LC_MESSAGES/*.po "
                  f"(after `python -m geo.i18n.catalogs update`).", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
