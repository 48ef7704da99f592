"""Opening an uploaded workbook safely: file, size, type and zip checks before parsing, then a
bounded copy of the workbook (:func:`sanitise`) is what openpyxl parses.

Every failure is a :class:`~geo.errors.InputFileError` with its message in English
(translated from the ``listing`` catalogue when shown); nothing here ever writes.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from geo.errors import InputFileError
from geo.i18n import N_
from geo.listing import layout as L
from geo.schema.messages import number_param, text_param

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # CFB: old .xls, or an encrypted (password) xlsx


def read_bytes(source: str | Path | bytes) -> tuple[bytes, str]:
    """The upload's bytes and name; a path must be a regular file of at most :data:`MAX_BYTES`.

    Folders, devices (``/dev/zero``), pipes and sockets are refused before anything is read, and
    no more than the limit is ever read (the file may grow while it is read).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "upload.xlsx"
    p = Path(source)
    try:
        # O_NONBLOCK: opening a pipe must not wait for a writer; the checks below use the opened file
        # itself (fstat), so what is read is what was checked.
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputFileError(N_("File not found: {path}"), path=str(p)) from None
    except IsADirectoryError:
        raise _folder(p) from None
    except OSError as exc:
        raise InputFileError(N_("Cannot read {path}: {reason}"), path=str(p), reason=exc.strerror) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _folder(p)
        raise InputFileError(N_("{path} is not a regular file (a device, pipe or socket): give the .xlsx file."),
                             path=str(p))
    with os.fdopen(fd, "rb") as fh:
        if st.st_size > L.MAX_BYTES:
            raise _too_big(st.st_size)
        try:
            data = fh.read(L.MAX_BYTES + 1)
        except OSError as exc:
            raise InputFileError(N_("Cannot read {path}: {reason}"), path=str(p), reason=exc.strerror) from None
    if len(data) > L.MAX_BYTES:
        raise _too_big(len(data))
    return data, p.name


def _folder(p: Path) -> InputFileError:
    return InputFileError(N_("{path} is a folder, not an Excel file: give the .xlsx file."), path=str(p))


def _too_big(n: int) -> InputFileError:
    return InputFileError(N_("The file is {size} MB: the limit is {limit} MB. Remove pictures or attachments from "
                             "the workbook and upload them separately."),
                          size=number_param(n / 1024 / 1024, 1), limit=number_param(L.MAX_BYTES // 1024 // 1024))


def open_workbook(data: bytes, name: str = "upload.xlsx"):
    """Check and open an .xlsx/.xlsm workbook with cached formula values.

    Returns ``(values workbook, formulas workbook or None, warnings, notes)``: ``warnings`` are
    English messages about the file (marked ``N_``, translated where shown), ``notes`` what
    :func:`sanitise` left out (data beyond the caps).
    Only a bounded copy of the workbook is parsed (see :func:`sanitise`), so time and memory stay
    small whatever the upload (formatting down to row 1,048,576, 100,000 formatted empty rows).
    """
    warnings: list[str] = []
    if len(data) == 0:
        raise InputFileError(N_("The file is empty (0 bytes)."))
    if len(data) > L.MAX_BYTES:
        raise _too_big(len(data))
    if data.startswith(OLE_MAGIC):
        raise InputFileError(N_(
            "The file is password-protected or in the old .xls format. Save it as an Excel workbook (.xlsx) "
            "without a password and upload it again."))
    if not data.startswith(b"PK"):
        kind = "PDF" if data.startswith(b"%PDF") else (text_param(N_("CSV/text")) if _is_text(data) else "?")
        raise InputFileError(N_("'{name}' is not an Excel workbook (content: {kind}). Use the .xlsx template."),
                             name=name, kind=kind)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
        total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise InputFileError(N_("'{name}' is corrupt or not an Excel file."), name=name) from None
    if "xl/workbook.xml" not in names:
        raise InputFileError(N_("'{name}' is a ZIP archive but not an Excel workbook."), name=name)
    if total > L.MAX_UNCOMPRESSED:
        raise InputFileError(N_("The file's uncompressed content ({size} MB) exceeds the limit: file rejected."),
                             size=number_param(total / 1e6))
    if "xl/vbaProject.bin" in names:
        warnings.append(N_("Macro workbook (.xlsm): macros are ignored, only the values are read."))
    try:
        small, notes = sanitise(zf, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError):
        raise InputFileError(N_("'{name}' is corrupt or not an Excel file."), name=name) from None
    try:
        wb = load_workbook(io.BytesIO(small), data_only=True, read_only=False, keep_vba=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on malformed content
        raise InputFileError(N_("Cannot read '{name}': {detail}"), name=name, detail=_short(exc)) from None
    try:
        formulas = load_workbook(io.BytesIO(small), data_only=False, read_only=False, keep_vba=False,
                                 keep_links=False)
    except Exception:  # noqa: BLE001 - the values were read; formulas only improve one message
        formulas = None
    return wb, formulas, warnings, notes


def _short(exc: object, n: int = 200) -> str:
    s = str(exc)
    return s if len(s) <= n else s[:n] + "…"


# ----------------------------------------------------------------- bounded reading
#: Rows and columns of a sheet that are read: the template needs rows 1-505 and ~60 columns.
MAX_ROW = 1000
MAX_COL = 200
MAX_MERGED_CELLS = 10_000  # cells covered by one merged range (openpyxl makes an object per cell)
MAX_MERGES = 1_000
MAX_SHEETS = 50
MAX_PARTS = 2_000
MAX_MERGE_RANGES_EXAMINED = 100_000
MAX_CELLS_EXAMINED = 200_000  # cells with a value looked at in one sheet (500 sites x 60 columns is 30,000)
#: Parts openpyxl parses besides the sheets, with the most they may hold.
PART_LIMITS = {"xl/sharedStrings.xml": 50_000_000, "xl/styles.xml": 10_000_000, "xl/workbook.xml": 5_000_000,
               "[Content_Types].xml": 1_000_000, "_rels/.rels": 1_000_000, "xl/_rels/workbook.xml.rels": 1_000_000,
               "xl/theme/theme1.xml": 5_000_000, "docProps/core.xml": 1_000_000}
MAX_SHARED_STRINGS = 300_000
MAX_SHEET_HEAD = 4_000_000  # everything before <sheetData>: views, column widths and hidden columns

_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


@dataclass
class SanitiseNote:
    """Something in the upload that was not read: where and what."""

    code: str  # data_beyond_rows | data_beyond_columns | merge_too_large
    sheet_part: str
    sheet: str = ""  # the sheet's name, filled by sanitise
    row: int | None = None
    column: int | None = None
    ref: str = ""


def sanitise(zf: zipfile.ZipFile, name: str = "upload.xlsx") -> tuple[bytes, list[SanitiseNote]]:
    """A small copy of the workbook holding only what the checker reads.

    Kept: the workbook, styles, shared strings, theme and every worksheet reduced to its cells
    that hold a value or a formula within rows 1-:data:`MAX_ROW` and columns 1-:data:`MAX_COL`,
    with its column widths and hidden flags and its merged ranges. Left out: formatted empty
    cells (however many), drawings, images, comments, external links, macros, validations.
    Everything is found with byte searches (no XML tree of the whole sheet is ever built), so
    100 MB of formatted empty rows cost a second, not gigabytes. What holds data but lies beyond
    the caps is returned as notes for the checker to report.
    """
    infos = zf.infolist()
    sheets = [i for i in infos if _SHEET_PART.fullmatch(i.filename)]
    if len(infos) > MAX_PARTS or len(sheets) > MAX_SHEETS:
        raise InputFileError(
            N_("'{name}' holds {sheets} sheets and {parts} parts: the template has 4 sheets. Copy the data into a "
               "fresh template and upload it again."),
            name=name, sheets=number_param(len(sheets)), parts=number_param(len(infos)))
    notes: list[SanitiseNote] = []
    parts: dict[str, bytes] = {}
    for info in infos:
        n = info.filename
        if _SHEET_PART.fullmatch(n):
            parts[n] = _sanitise_sheet(_read(zf, info, L.MAX_UNCOMPRESSED), n, notes)
        elif n in PART_LIMITS:
            part = _read(zf, info, PART_LIMITS[n])
            if n == "xl/sharedStrings.xml" and part.count(b"<si") > MAX_SHARED_STRINGS:
                raise InputFileError(
                    N_("'{name}' holds more than {count} distinct texts: remove the sheets that are not in the "
                       "template and upload it again."), name=name, count=number_param(MAX_SHARED_STRINGS))
            parts[n] = part
    if "xl/styles.xml" in parts:
        _keep_used_styles(parts, name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        for n, part in parts.items():
            z.writestr(n, part)
    names = _sheet_names(zf)
    for note in notes:
        note.sheet = names.get(note.sheet_part, note.sheet_part)
    return out.getvalue(), notes


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, from the workbook and its relationships (small files, checked above)."""
    import posixpath
    from xml.etree import ElementTree as ET

    try:
        wb = ET.fromstring(_read(zf, zf.getinfo("xl/workbook.xml"), PART_LIMITS["xl/workbook.xml"]))
        rels = ET.fromstring(_read(zf, zf.getinfo("xl/_rels/workbook.xml.rels"),
                                   PART_LIMITS["xl/_rels/workbook.xml.rels"]))
    except (KeyError, ET.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            t = target.get(rid, "")
            part = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
            out[part] = el.get("name", "")
    return out


#: Cell formats (cellXfs) openpyxl reads at ~70 µs each: above this, only those the kept cells use are kept.
MAX_CELL_FORMATS = 2_000
_XF_SECTION = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.DOTALL)
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.DOTALL)
_STYLE_REF = re.compile(rb'(<(?:[A-Za-z_][\w.-]*:)?(?:c|row|col)\b[^>]*?\b(?:s|style)=")(\d+)(")')


def _keep_used_styles(parts: dict[str, bytes], name: str) -> None:
    """Cut a bloated list of cell formats down to those the kept cells, rows and columns use.

    Excel allows 64,000 formats and a crafted file 140,000 in 9 MB, which openpyxl takes ~10 s to
    read; the checker needs only a few (dates are told apart by their number format)."""
    styles = parts["xl/styles.xml"]
    if styles.count(b"<xf") <= MAX_CELL_FORMATS:
        return
    section = _XF_SECTION.search(styles)
    if section is None:
        raise InputFileError(N_("'{name}': unreadable cell styles."), name=name)
    xfs = [m.group(0) for m in _XF.finditer(styles, section.start(1), section.end(1))]
    used: set[int] = set()
    for n, part in parts.items():
        if _SHEET_PART.fullmatch(n):
            used.update(int(m.group(2)) for m in _STYLE_REF.finditer(part))
    keep = [0] + sorted(i for i in used if 0 < i < len(xfs))  # 0 is the default format
    new_id = {old: new for new, old in enumerate(keep)}
    body = b"".join(xfs[i] for i in keep)
    head = styles[:section.start()] + b'<cellXfs count="' + str(len(keep)).encode() + b'">'
    parts["xl/styles.xml"] = head + body + styles[section.end(1):]
    for n, part in list(parts.items()):
        if _SHEET_PART.fullmatch(n):
            parts[n] = _STYLE_REF.sub(lambda m: m.group(1) + str(new_id.get(int(m.group(2)), 0)).encode()
                                      + m.group(3), part)


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise InputFileError(
            N_("Part '{part}' of the file is too large ({size} MB): remove unneeded sheets, pictures or formatting."),
            part=info.filename, size=number_param(info.file_size / 1e6))
    with zf.open(info) as fh:
        data = fh.read(limit + 1)  # the declared size may lie; never read more than the limit
    if len(data) > limit:
        raise InputFileError(N_("Part '{part}' of the file is too large."), part=info.filename)
    return data


_ATTR_R = re.compile(rb'\br="([A-Za-z]*)(\d*)"')
_VALUE_MARK = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is|f)[\s>/]")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _letters(col: int) -> bytes:
    s = b""
    while col:
        col, rem = divmod(col - 1, 26)
        s = bytes([65 + rem]) + s
    return s


def _sanitise_sheet(xml: bytes, part: str, notes: list[SanitiseNote]) -> bytes:
    m = re.search(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>", xml)
    if m is None:  # no cells at all
        if len(xml) > MAX_SHEET_HEAD:
            raise InputFileError(N_("Sheet part '{part}' is too large and holds no cells."), part=part)
        return xml
    prefix = m.group(1)
    head = xml[:m.start()]
    if len(head) > MAX_SHEET_HEAD:
        raise InputFileError(N_("Sheet part '{part}' has an oversized header."), part=part)
    head = re.sub(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>", b"", head)
    if m.group(2):  # <sheetData/>: no cells at all
        end = m.end()
    else:
        end = xml.find(b"</" + prefix + b"sheetData>", m.end())
        if end < 0:
            raise ValueError("unterminated sheetData")
    tail = xml[end:]
    rows = _kept_rows(xml, m.end(), end, prefix, part, notes)  # bounds, not a copy of a 100 MB body
    merges = _kept_merges(tail, prefix, part, notes)
    close = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?worksheet\s*>", tail)
    return b"".join([head, b"<", prefix, b"sheetData>", rows, b"</", prefix, b"sheetData>", merges,
                     close.group(0) if close else b"</" + prefix + b"worksheet>"])


def _kept_rows(body: bytes, lo: int, hi: int, p: bytes, part: str, notes: list[SanitiseNote]) -> bytes:
    """Rows (and their cells) of ``body[lo:hi]`` that hold a value, found from the values, never by
    walking every row."""
    row_open, row_close, cell_open, cell_close = b"<" + p + b"row", b"</" + p + b"row>", b"<" + p + b"c", \
        b"</" + p + b"c>"
    out: list[bytes] = []
    pos = lo
    rows_seen_at, rows_seen = lo, 0  # for rows without an r attribute: count the <row> tags before
    last_row = 0
    beyond_cols_noted = False
    budget = [MAX_CELLS_EXAMINED]
    while True:
        mark = _VALUE_MARK.search(body, pos, hi)
        if mark is None:
            break
        start = _rfind_tag(body, row_open, mark.start(), lo)
        if start < 0:  # a value outside any row: not a cell
            pos = mark.end()
            continue
        tag_end = body.find(b">", start, hi)
        self_closing = body[tag_end - 1:tag_end] == b"/"
        end = tag_end + 1 if self_closing else body.find(row_close, tag_end, hi)
        end = hi if end < 0 else end + (0 if self_closing else len(row_close))
        tag = body[start:tag_end + 1]
        r = re.search(rb'\br="(\d+)"', tag)
        if r:
            row = int(r.group(1))
        else:
            rows_seen += body.count(row_open, rows_seen_at, start + len(row_open))  # this row's tag included
            rows_seen_at = start + len(row_open)
            row = rows_seen
        pos = end
        if row > MAX_ROW:
            notes.append(SanitiseNote("data_beyond_rows", part, row=row))
            break
        if row <= last_row:  # rows out of order: keep the first copy only
            continue
        last_row = row
        cells, beyond = _kept_cells(body, tag_end + 1, end, cell_open, cell_close, row, budget)
        if budget[0] <= 0:
            raise InputFileError(N_("Sheet part '{part}' holds too many cells with values: the template takes at "
                                    "most {max_sites} sites."), part=part, max_sites=L.MAX_SITES)
        if beyond and not beyond_cols_noted:
            notes.append(SanitiseNote("data_beyond_columns", part, row=row, column=beyond))
            beyond_cols_noted = True
        if cells:
            attrs = re.sub(rb'\s(?:r|spans)="[^"]*"', b"", tag[len(row_open):].rstrip(b"/>").rstrip(b">"))
            out.append(b"".join([row_open, b' r="', str(row).encode(), b'"', attrs, b">", *cells, row_close]))
    return b"".join(out)


def _rfind_tag(body: bytes, tag: bytes, before: int, lo: int) -> int:
    """Start of the last ``tag`` element (not a longer name, like <c vs <color) in ``body[lo:before]``."""
    i = before
    while True:
        i = body.rfind(tag, lo, i)
        if i < 0:
            return -1
        nxt = body[i + len(tag): i + len(tag) + 1]
        if nxt in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            return i


def _kept_cells(body: bytes, content: int, row_end: int, cell_open: bytes, cell_close: bytes,
                row: int, budget: list[int]) -> tuple[list[bytes], int | None]:
    cells: list[bytes] = []
    pos = content
    col_prev = 0
    anchor_at, anchor_col = content, 0  # the last cell seen: a cell without a reference follows it
    while True:
        budget[0] -= 1
        if budget[0] <= 0:
            return cells, None
        mark = _VALUE_MARK.search(body, pos, row_end)
        if mark is None:
            return cells, None
        c_start = _rfind_tag(body, cell_open, mark.start(), content)
        if c_start < 0:
            pos = mark.end()
            continue
        c_end = body.find(cell_close, mark.start(), row_end)
        c_end = row_end if c_end < 0 else c_end + len(cell_close)
        c_tag_end = body.find(b">", c_start)
        ref = _ATTR_R.search(body, c_start, c_tag_end)
        if ref and ref.group(1):
            col = _col_index(ref.group(1))
            cell = body[c_start:c_end]
        else:  # no reference: the cell follows the previous one (empty ones included)
            tags = re.compile(re.escape(cell_open) + rb"[\s>/]")
            col = anchor_col + 1 + len(tags.findall(body, anchor_at, c_start))
            cell = cell_open + b' r="' + _letters(col) + str(row).encode() + b'"' + body[c_start + len(cell_open):c_end]
        pos = c_end
        anchor_at, anchor_col = c_start + 1, col
        if col > MAX_COL:
            return cells, col
        if col <= col_prev:
            continue
        col_prev = col
        cells.append(cell)


_MERGE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _kept_merges(tail: bytes, p: bytes, part: str, notes: list[SanitiseNote]) -> bytes:
    kept = []
    for seen, m in enumerate(_MERGE.finditer(tail)):
        if seen >= MAX_MERGE_RANGES_EXAMINED:
            break
        c1, r1 = _col_index(m.group(1)), int(m.group(2))
        c2, r2 = (_col_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
        ref = (m.group(1) + m.group(2) + (b":" + m.group(3) + m.group(4) if m.group(3) else b"")).decode()
        if r1 > MAX_ROW or c1 > MAX_COL:
            continue
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_MERGED_CELLS or r2 > MAX_ROW or c2 > MAX_COL:
            notes.append(SanitiseNote("merge_too_large", part, row=r1, column=c1, ref=ref))
            continue
        kept.append(b'<' + p + b'mergeCell ref="' + ref.encode() + b'"/>')
        if len(kept) >= MAX_MERGES:
            break
    if not kept:
        return b""
    return b"".join([b"<", p, b'mergeCells count="', str(len(kept)).encode(), b'">', *kept, b"</", p,
                     b"mergeCells>"])


def _is_text(data: bytes) -> bool:
    try:
        data[:2000].decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
