"""Site sheets and dossiers made from a catalogue: what ``geo sheet``, ``geo dossier`` and the benchmark call.

The renderers (:mod:`geo.render.pdf`, :mod:`geo.render.html`) take records; this module reads them, with
their location maps (reference layers reprojected once for many sites) and, when a brief is given, the
brief's verdicts, so a document from the command line is the one the pages give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from geo.errors import UserError
from geo.i18n import N_
from geo.render.location import location_context, metric_layers
from geo.render.values import BriefVerdicts

#: At most this many sites in one dossier: 100 sheets is ~300 pages and tens of seconds of rendering,
#: already more than anyone sends; a bigger batch is several dossiers.
MAX_DOSSIER_SITES = 100


class UnknownSites(UserError):
    """Site ids that are not in the catalogue or not visible to the caller."""


@dataclass
class Sources:
    """What every document of one catalogue needs, read once: municipalities and the metric layers."""

    municipalities: Any
    layers: dict
    _index: Any = field(default=None, repr=False)

    @classmethod
    def of(cls, cat) -> "Sources":
        names = set(cat.layer_names())
        read = {n: (cat.layer(n) if n in names else None)
                for n in ("provinces", "motorways", "railways", "infrastructure")}
        return cls(cat.layer("municipalities"), metric_layers(**read))

    def index(self, cat):
        """The search index of every listing (read and built once, for the brief's verdicts)."""
        from geo.search import SearchIndex

        if self._index is None:
            self._index = SearchIndex.from_sites(cat.sites(statuses=None))
        return self._index

    def location(self, record: dict[str, Any]):
        """The record's location map context (None without a position)."""
        mun = self.municipalities
        mine = mun[mun["istat"] == record.get("municipality_istat")] if len(mun) else mun
        return location_context(record, municipalities=mine, **self.layers)


def site_records(cat, ids: Sequence[str], role: str = "public") -> list[dict[str, Any]]:
    """The records of ``ids`` in their order, each once; :class:`UnknownSites` names every id not found
    or not visible to ``role`` (nothing else is read or written then)."""
    ids = list(dict.fromkeys(ids))
    recs = {sid: cat.site(sid, role=role) for sid in ids}
    missing = [sid for sid, r in recs.items() if r is None]
    if missing:
        raise UnknownSites(N_("Site not found or not visible: {ids}. Check the ids with 'geo search' (unpublished "
                              "listings need --staff)."), ids=", ".join(missing[:20]) + (" …" if len(missing) > 20
                                                                                         else ""))
    return [recs[sid] for sid in ids]


def verdicts_of(result, brief, site_id: str, lang: str) -> BriefVerdicts | None:
    """One site's :class:`BriefVerdicts` from a search result (None when the site is not in it); a soft
    criterion says so, as on the shortlist."""
    from geo.i18n import translator

    rows = result.sites[result.sites["site_id"] == site_id]
    if not len(rows):
        return None
    _ = translator(lang)
    explained = result.explain(site_id, lang)
    labelled = tuple((label if c.hard else _("{criterion} (soft)").format(criterion=label), verdict, reason)
                     for c, (label, verdict, reason) in zip(brief.criteria, explained))
    return BriefVerdicts(str(rows["verdict"].iloc[0]), labelled, brief.name or None)


def brief_verdicts(cat, brief, ids: Sequence[str], lang: str, role: str = "public",
                   sources: Sources | None = None) -> dict[str, BriefVerdicts]:
    """Each site's verdicts against ``brief`` (empty without criteria), as the search gives them."""
    from geo.search import Query, SearchIndex, search

    if brief is None or not brief.criteria:
        return {}
    index = sources.index(cat) if sources is not None else SearchIndex.from_sites(cat.sites(statuses=None))
    res = search(index, Query(), brief, role=role)
    found = {sid: verdicts_of(res, brief, sid, lang) for sid in ids}
    return {sid: v for sid, v in found.items() if v is not None}


def sheet_document(cat, site_id: str, lang: str, fmt: str = "pdf", *, role: str = "public", brief=None,
                   sources: Sources | None = None, photos: Sequence = ()) -> bytes:
    """One site's sheet as PDF or stand-alone HTML bytes, with its location map and the brief's verdicts."""
    from geo.render.html import render_sheet_html
    from geo.render.pdf import render_sheet_pdf

    (rec,) = site_records(cat, [site_id], role)
    sources = sources or Sources.of(cat)
    location = sources.location(rec)
    verdicts = brief_verdicts(cat, brief, [site_id], lang, role, sources).get(site_id)
    staff = role == "staff"
    if fmt == "html":
        return render_sheet_html(rec, lang, staff=staff, location=location, verdicts=verdicts,
                                 photos=photos).encode("utf-8")
    return render_sheet_pdf(rec, lang, staff=staff, location=location, verdicts=verdicts, photos=photos)


def dossier_document(cat, ids: Sequence[str], lang: str, *, role: str = "public", brief=None, title: str | None = None,
                     sources: Sources | None = None, photos: dict | None = None) -> bytes:
    """The dossier of ``ids`` (at most :data:`MAX_DOSSIER_SITES`) as PDF bytes: the summary, the brief's
    comparison when it has criteria, then one sheet per site with its location map (and its photos:
    ``photos`` maps site ids to :class:`~geo.render.values.Photo` sequences)."""
    from geo.render.pdf import render_dossier_pdf

    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_DOSSIER_SITES:
        raise UserError(N_("A dossier holds at most {max} sites, not {n}: split the list."), max=MAX_DOSSIER_SITES,
                        n=len(ids))
    records = site_records(cat, ids, role)
    sources = sources or Sources.of(cat)
    locations = {r["site_id"]: sources.location(r) for r in records}
    verdicts = brief_verdicts(cat, brief, ids, lang, role, sources)
    comparison = None
    if verdicts:
        from geo.i18n import translator

        _ = translator(lang)
        labels = next(iter(verdicts.values())).rows  # soft criteria marked, as on each sheet
        comparison = [(labels[j][0], [(verdicts[s].rows[j][1], verdicts[s].rows[j][2]) if s in verdicts
                                      else ("UNKNOWN", "") for s in ids]) for j in range(len(brief.criteria))]
        comparison.append((_("Overall verdict"), [(verdicts[s].overall, "") if s in verdicts else ("UNKNOWN", "")
                                                  for s in ids]))
    return render_dossier_pdf(records, lang, comparison=comparison, title=title or (brief.name if brief else None),
                              locations=locations, photos=photos)
