"""Opening an uploaded workbook safely: size, type and zip checks before parsing.

Every failure is a :class:`~geo.errors.InputFileError` with a message in both
languages; nothing here ever writes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from geo.errors import InputFileError
from geo.listing import layout as L

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # CFB: old .xls, or an encrypted (password) xlsx


def read_bytes(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "upload.xlsx"
    p = Path(source)
    if not p.exists():
        raise InputFileError(f"File non trovato: {p}", f"File not found: {p}")
    if p.stat().st_size > L.MAX_BYTES:
        raise _too_big(p.stat().st_size)
    return p.read_bytes(), p.name


def _too_big(n: int) -> InputFileError:
    mb = n / 1024 / 1024
    return InputFileError(f"Il file è di {mb:.1f} MB: il limite è {L.MAX_BYTES // 1024 // 1024} MB. "
                          "Togliere immagini o allegati dal foglio e caricarli a parte.",
                          f"The file is {mb:.1f} MB: the limit is {L.MAX_BYTES // 1024 // 1024} MB. "
                          "Remove pictures or attachments from the workbook and upload them separately.")


def open_workbook(data: bytes, name: str = "upload.xlsx"):
    """Check and open an .xlsx/.xlsm workbook with cached formula values. Returns (workbook, warnings)."""
    warnings: list[tuple[str, str]] = []
    if len(data) == 0:
        raise InputFileError("Il file è vuoto (0 byte).", "The file is empty (0 bytes).")
    if len(data) > L.MAX_BYTES:
        raise _too_big(len(data))
    if data.startswith(OLE_MAGIC):
        raise InputFileError(
            "Il file è protetto da password oppure è nel vecchio formato .xls. Salvarlo come cartella di lavoro "
            "Excel (.xlsx) senza password e ricaricarlo.",
            "The file is password-protected or in the old .xls format. Save it as an Excel workbook (.xlsx) "
            "without a password and upload it again.")
    if not data.startswith(b"PK"):
        kind = "PDF" if data.startswith(b"%PDF") else ("CSV/testo" if _is_text(data) else "?")
        raise InputFileError(
            f"«{name}» non è una cartella di lavoro Excel (contenuto: {kind}). Usare il modello .xlsx.",
            f"'{name}' is not an Excel workbook (content: {kind.replace('testo', 'text')}). Use the .xlsx template.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
        total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise InputFileError(f"«{name}» è danneggiato o non è un file Excel.",
                             f"'{name}' is corrupt or not an Excel file.") from None
    if "xl/workbook.xml" not in names:
        raise InputFileError(f"«{name}» è un archivio ZIP ma non una cartella di lavoro Excel.",
                             f"'{name}' is a ZIP archive but not an Excel workbook.")
    if total > L.MAX_UNCOMPRESSED:
        raise InputFileError(
            f"Il contenuto decompresso del file ({total / 1e6:.0f} MB) supera il limite: file rifiutato.",
            f"The file's uncompressed content ({total / 1e6:.0f} MB) exceeds the limit: file rejected.")
    if "xl/vbaProject.bin" in names:
        warnings.append(("Cartella con macro (.xlsm): le macro sono ignorate, si leggono solo i valori.",
                         "Macro workbook (.xlsm): macros are ignored, only the values are read."))
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many kinds on malformed content
        raise InputFileError(f"Impossibile leggere «{name}»: {exc}", f"Cannot read '{name}': {exc}") from None
    try:
        formulas = load_workbook(io.BytesIO(data), data_only=False, read_only=False, keep_vba=False)
    except Exception:
        formulas = None
    return wb, formulas, warnings


def _is_text(data: bytes) -> bool:
    try:
        data[:2000].decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
