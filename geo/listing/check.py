"""Check an uploaded workbook: every problem at once, each tied to its cell.

Field rules are those of :mod:`geo.schema` (run through
:func:`~geo.schema.validate_record` with the ISTAT place index); this module
only reads the workbook, maps each issue to sheet / row / column, and adds the
workbook-level problems (missing or renamed sheets and columns, formulas
without a cached value, merged cells, duplicates, too many rows).
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from geo.errors import InputFileError, UserError
from geo.i18n import N_, translator
from geo.listing import layout as L
from geo.listing.completeness import completeness
from geo.listing.workbook import MAX_COL, MAX_ROW, open_workbook, read_bytes
from geo.schema import FIELD, Field, Issue, validate_record
from geo.schema.coerce import FieldError, coerce_value, is_blank


@dataclass(frozen=True)
class CellIssue:
    """A problem located in the workbook; its text is made in the reader's language when shown.

    ``text`` is an English message marked ``N_`` with ``{placeholders}`` filled from ``params``
    (numbers formatted by Babel in the reader's locale); a field rule's problem keeps its
    :class:`~geo.schema.Issue` and a file problem its :class:`~geo.errors.UserError` instead.
    """

    code: str
    severity: str
    text: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # letter
    header: str | None = None  # field key
    value: Any = None
    issue: Issue | None = None
    error: UserError | None = field(default=None, compare=False, hash=False)
    #: the English plural of ``text`` (marked with :func:`ngettext`), chosen by ``params["n"]``
    plural: str = ""

    def message(self, lang: str = "en") -> str:
        if self.issue is not None:
            return self.issue.message(lang)
        if self.error is not None:
            return self.error.message(lang)
        _ = translator(lang)
        params = {k: _.number(v, 2) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                  for k, v in self.params.items()}
        if "{label}" in self.text:  # the label of the column's field, in the reader's language
            params["label"] = FIELD[self.header].label(lang) if self.header in FIELD else (self.header or "")
        text = _.ngettext(self.text, self.plural, self.params["n"]) if self.plural else _(self.text)
        return text.format(**params)

    def expected(self, lang: str = "en") -> str:
        """What the cell should hold (for a field rule's problem), in ``lang``."""
        f = FIELD.get(self.header) if self.issue is not None and self.header else None
        return expected(f, lang) if f else ""

    def where(self, lang: str = "en") -> str:
        _ = translator(lang)
        parts = []
        if self.sheet:
            parts.append(self.sheet)
        if self.row:
            parts.append(_("row {row}").format(row=self.row))
        if self.column:
            label = FIELD[self.header].label(lang) if self.header in FIELD else ""
            parts.append(_("column {column} ({label})").format(column=self.column, label=label) if label else
                         _("column {column}").format(column=self.column))
        return ", ".join(parts)


@dataclass
class SiteRow:
    row: int
    raw: dict[str, Any]
    record: dict[str, Any]
    completeness: float
    missing: list[str]


@dataclass
class CheckResult:
    sites: list[SiteRow] = field(default_factory=list)
    owner: dict[str, Any] = field(default_factory=dict)
    issues: list[CellIssue] = field(default_factory=list)
    file_sha256: str = ""
    file_name: str = ""

    @property
    def errors(self) -> list[CellIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.sites)

    def report(self, lang: str = "en") -> str:
        """Every issue, one line each, in ``lang`` (what the command line prints)."""
        _ = translator(lang)
        lines = []
        for i in self.issues:
            parts = [_("ERROR") if i.severity == "error" else _("WARNING"), f"{i.where(lang)}:", i.message(lang)]
            if i.value not in (None, ""):
                parts.append(_("[value: {value}]").format(value=repr(i.value)))
            if i.expected(lang):
                parts.append("— " + _("expected: {expected}").format(expected=i.expected(lang)))
            lines.append(" ".join(parts).replace(" : ", ": "))
        return "\n".join(lines)


def expected(f: Field, lang: str) -> str:
    """What a cell of field ``f`` should hold, in ``lang`` (as the checker's "expected" column says)."""
    _ = translator(lang)
    k = f.kind
    if k in ("enum", "multi"):
        labels = "; ".join(f.choice_label(c, lang) for c in f.choices)
        return (_("one of: {labels}") if k == "enum" else _("one or more of: {labels}")).format(labels=labels)
    if k in ("float", "int"):
        rng = []
        if f.min is not None:
            rng.append(f">= {_.number(f.min, 6)}")
        if f.max is not None:
            rng.append(f"<= {_.number(f.max, 6)}")
        base = _("whole number") if k == "int" else _("number")
        return " ".join([base] + rng) + (f" {f.unit_text(lang)}" if f.unit else "")
    texts = {"date": N_("dd/mm/yyyy"), "bool": N_("Yes/No"), "istat": N_("6 digits, e.g. 019036"),
             "email": N_("name@domain.com"), "lat": N_("decimal degrees, ~45"), "lon": N_("decimal degrees, ~9-11"),
             "geometry": N_("WKT/GeoJSON polygon"), "list": N_("sheet/parcel; ...")}
    return _(texts[k]) if k in texts else ""


def ngettext(singular: str, plural: str, n: int) -> dict[str, str]:
    """Mark a :class:`CellIssue` message that has a plural (extracted as gettext's ``ngettext``); returns its
    ``text`` and ``plural`` arguments. Put the count in the issue's ``params`` as ``n``."""
    return {"text": singular, "plural": plural}


def _file_issue(exc: InputFileError) -> CellIssue:
    return CellIssue("file", "error", error=exc)


def _find_sheet(wb, wanted: str, issues: list[CellIssue]):
    if wanted in wb.sheetnames:
        return wb[wanted]
    close = difflib.get_close_matches(wanted, wb.sheetnames, n=1, cutoff=0.5)
    found = ", ".join(wb.sheetnames)
    text = (N_("Sheet '{wanted}' is missing (sheets found: {found}). Perhaps '{close}' was renamed: restore its "
               "name.") if close else N_("Sheet '{wanted}' is missing (sheets found: {found})."))
    issues.append(CellIssue("missing_sheet", "error", text, {"wanted": wanted, "found": found,
                                                             "close": close[0] if close else ""}))
    return None


def _cell_value(ws, fws, row: int, col: int, issues: list[CellIssue], key: str):
    v = ws.cell(row, col).value
    if v is None and fws is not None:
        f = fws.cell(row, col).value
        if isinstance(f, str) and f.startswith("="):
            issues.append(CellIssue("formula_no_value", "error",
                                    N_("Formula without a computed value: open the file in Excel, save it and upload "
                                       "again (or replace the formula with its value)."),
                                    sheet=ws.title, row=row, column=get_column_letter(col), header=key, value=f))
    if isinstance(v, str):
        v = v.strip()
    return v


def _merged(ws, issues: list[CellIssue], min_row: int) -> None:
    for rng in ws.merged_cells.ranges:
        if rng.max_row >= min_row:
            issues.append(CellIssue("merged_cells", "warning",
                                    N_("Merged cells {cells}: only the first cell is read; unmerge them."),
                                    {"cells": rng.coord}, sheet=ws.title, row=rng.min_row,
                                    column=get_column_letter(rng.min_col)))


def _locate(issue: Issue, ws_title: str, row: int, cols: dict[str, int], raw: dict[str, Any]) -> CellIssue:
    key = issue.key
    col = cols.get(key)
    return CellIssue(issue.code, issue.severity, sheet=ws_title, row=row,
                     column=get_column_letter(col) if col else None, header=key, value=_shorten(raw.get(key)),
                     issue=issue)


def _shorten(v: Any, n: int = 80) -> Any:
    """A value as shown back in a message: long texts and 400-digit numbers cut."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**15:
        v = str(v)
    if isinstance(v, str) and len(v) > n:
        return v[: n - 1] + "…"
    return v


def _same_as_example(raw: dict[str, Any], example: dict[str, Any]) -> bool:
    """Whether a row repeats the example, read as values (a label and its code are the same choice)."""
    if not any(not is_blank(v) for v in raw.values()):
        return False
    if str(raw.get("title_it") or "").strip() != str(example.get("title_it") or "").strip():
        return False  # the cheap test first: most rows differ by title
    for k, v in raw.items():
        try:
            if coerce_value(FIELD[k], v) != coerce_value(FIELD[k], example.get(k)):
                return False
        except FieldError:
            if v != example.get(k):
                return False
    return True


def _hidden_rows(ws) -> set[int]:
    """Rows hidden, or of zero height, in a (sanitised, so small) sheet."""
    out = set()
    for r, dim in ws.row_dimensions.items():
        if dim.hidden or (dim.customHeight and dim.ht is not None and dim.ht <= 0.5):
            out.add(r)
    return out


def _hidden_columns(ws) -> set[int]:
    out: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden or (dim.customWidth and dim.width is not None and dim.width <= 0.1):
            lo = dim.min or 1
            hi = min(dim.max or lo, MAX_COL)
            out.update(range(lo, hi + 1))
    return out


def _hidden_issue(sheet: str, row: int, column: str | None, key: str | None, value: Any = None,
                  column_hidden: bool = False, rows_count: int = 1) -> CellIssue:
    if column_hidden:
        text = ngettext("Column {column} is hidden but holds data ({n} row): it is read and submitted. "
                        "Unhide it and check it.",
                        "Column {column} is hidden but holds data ({n} rows): it is read and submitted. "
                        "Unhide it and check it.", rows_count)
    else:
        text = {"text": N_("Row {row} is hidden but holds data: it is read and submitted. Unhide it and check it.")}
    return CellIssue("hidden_data", "warning", params={"column": column, "n": rows_count, "row": str(row)}, **text,
                     sheet=sheet, row=row, column=column, header=key,
                     value=_shorten(value))


def _hidden_sheets(wb) -> list[CellIssue]:
    out = []
    for ws in wb.worksheets:
        hidden = ws.sheet_state != "visible"
        if ws.title in (L.SHEET_INSTRUCTIONS, L.SHEET_LISTS):
            continue
        has_data = any(c.value is not None for row in ws.iter_rows() for c in row)
        if ws.title in (L.SHEET_OWNER, L.SHEET_SITES):
            if hidden:
                out.append(CellIssue("hidden_sheet", "warning",
                                     N_("Sheet '{sheet}' is hidden: it is read all the same. Unhide it and check it."),
                                     {"sheet": ws.title}, sheet=ws.title))
        elif has_data:
            text = (N_("Sheet '{sheet}' (hidden, not in the template) holds data that is not read: sites go in the "
                       "sheet '{sites}'.") if hidden else
                    N_("Sheet '{sheet}' (not in the template) holds data that is not read: sites go in the sheet "
                       "'{sites}'."))
            out.append(CellIssue("extra_sheet", "warning", text, {"sheet": ws.title, "sites": L.SHEET_SITES},
                                 sheet=ws.title))
    return out


def _note_issues(notes) -> list[CellIssue]:
    out = []
    for n in notes:
        if n.sheet not in (L.SHEET_OWNER, L.SHEET_SITES):
            continue  # other sheets are not read at all
        if n.code == "data_beyond_rows":
            out.append(CellIssue("data_beyond_rows", "error",
                                 N_("Data at row {row}: the template is read down to row {last_row} (at most "
                                    "{max_sites} sites). Delete the extra rows."),
                                 {"row": n.row, "last_row": str(MAX_ROW), "max_sites": L.MAX_SITES},
                                 sheet=n.sheet, row=n.row))
        elif n.code == "data_beyond_columns":
            col = get_column_letter(min(n.column, 16384))
            out.append(CellIssue("data_beyond_columns", "warning",
                                 N_("Data in column {column}, beyond the template's columns: ignored."),
                                 {"column": col}, sheet=n.sheet, row=n.row, column=col))
        elif n.code == "merge_too_large":
            out.append(CellIssue("merged_cells", "warning",
                                 N_("Merged cells {cells} too large: ignored; unmerge them."),
                                 {"cells": n.ref}, sheet=n.sheet, row=n.row, column=get_column_letter(n.column)))
    return out


#: How many workbooks :func:`check_workbook` has checked in this process (see :func:`checks_run`).
_RUNS = [0]


def checks_run() -> int:
    """How many workbooks this process has checked: a page that caches results per file re-checks none."""
    return _RUNS[0]


def check_workbook(source: str | Path | bytes, places=None, *, name: str | None = None) -> CheckResult:
    """Check an owner's workbook and collect every problem.

    Parameters
    ----------
    source
        Path or bytes of the upload.
    places
        :class:`geo.places.MunicipalityIndex` for the spatial rules (from ``catalogue.places()``).
    name
        The file's name as the owner knows it (an upload's), used in messages; default: the path's name.

    Returns
    -------
    CheckResult
        Typed records of the valid-looking rows, and every issue with its cell.
        ``result.ok`` is true when there is at least one site and no error.
    """
    _RUNS[0] += 1
    res = CheckResult()
    try:
        data, read_name = read_bytes(source)
        name = name or read_name
        res.file_sha256, res.file_name = hashlib.sha256(data).hexdigest(), name
        wb, fwb, warns, notes = open_workbook(data, name)
    except InputFileError as exc:
        res.issues.append(_file_issue(exc))
        return res
    for text in warns:
        res.issues.append(CellIssue("macro_workbook", "warning", text))
    res.issues.extend(_note_issues(notes))
    res.issues.extend(_hidden_sheets(wb))

    # ---- owner sheet
    own = _find_sheet(wb, L.SHEET_OWNER, res.issues)
    owner_raw: dict[str, Any] = {}
    owner_rows: dict[str, int] = {}
    if own is not None:
        fown = fwb[L.SHEET_OWNER] if fwb is not None and L.SHEET_OWNER in fwb.sheetnames else None
        hidden_rows, hidden_cols = _hidden_rows(own), _hidden_columns(own)
        for r in range(2, own.max_row + 1):
            key = own.cell(r, 1).value
            if isinstance(key, str) and key.strip() in FIELD:
                key = key.strip()
                value = _cell_value(own, fown, r, L.OWNER_VALUE_COL, res.issues, key)
                if key in owner_rows:  # never last-wins: a second row could swap the contact e-mail unseen
                    first = owner_rows[key]
                    res.issues.append(CellIssue(
                        "duplicate_owner_key", "error",
                        N_("Row '{key}' appears twice (rows {first} and {row}): keep only one."),
                        {"key": key, "first": str(first), "row": str(r)},
                        sheet=own.title, row=r, column="A", header=key, value=_shorten(value)))
                    continue
                owner_raw[key] = value
                owner_rows[key] = r
                if not is_blank(value) and (r in hidden_rows or L.OWNER_VALUE_COL in hidden_cols):
                    res.issues.append(_hidden_issue(own.title, r, get_column_letter(L.OWNER_VALUE_COL), key,
                                                    value, column_hidden=r not in hidden_rows))
        for f in L.owner_sheet_fields():
            if f.key not in owner_rows:
                res.issues.append(CellIssue("missing_row", "error", N_("Owner sheet: row '{key}' is missing."),
                                            {"key": f.key}, sheet=L.SHEET_OWNER))
        o_rec, o_issues = validate_record(owner_raw, None, fields=L.owner_sheet_fields())
        res.owner = o_rec
        for i in o_issues:
            r = owner_rows.get(i.key)
            res.issues.append(CellIssue(i.code, i.severity, sheet=L.SHEET_OWNER, row=r, column="D" if r else None,
                                        header=i.key, value=_shorten(owner_raw.get(i.key)), issue=i))
        _merged(own, res.issues, 2)

    # ---- sites sheet
    ws = _find_sheet(wb, L.SHEET_SITES, res.issues)
    if ws is None:
        return res
    fws = fwb[L.SHEET_SITES] if fwb is not None and L.SHEET_SITES in fwb.sheetnames else None
    header = {c: (ws.cell(L.ROW_KEYS, c).value or "") for c in range(1, ws.max_column + 1)}
    cols: dict[str, int] = {}
    for c, key in header.items():
        key = str(key).strip()
        if key in FIELD and FIELD[key].sheet == "sites":
            if key in cols:  # never last-wins: which of the two would the owner expect?
                first = get_column_letter(cols[key])
                res.issues.append(CellIssue(
                    "duplicate_column", "error",
                    N_("Column '{key}' appears twice (columns {first} and {column}): keep only one."),
                    {"key": key, "first": first, "column": get_column_letter(c)},
                    sheet=ws.title, row=L.ROW_KEYS, column=get_column_letter(c), header=key, value=key))
                continue
            cols[key] = c
        elif key and key != L.EXAMPLE_MARK:
            close = difflib.get_close_matches(key, [f.key for f in L.site_fields()], n=1, cutoff=0.6)
            text = (N_("Column '{key}' is not in the template: ignored. (did you mean '{close}'?)") if close else
                    N_("Column '{key}' is not in the template: ignored."))
            res.issues.append(CellIssue("extra_column", "warning", text,
                                        {"key": key, "close": close[0] if close else ""},
                                        sheet=ws.title, row=L.ROW_KEYS, column=get_column_letter(c), value=key))
    missing = [f for f in L.site_fields() if f.key not in cols]
    for f in missing:
        sev = "error" if f.required else "warning"
        res.issues.append(CellIssue("missing_column", sev, N_("Column '{key}' ({label}) is missing from row {row}."),
                                    {"key": f.key, "row": str(L.ROW_KEYS)}, sheet=ws.title, row=L.ROW_KEYS,
                                    header=f.key))
    _merged(ws, res.issues, L.FIRST_DATA_ROW)

    rows: list[tuple[int, dict[str, Any]]] = []
    example_row = {k: ws.cell(L.ROW_EXAMPLE, c).value for k, c in cols.items()}
    for r in range(L.FIRST_DATA_ROW, ws.max_row + 1):
        raw = {k: _cell_value(ws, fws, r, c, res.issues, k) for k, c in cols.items()}
        if all(is_blank(v) for v in raw.values()):
            continue
        if _same_as_example(raw, example_row):
            res.issues.append(CellIssue("example_row_copied", "error",
                                        N_("Row identical to the example: replace it with real data or delete it."),
                                        sheet=ws.title, row=r))
            continue
        rows.append((r, raw))
    hidden_rows, hidden_cols = _hidden_rows(ws), _hidden_columns(ws)
    for r, raw in rows:
        if r in hidden_rows:
            res.issues.append(_hidden_issue(ws.title, r, None, None, raw.get("title_it")))
    for key, c in cols.items():
        if c in hidden_cols:
            filled = [r for r, raw in rows if not is_blank(raw.get(key))]
            if filled:
                res.issues.append(_hidden_issue(ws.title, filled[0], get_column_letter(c), key, rows_count=len(filled),
                                                value=dict(rows)[filled[0]].get(key), column_hidden=True))
    if len(rows) > L.MAX_SITES:
        res.issues.append(CellIssue("too_many_rows", "error", N_("{rows} rows: at most {max_sites} sites per file."),
                                    {"rows": len(rows), "max_sites": L.MAX_SITES}, sheet=ws.title))
        return res
    if not rows:
        res.issues.append(CellIssue("no_sites", "error", N_("No site: fill in at least one row from row {row}."),
                                    {"row": str(L.FIRST_DATA_ROW)}, sheet=ws.title))
        return res

    seen: dict[tuple, int] = {}
    for r, raw in rows:
        rec, issues = validate_record(raw, places, fields=L.site_fields())
        for i in issues:
            res.issues.append(_locate(i, ws.title, r, cols, raw))
        ident = (rec.get("municipality_istat"), rec.get("lat"), rec.get("lon"), rec.get("title_it"))
        if rec.get("title_it") and ident in seen:
            res.issues.append(CellIssue("duplicate_row", "error",
                                        N_("Duplicate row: same title, municipality and coordinates as row {first}."),
                                        {"first": str(seen[ident])}, sheet=ws.title, row=r))
        seen.setdefault(ident, r)
        score, missing_keys = completeness(rec)
        res.sites.append(SiteRow(row=r, raw=raw, record=rec, completeness=score, missing=missing_keys))
    # Each message once per owner sheet issue, even if every row repeats it.
    uniq, out = set(), []
    for i in res.issues:
        k = (i.code, i.sheet, i.row, i.column, i.header)
        if k not in uniq:
            uniq.add(k)
            out.append(i)
    res.issues = out
    return res
