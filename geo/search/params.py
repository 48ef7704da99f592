"""A search in a link: one versioned, validated document, parsed once into the ``Query`` and ``Brief``
that ``geo search`` builds (through :func:`~geo.search.query.make_query` and :class:`~geo.search.brief.Criterion`).

The document is a set of query parameters:

====  ==========================================================================================
v     the link format's version (``2``; a link without it is a version-1 link, made before it existed)
q     the filters: ``Query.to_dict()`` as compact JSON (every field of a ``Query``)
b     the investor brief: ``Brief.to_json()`` (every criterion kind)
sl    the shortlist: site ids, comma-separated, each once
====  ==========================================================================================

Version 1 (the format of every link made before the version existed) has the same parts and fields;
it is read by the same readers. :func:`parse_link` never raises: a part it cannot use (malformed or too
deeply nested JSON, an unknown field, province, use, utility or criterion, a wrong type, a value out of
the limits in :mod:`geo.search.limits`, an unknown version) becomes one message naming the part, and
the rest of the link still applies. :func:`from_query_params` is the strict form (first problem raised).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from geo.errors import UserError
from geo.i18n import N_
from geo.search.brief import BRIEF_VERSION, Brief, Criterion
from geo.search.limits import MAX_CRITERIA, MAX_JSON_DEPTH, MAX_PARAM_CHARS, MAX_SHORTLIST, MAX_TEXT_CHARS
from geo.search.query import Query, make_query

#: The version of the link format written today.
URL_VERSION = 2
#: The query parameters that carry the search (others, like ``lang`` or ``site``, belong to the pages).
PARTS = ("v", "q", "b", "sl")


@dataclass
class LinkState:
    """What a link holds: the search, the brief, the shortlist, and the parts that could not be used."""

    query: Query = field(default_factory=Query)
    brief: Brief = field(default_factory=Brief)
    shortlist: list[str] = field(default_factory=list)
    problems: list[UserError] = field(default_factory=list)
    version: int = URL_VERSION


def to_query_params(query: Query, brief: Brief | None = None, shortlist: list[str] | None = None) -> dict[str, str]:
    """The link parameters of a search (only the parts that are set; ``v`` whenever one is)."""
    out: dict[str, str] = {}
    q = query.to_dict()
    if q:
        out["q"] = json.dumps(q, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    if brief is not None and (brief.criteria or brief.name):
        out["b"] = brief.to_json()
    if shortlist:
        out["sl"] = ",".join(dict.fromkeys(shortlist))
    if out:
        out = {"v": str(URL_VERSION), **out}
    return out


def parse_link(params: Mapping[str, Any]) -> LinkState:
    """Read a link's parameters into a :class:`LinkState`; never raises for what the link holds."""
    problems: list[UserError] = []
    raw_v = params.get("v")
    version = 1 if raw_v in (None, "") else _version(str(raw_v), problems)
    reader = _READERS.get(version, _READERS[URL_VERSION])
    query, brief, sl = reader(params, problems)
    return LinkState(query, brief, sl, problems, version)


def from_query_params(params: Mapping[str, Any]) -> tuple[Query, Brief]:
    """The strict form of :func:`parse_link`: ``(query, brief)``, or the first problem raised."""
    state = parse_link(params)
    if state.problems:
        raise state.problems[0]
    return state.query, state.brief


def link_problem(part: str, exc: UserError) -> UserError:
    """``exc`` as a message naming the part of the link that was left out."""
    return UserError(N_("The link's '{part}' was left out: {error}"), part=part,
                     error=lambda _: exc.message(_.lang))


def _version(text: str, problems: list[UserError]) -> int:
    if text.isdigit() and 1 <= int(text) <= URL_VERSION:
        return int(text)
    problems.append(UserError(N_("The link's 'v' ({version}) is not a link version this software reads "
                                 "(1 to {latest}): the rest of the link is read as version {latest}."),
                              version=text[:MAX_TEXT_CHARS], latest=URL_VERSION))
    return URL_VERSION


def _depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON text, ignoring strings (checked before ``json.loads``
    so that a deeply nested document is refused instead of exhausting the interpreter's stack)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _json(part: str, text: Any, problems: list[UserError]) -> Any:
    """The JSON value of a part, or None (with a problem) when it is too long, too deep or malformed."""
    if text in (None, ""):
        return None
    text = str(text)
    if len(text) > MAX_PARAM_CHARS:
        problems.append(link_problem(part, UserError(N_("more than {n} characters."), n=lambda _: _.integer(MAX_PARAM_CHARS))))
        return None
    if _depth(text) > MAX_JSON_DEPTH:
        problems.append(link_problem(part, UserError(N_("nested more than {n} levels deep."), n=MAX_JSON_DEPTH)))
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        problems.append(link_problem(part, UserError(N_("not readable JSON ({error})."), error=str(exc)[:200])))
        return None


def _read_query(doc: Any, problems: list[UserError]) -> Query:
    """Each field on its own: a bad field is one problem, the others still filter."""
    if doc is None:
        return Query()
    if not isinstance(doc, dict):
        problems.append(link_problem("q", UserError(N_("a JSON object of filters is needed."))))
        return Query()
    good: dict[str, Any] = {}
    for k, v in doc.items():
        try:
            make_query({k: v})
        except UserError as exc:
            problems.append(link_problem(f"q.{str(k)[:MAX_TEXT_CHARS]}", exc))
        else:
            good[k] = v
    return make_query(good)


def _read_brief(doc: Any, problems: list[UserError]) -> Brief:
    """Each criterion on its own: a bad criterion is one problem, the others still judge."""
    if doc is None:
        return Brief()
    if not isinstance(doc, dict) or not isinstance(doc.get("criteria"), list):
        problems.append(link_problem("b", UserError(N_("Invalid brief: no 'criteria' list."))))
        return Brief()
    version = doc.get("version", BRIEF_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= BRIEF_VERSION:
        problems.append(link_problem("b.version", UserError(N_("Brief saved by a newer version ({version})."),
                                                        version=str(version)[:MAX_TEXT_CHARS])))
        return Brief()
    name = doc.get("name", "")
    if not isinstance(name, str) or len(name) > MAX_TEXT_CHARS:
        problems.append(link_problem("b.name", UserError(N_("{name}: a text of at most {n} characters is needed."),
                                                     name="name", n=MAX_TEXT_CHARS)))
        name = ""
    criteria: list[Criterion] = []
    raw = doc["criteria"]
    if len(raw) > MAX_CRITERIA:
        problems.append(link_problem(f"b.criteria[{MAX_CRITERIA}:]", UserError(N_("at most {n} criteria."), n=MAX_CRITERIA)))
        raw = raw[:MAX_CRITERIA]
    for i, c in enumerate(raw):
        key = c.get("key") if isinstance(c, dict) else None
        part = f"b.criteria[{i}]" + (f" ({key[:MAX_TEXT_CHARS]})" if isinstance(key, str) else "")
        try:
            if not isinstance(c, dict) or not isinstance(key, str) or set(c) - {"key", "value", "hard", "weight"}:
                raise UserError(N_("Invalid criterion: {error}"),
                                error='{"key", "value", "hard", "weight"}')
            criteria.append(Criterion(**c).checked())
        except UserError as exc:
            problems.append(link_problem(part, exc))
    return Brief(name=name, criteria=criteria)


def _read_shortlist(text: Any, problems: list[UserError]) -> list[str]:
    """Site ids, each once, in the order given."""
    if text in (None, ""):
        return []
    ids = list(dict.fromkeys(s.strip() for s in str(text)[:MAX_PARAM_CHARS].split(",") if s.strip()))
    bad = [s for s in ids if len(s) > MAX_TEXT_CHARS or not s.isprintable()]
    if bad:
        problems.append(link_problem("sl", UserError(N_("not a site id: '{value}'."), value=bad[0][:MAX_TEXT_CHARS])))
        ids = [s for s in ids if s not in bad]
    if len(ids) > MAX_SHORTLIST:
        problems.append(link_problem("sl", UserError(N_("at most {n} sites; the first {n} are kept."), n=MAX_SHORTLIST)))
        ids = ids[:MAX_SHORTLIST]
    return ids


def _read_v2(params: Mapping[str, Any], problems: list[UserError]) -> tuple[Query, Brief, list[str]]:
    query = _read_query(_json("q", params.get("q"), problems), problems)
    brief = _read_brief(_json("b", params.get("b"), problems), problems)
    return query, brief, _read_shortlist(params.get("sl"), problems)


#: Version -> reader. Version 1 (no ``v``) holds the same parts and fields as version 2.
_READERS: dict[int, Callable[[Mapping[str, Any], list[UserError]], tuple[Query, Brief, list[str]]]] = {
    1: _read_v2, 2: _read_v2}

__all__ = ["URL_VERSION", "PARTS", "LinkState", "parse_link", "to_query_params", "from_query_params",
           "link_problem"]
