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

from geo.errors import InputFileError
from geo.listing import layout as L
from geo.listing.completeness import completeness
from geo.listing.workbook import MAX_COL, MAX_ROW, open_workbook, read_bytes
from geo.schema import FIELD, Field, Issue, validate_record
from geo.schema.coerce import FieldError, coerce_value, is_blank
from geo.schema.messages import fmt_number


@dataclass(frozen=True)
class CellIssue:
    """A problem located in the workbook."""

    code: str
    severity: str
    it: str
    en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # letter
    header: str | None = None  # field key
    value: Any = None
    expected_it: str = ""
    expected_en: str = ""

    def message(self, lang: str = "en") -> str:
        return self.it if lang == "it" else self.en

    def expected(self, lang: str = "en") -> str:
        return self.expected_it if lang == "it" else self.expected_en

    def where(self, lang: str = "en") -> str:
        parts = []
        if self.sheet:
            parts.append(self.sheet)
        if self.row:
            parts.append(("riga " if lang == "it" else "row ") + str(self.row))
        if self.column:
            label = FIELD[self.header].label(lang) if self.header in FIELD else ""
            parts.append(("colonna " if lang == "it" else "column ") + self.column + (f" ({label})" if label else ""))
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
        lines = []
        for i in self.issues:
            where = i.where(lang)
            tag = ("ERRORE" if lang == "it" else "ERROR") if i.severity == "error" else (
                "AVVISO" if lang == "it" else "WARNING")
            val = f" [{'valore' if lang == 'it' else 'value'}: {i.value!r}]" if i.value not in (None, "") else ""
            exp = f" — {'atteso' if lang == 'it' else 'expected'}: {i.expected(lang)}" if i.expected(lang) else ""
            lines.append(f"{tag} {where}: {i.message(lang)}{val}{exp}".replace(" : ", ": "))
        return "\n".join(lines)


def expected(f: Field, lang: str) -> str:
    it = lang == "it"
    k = f.kind
    if k in ("enum", "multi"):
        head = ("uno tra: " if it else "one of: ") if k == "enum" else ("uno o più tra: " if it else "one or more of: ")
        return head + "; ".join(f.choice_label(c, lang) for c in f.choices)
    if k in ("float", "int"):
        rng = []
        if f.min is not None:
            rng.append(f">= {f.min:g}")
        if f.max is not None:
            rng.append(f"<= {f.max:g}")
        base = ("numero intero" if it else "whole number") if k == "int" else ("numero" if it else "number")
        return " ".join([base] + rng) + (f" {f.unit_text(lang)}" if f.unit else "")
    return {"date": "gg/mm/aaaa" if it else "dd/mm/yyyy", "bool": "Sì/No" if it else "Yes/No",
            "istat": "6 cifre, es. 019036" if it else "6 digits, e.g. 019036",
            "email": "nome@dominio.it" if it else "name@domain.com",
            "lat": "gradi decimali, ~45" if it else "decimal degrees, ~45",
            "lon": "gradi decimali, ~9-11" if it else "decimal degrees, ~9-11",
            "geometry": "WKT/GeoJSON poligono" if it else "WKT/GeoJSON polygon",
            "list": "foglio/mappale; ..." if it else "sheet/parcel; ..."}.get(k, "")


def _file_issue(exc: InputFileError) -> CellIssue:
    return CellIssue("file", "error", exc.message("it"), exc.message("en"))


def _sheet_issue(code: str, it: str, en: str, sheet: str | None = None, severity: str = "error",
                 **kw) -> CellIssue:
    return CellIssue(code, severity, it, en, sheet=sheet, **kw)


def _find_sheet(wb, wanted: str, issues: list[CellIssue]):
    if wanted in wb.sheetnames:
        return wb[wanted]
    close = difflib.get_close_matches(wanted, wb.sheetnames, n=1, cutoff=0.5)
    found = ", ".join(wb.sheetnames)
    hint_it = f" Forse «{close[0]}» è stato rinominato: ripristinare il nome." if close else ""
    hint_en = f" Perhaps '{close[0]}' was renamed: restore its name." if close else ""
    issues.append(_sheet_issue("missing_sheet", f"Manca il foglio «{wanted}» (fogli presenti: {found}).{hint_it}",
                               f"Sheet '{wanted}' is missing (sheets found: {found}).{hint_en}"))
    return None


def _cell_value(ws, fws, row: int, col: int, issues: list[CellIssue], key: str):
    v = ws.cell(row, col).value
    if v is None and fws is not None:
        f = fws.cell(row, col).value
        if isinstance(f, str) and f.startswith("="):
            issues.append(CellIssue("formula_no_value", "error",
                                    "Formula senza valore calcolato: aprire il file in Excel, salvarlo e ricaricarlo "
                                    "(o sostituire la formula con il valore).",
                                    "Formula without a computed value: open the file in Excel, save it and upload "
                                    "again (or replace the formula with its value).",
                                    sheet=ws.title, row=row, column=get_column_letter(col), header=key, value=f))
    if isinstance(v, str):
        v = v.strip()
    return v


def _merged(ws, issues: list[CellIssue], min_row: int) -> None:
    for rng in ws.merged_cells.ranges:
        if rng.max_row >= min_row:
            issues.append(CellIssue("merged_cells", "warning",
                                    f"Celle unite {rng.coord}: si legge solo la prima cella; separarle.",
                                    f"Merged cells {rng.coord}: only the first cell is read; unmerge them.",
                                    sheet=ws.title, row=rng.min_row, column=get_column_letter(rng.min_col)))


def _locate(issue: Issue, ws_title: str, row: int, cols: dict[str, int], raw: dict[str, Any]) -> CellIssue:
    key = issue.key
    col = cols.get(key)
    f = FIELD.get(key)
    return CellIssue(issue.code, issue.severity, issue.message("it"), issue.message("en"), sheet=ws_title,
                     row=row, column=get_column_letter(col) if col else None, header=key,
                     value=_shorten(raw.get(key)), expected_it=expected(f, "it") if f else "",
                     expected_en=expected(f, "en") if f else "")


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
        it = (f"La colonna {column} è nascosta ma contiene dati ({rows_count} righe): vengono letti e inviati. "
              "Scoprirla e controllarla.")
        en = (f"Column {column} is hidden but holds data ({rows_count} rows): it is read and submitted. "
              "Unhide it and check it.")
    else:
        it = f"La riga {row} è nascosta ma contiene dati: viene letta e inviata. Scoprirla e controllarla."
        en = f"Row {row} is hidden but holds data: it is read and submitted. Unhide it and check it."
    return CellIssue("hidden_data", "warning", it, en, sheet=sheet, row=row, column=column, header=key,
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
                                     f"Il foglio «{ws.title}» è nascosto: viene letto comunque. Scoprirlo e controllarlo.",
                                     f"Sheet '{ws.title}' is hidden: it is read all the same. Unhide it and check it.",
                                     sheet=ws.title))
        elif has_data:
            state_it, state_en = ("nascosto, ", "hidden, ") if hidden else ("", "")
            out.append(CellIssue("extra_sheet", "warning",
                                 f"Il foglio «{ws.title}» ({state_it}non previsto dal modello) contiene dati che non "
                                 "vengono letti: i siti vanno nel foglio «" + L.SHEET_SITES + "».",
                                 f"Sheet '{ws.title}' ({state_en}not in the template) holds data that is not read: "
                                 f"sites go in the sheet '{L.SHEET_SITES}'.", sheet=ws.title))
    return out


def _note_issues(notes) -> list[CellIssue]:
    out = []
    for n in notes:
        if n.sheet not in (L.SHEET_OWNER, L.SHEET_SITES):
            continue  # other sheets are not read at all
        if n.code == "data_beyond_rows":
            out.append(CellIssue("data_beyond_rows", "error",
                                 f"Dati alla riga {fmt_number(n.row, 'it')}: il modello legge le righe fino alla "
                                 f"{MAX_ROW} (al massimo {L.MAX_SITES} siti). Cancellare le righe in eccesso.",
                                 f"Data at row {fmt_number(n.row, 'en')}: the template is read down to row {MAX_ROW} "
                                 f"(at most {L.MAX_SITES} sites). Delete the extra rows.", sheet=n.sheet, row=n.row))
        elif n.code == "data_beyond_columns":
            col = get_column_letter(min(n.column, 16384))
            out.append(CellIssue("data_beyond_columns", "warning",
                                 f"Dati nella colonna {col}, oltre le colonne del modello: ignorati.",
                                 f"Data in column {col}, beyond the template's columns: ignored.",
                                 sheet=n.sheet, row=n.row, column=col))
        elif n.code == "merge_too_large":
            out.append(CellIssue("merged_cells", "warning",
                                 f"Celle unite {n.ref} troppo estese: ignorate; separarle.",
                                 f"Merged cells {n.ref} too large: ignored; unmerge them.",
                                 sheet=n.sheet, row=n.row, column=get_column_letter(n.column)))
    return out


def check_workbook(source: str | Path | bytes, places=None, lang: str = "it") -> CheckResult:
    """Check an owner's workbook and collect every problem.

    Parameters
    ----------
    source
        Path or bytes of the upload.
    places
        :class:`geo.places.MunicipalityIndex` for the spatial rules (from ``catalogue.places()``).

    Returns
    -------
    CheckResult
        Typed records of the valid-looking rows, and every issue with its cell.
        ``result.ok`` is true when there is at least one site and no error.
    """
    res = CheckResult()
    try:
        data, name = read_bytes(source)
        res.file_sha256, res.file_name = hashlib.sha256(data).hexdigest(), name
        wb, fwb, warns, notes = open_workbook(data, name)
    except InputFileError as exc:
        res.issues.append(_file_issue(exc))
        return res
    for it, en in warns:
        res.issues.append(CellIssue("macro_workbook", "warning", it, en))
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
                        f"La riga «{key}» compare due volte (righe {first} e {r}): lasciarne una sola.",
                        f"Row '{key}' appears twice (rows {first} and {r}): keep only one.",
                        sheet=own.title, row=r, column="A", header=key, value=_shorten(value)))
                    continue
                owner_raw[key] = value
                owner_rows[key] = r
                if not is_blank(value) and (r in hidden_rows or L.OWNER_VALUE_COL in hidden_cols):
                    res.issues.append(_hidden_issue(own.title, r, get_column_letter(L.OWNER_VALUE_COL), key,
                                                    value, column_hidden=r not in hidden_rows))
        for f in L.owner_sheet_fields():
            if f.key not in owner_rows:
                res.issues.append(_sheet_issue("missing_row", f"Foglio proprietario: manca la riga «{f.key}».",
                                               f"Owner sheet: row '{f.key}' is missing.", L.SHEET_OWNER))
        o_rec, o_issues = validate_record(owner_raw, None, fields=L.owner_sheet_fields())
        res.owner = o_rec
        for i in o_issues:
            r = owner_rows.get(i.key)
            res.issues.append(CellIssue(i.code, i.severity, i.message("it"), i.message("en"), sheet=L.SHEET_OWNER,
                                        row=r, column="D" if r else None, header=i.key,
                                        value=_shorten(owner_raw.get(i.key)),
                                        expected_it=expected(FIELD[i.key], "it"),
                                        expected_en=expected(FIELD[i.key], "en")))
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
                    f"La colonna «{key}» compare due volte (colonne {first} e {get_column_letter(c)}): "
                    "lasciarne una sola.",
                    f"Column '{key}' appears twice (columns {first} and {get_column_letter(c)}): keep only one.",
                    sheet=ws.title, row=L.ROW_KEYS, column=get_column_letter(c), header=key, value=key))
                continue
            cols[key] = c
        elif key and key != L.EXAMPLE_MARK:
            close = difflib.get_close_matches(key, [f.key for f in L.site_fields()], n=1, cutoff=0.6)
            hint = f" (forse «{close[0]}»?)" if close else ""
            res.issues.append(CellIssue("extra_column", "warning",
                                        f"Colonna «{key}» non prevista: ignorata.{hint}",
                                        f"Column '{key}' is not in the template: ignored." +
                                        (f" (did you mean '{close[0]}'?)" if close else ""),
                                        sheet=ws.title, row=L.ROW_KEYS, column=get_column_letter(c), value=key))
    missing = [f for f in L.site_fields() if f.key not in cols]
    for f in missing:
        sev = "error" if f.required else "warning"
        res.issues.append(CellIssue("missing_column", sev,
                                    f"Manca la colonna «{f.key}» ({f.label('it')}) nella riga {L.ROW_KEYS}.",
                                    f"Column '{f.key}' ({f.label('en')}) is missing from row {L.ROW_KEYS}.",
                                    sheet=ws.title, row=L.ROW_KEYS, header=f.key))
    _merged(ws, res.issues, L.FIRST_DATA_ROW)

    rows: list[tuple[int, dict[str, Any]]] = []
    example_row = {k: ws.cell(L.ROW_EXAMPLE, c).value for k, c in cols.items()}
    for r in range(L.FIRST_DATA_ROW, ws.max_row + 1):
        raw = {k: _cell_value(ws, fws, r, c, res.issues, k) for k, c in cols.items()}
        if all(is_blank(v) for v in raw.values()):
            continue
        if _same_as_example(raw, example_row):
            res.issues.append(CellIssue("example_row_copied", "error",
                                        "Riga identica all'esempio: sostituirla con i dati reali o cancellarla.",
                                        "Row identical to the example: replace it with real data or delete it.",
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
        res.issues.append(CellIssue("too_many_rows", "error",
                                    f"{len(rows)} righe: il massimo è {L.MAX_SITES} siti per file.",
                                    f"{len(rows)} rows: at most {L.MAX_SITES} sites per file.", sheet=ws.title))
        return res
    if not rows:
        res.issues.append(CellIssue("no_sites", "error",
                                    f"Nessun sito: compilare almeno una riga dalla riga {L.FIRST_DATA_ROW}.",
                                    f"No site: fill in at least one row from row {L.FIRST_DATA_ROW}.",
                                    sheet=ws.title))
        return res

    seen: dict[tuple, int] = {}
    for r, raw in rows:
        rec, issues = validate_record(raw, places, fields=L.site_fields())
        for i in issues:
            res.issues.append(_locate(i, ws.title, r, cols, raw))
        ident = (rec.get("municipality_istat"), rec.get("lat"), rec.get("lon"), rec.get("title_it"))
        if rec.get("title_it") and ident in seen:
            res.issues.append(CellIssue("duplicate_row", "error",
                                        f"Riga duplicata: stesso titolo, comune e coordinate della riga {seen[ident]}.",
                                        f"Duplicate row: same title, municipality and coordinates as row {seen[ident]}.",
                                        sheet=ws.title, row=r))
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
