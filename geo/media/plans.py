"""A PDF plan upload -> the same document without its metadata, its page count and a thumbnail of page 1.

Checks, each a :class:`~geo.media.model.MediaError` naming the file: byte cap; the content starts with
``%PDF-`` whatever the name says; pypdf reads it (a damaged file is refused); not encrypted (a plan that
needs a password cannot be shown or printed); at most :data:`~geo.media.limits.MAX_PLAN_PAGES` pages; no
JavaScript, launch actions or embedded files (a plan is a drawing, never a program or a container).
The stored copy is rewritten by pypdf without the document information (author, creator, dates) and the
XMP metadata; the thumbnails are page 1 rendered by PDFium.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from geo.i18n import N_
from geo.media import limits
from geo.media.images import _encode, _scaled
from geo.media.model import Media, MediaError
from geo.schema.messages import number_param

#: Names whose presence anywhere in the file means active content or a container.
_ACTIVE_NAMES = (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


def _unreadable(name: str) -> MediaError:
    return MediaError(N_("{name} is not a readable PDF (damaged or incomplete): nothing was stored. Export the "
                         "plan to PDF again."), name=name)


def _refuse_active(reader, data: bytes, name: str) -> None:
    root = reader.trailer["/Root"]
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if any(k in data for k in _ACTIVE_NAMES) or "/JavaScript" in names or "/EmbeddedFiles" in names \
            or "/OpenAction" in root and "/JS" in str(root["/OpenAction"].get_object()) or "/AA" in root:
        raise MediaError(N_("{name} contains scripts, actions or embedded files, which a plan never needs: nothing "
                            "was stored. Print it to a new PDF and upload that."), name=name)


def _clean(reader) -> bytes:
    """The document rewritten without document information or XMP metadata."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    writer._root_object.pop(NameObject("/Metadata"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_page(data: bytes, edge: int) -> Image.Image:
    """Page 1 rendered with its longest side ``edge`` pixels, on white."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0]
        w, h = page.get_size()
        scale = edge / max(w, h, 1.0)
        image = page.render(scale=scale, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
        page.close()
        return image
    finally:
        doc.close()


def process_plan(data: bytes, name: str, caption: str = "") -> Media:
    """A PDF plan upload checked and made into what the catalogue stores (see the module's text)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if len(data) > limits.MAX_PLAN_BYTES:
        raise MediaError(N_("{name} is {size} MB: a plan may be at most {limit} MB. Nothing was stored; export it "
                            "with lower image resolution."), name=name, size=number_param(len(data) / 2**20, 1),
                         limit=number_param(limits.MAX_PLAN_BYTES / 2**20, 0))
    if not data.startswith(b"%PDF-"):
        raise MediaError(N_("{name} is not a PDF, whatever its name says: nothing was stored. Upload plans as PDF "
                            "and photos as JPEG, PNG or WebP."), name=name)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise MediaError(N_("{name} is encrypted or password-protected: investors could not open it, so nothing "
                                "was stored. Save it again without a password."), name=name)
        pages = len(reader.pages)
        if pages > limits.MAX_PLAN_PAGES:
            raise MediaError(N_("{name} has {pages} pages: a plan may have at most {limit}. Nothing was stored; "
                                "upload only the plan's pages."), name=name, pages=pages,
                             limit=limits.MAX_PLAN_PAGES)
        if pages == 0:
            raise _unreadable(name)
        _refuse_active(reader, data, name)
        clean = _clean(reader)
        page = _first_page(clean, max(limits.THUMB_EDGES))
    except MediaError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise _unreadable(name) from exc
    except Exception as exc:  # noqa: BLE001 - PDFium raises its own PdfiumError for a page it cannot render
        if type(exc).__module__.startswith("pypdfium2"):
            raise _unreadable(name) from exc
        raise
    small, large = (_encode(_scaled(page, e), False) for e in limits.THUMB_EDGES)
    return Media(kind="plan", mime="application/pdf", name=name, bytes=len(clean),
                 sha256=hashlib.sha256(clean).hexdigest(), source_sha256=hashlib.sha256(data).hexdigest(),
                 thumb_mime=small.mime, thumb_320=small.data, thumb_1280=large.data, pages=pages,
                 width=page.width, height=page.height, caption=caption, data=clean)
