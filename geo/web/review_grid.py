"""The analyst page's review grid: a batch of candidates at once, decided with the mouse or the keyboard.

A batch is the next :data:`BATCH` candidates still to review, in the page's rank order. Each chip shows the
candidate's before/after views with its outline and three buttons: confirm, reject, skip. Keys ``1``-``8``
focus a chip; the focused chip's buttons answer ``Y`` (confirm), ``N`` (reject) and ``S`` (skip) - Streamlit
reserves ``C`` and ``R``. A decision goes through :func:`geo.brownfield.review.record_review` (one unit of
work, as on the single-candidate review); a skip writes nothing and is remembered for the session only.

The grid is a fragment: a decision reruns the grid, not the page, and reads nothing from the catalogue (the
session remembers what it decided). The chips' pictures (PNG bytes) are cached by catalogue, run, candidate,
outline and scene files, never by catalogue revision (a decision does not change a picture); while the analyst
looks at a batch, a worker thread draws the next one.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import streamlit as st

from geo.brownfield.review import record_review, scenes_state, views_of
from geo.errors import UserError
from geo.i18n import Translator
from geo.web.auth import actor
from geo.web.ui import md, show, show_user_error

BATCH = 8  # chips per batch: two rows of four fit a laptop screen with pictures still readable
KEYS = {"confirm": "Y", "reject": "N", "skip": "S"}
CHIP_PX = 180  # each view's size on a chip (native 10 m pixels enlarged by a whole factor)
STATE = "bf_grid_state"
log = logging.getLogger(__name__)


# -- pure -------------------------------------------------------------------------------------------------------

def next_batch(queue: list[str], settled: set[str], size: int = BATCH) -> list[str]:
    """The first ``size`` candidates of ``queue`` (rank order) not yet settled (decided or skipped)."""
    return [c for c in queue if c not in settled][:size]


def next_focus(batch: list[str], settled: set[str], after: int) -> int:
    """The first chip after ``after`` (wrapping round) still to decide; ``after`` itself when none is left."""
    n = len(batch)
    for step in range(1, n + 1):
        i = (after + step) % n
        if batch[i] not in settled:
            return i
    return after


def side_by_side(before: np.ndarray, after: np.ndarray, gap: int = 4) -> bytes:
    """The two views next to each other, a white gap between them, as PNG bytes."""
    from PIL import Image

    h = max(before.shape[0], after.shape[0])
    canvas = np.full((h, before.shape[1] + gap + after.shape[1], 3), 255, dtype=np.uint8)
    canvas[:before.shape[0], :before.shape[1]] = before
    canvas[:after.shape[0], before.shape[1] + gap:] = after
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, format="PNG", optimize=False, compress_level=1)
    return buf.getvalue()


# -- pictures: cached per candidate, drawn ahead in a worker thread --------------------------------------------

class ChipPictures:
    """A bounded, thread-safe cache of chip pictures (PNG bytes, or None when the scenes cannot be read).

    ``get`` draws a missing picture in the caller's thread, waiting for a prefetch already under way;
    ``prefetch`` queues pictures for a worker thread. Keys never involve the catalogue revision.
    """

    def __init__(self, max_entries: int = 4 * BATCH) -> None:
        self._done: OrderedDict[tuple, bytes | None] = OrderedDict()
        self._pending: dict[tuple, Future] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-grid-prefetch")
        self._max = max_entries

    @staticmethod
    def _draw(record: dict, geometry) -> bytes | None:
        try:
            views = views_of(record, geometry, display_px=CHIP_PX)
        except Exception:  # noqa: BLE001 - a picture that cannot be drawn is "unavailable", not an error
            return None
        return side_by_side(*views) if views else None

    def _store(self, key: tuple, png: bytes | None) -> None:
        with self._lock:
            self._done[key] = png
            self._done.move_to_end(key)
            while len(self._done) > self._max:
                self._done.popitem(last=False)
            self._pending.pop(key, None)

    def cached(self, key: tuple) -> bool:
        with self._lock:
            return key in self._done

    def get(self, key: tuple, record: dict, geometry) -> bytes | None:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            fut = self._pending.get(key)
        if fut is not None:
            return fut.result()
        png = self._draw(record, geometry)
        self._store(key, png)
        return png

    def prefetch(self, items: list[tuple[tuple, dict, object]]) -> None:
        for key, record, geometry in items:
            with self._lock:
                if key in self._done or key in self._pending:
                    continue
                fut = self._pool.submit(self._draw, record, geometry)
                self._pending[key] = fut
            fut.add_done_callback(lambda f, k=key: self._store(k, f.result()))


@st.cache_resource(show_spinner=False)
def pictures() -> ChipPictures:
    """The process's one picture cache (shared by every analyst, like the page's other caches)."""
    return ChipPictures()


def picture_key(target: str, row: pd.Series, record: dict | None) -> tuple:
    """What a chip's picture depends on: catalogue, run, candidate, its outline, and the run's scene files."""
    outline = hashlib.sha1(row.geometry.wkb).hexdigest()
    return target, row.get("run_id"), row["candidate_id"], outline, scenes_state(record)


# -- the grid ---------------------------------------------------------------------------------------------------

def _state(run_id: object) -> dict:
    """The session's grid state for the latest run (reset when another run is published)."""
    s = st.session_state.get(STATE)
    if not s or s.get("run") != run_id:
        s = {"run": run_id, "settled": {}, "batch": [], "focus": 0, "error": None}
        st.session_state[STATE] = s
    return s


def _decide(cat, row: pd.Series, decision: str, reason_key: str) -> None:
    """A chip's button: write the decision (skip writes nothing), then focus the next chip to decide."""
    s = st.session_state[STATE]
    cid = row["candidate_id"]
    if cid in s["settled"]:  # a second click (or key) on a chip already decided: one decision per chip
        return
    s["error"] = None
    if decision != "skip":
        reason = (st.session_state.get(reason_key) or "").strip() if decision == "reject" else None
        try:
            record_review(cat, row, decision, actor(), reason)
        except UserError as exc:  # shown on the grid; the catalogue is unchanged
            s["error"] = exc
            return
        except Exception:  # noqa: BLE001 - as geo.web.ui.guarded: a reference, never a traceback
            ref = uuid.uuid4().hex[:8]
            log.exception("unexpected error %s", ref)
            s["error"] = ref
            return
    s["settled"][cid] = decision
    if cid in s["batch"]:
        s["focus"] = next_focus(s["batch"], set(s["settled"]), s["batch"].index(cid))


def _focus(i: int) -> None:
    st.session_state[STATE]["focus"] = i


def review_grid(_: Translator, cat, target: str, cands: pd.DataFrame, records: dict[str, dict],
                date_text) -> None:
    """The grid over ``cands`` (the page's filtered candidates, rank order): those still to review, a batch at
    a time. ``records``: each run's record by run id; ``date_text(dates)``: dates as the page writes them."""
    pending = cands[cands["decision"].isna()] if "decision" in cands else cands
    run_id = cands["run_id"].iloc[0] if len(cands) and "run_id" in cands else None
    _grid(_, cat, target, cands.set_index("candidate_id", drop=False), list(pending["candidate_id"]), records,
          date_text, run_id)


@st.fragment
def _grid(_: Translator, cat, target: str, rows: pd.DataFrame, queue: list[str], records: dict[str, dict],
          date_text, run_id) -> None:
    """``rows``: the candidates by id (a decided chip stays on screen); ``queue``: those to review, rank order."""
    s = _state(run_id)
    settled = set(s["settled"])
    s["batch"] = [c for c in s["batch"] if c in rows.index]  # the filters may have changed since
    if not s["batch"] or all(c in settled for c in s["batch"]):
        s["batch"], s["focus"] = next_batch(queue, settled), 0
    batch = s["batch"]
    st.caption(_("Keys: 1-8 choose a candidate; then Y confirms, N rejects, S skips. The next candidate to "
                 "decide is chosen for you."))
    reason_key = "bf_grid_reason"
    reason = st.text_input(_("Reason for rejections in this grid"), key=reason_key,
                           placeholder=_("e.g. active car park"))
    if isinstance(s["error"], UserError):
        show_user_error(s["error"])
    elif s["error"]:
        show("error", _("Unexpected error: the operation was not carried out and the catalogue is unchanged. "
                        "Reference: {ref}"), ref=s["error"])
    if not batch:
        st.success(_("Nothing left to review with these filters."))
        return
    shelf = pictures()
    cols = st.columns(4)
    for i, cid in enumerate(batch):
        row = rows.loc[cid]
        record = records.get(row.get("run_id")) or {}
        focused = i == s["focus"] and cid not in settled
        with cols[i % 4].container(border=True, key=f"bf_chip_{i}"):
            st.button(md("{candidate}", candidate=cid), key=f"bf_gfocus_{i}", type="tertiary",
                      icon=":material/arrow_right:" if focused else None,
                      shortcut=str(i + 1) if i < 9 else None, on_click=_focus, args=(i,),
                      help=_("Choose this candidate (key {n})").format(n=i + 1))
            png = shelf.get(picture_key(target, row, record), record, row.geometry)
            dates = record.get("dates") or []
            if png:
                st.image(png, caption=md(_("before {before} · after {after}"), before=date_text(dates[:1]),
                                         after=date_text(dates[-1:])))
            else:
                st.caption(_("Before/after images unavailable: this run's scenes are no longer reachable from "
                             "the server."))
            done = s["settled"].get(cid)
            if done:
                st.badge(_decision_label(_, done), color={"confirm": "green", "reject": "red"}.get(done, "gray"))
                continue
            bar = st.container(horizontal=True)
            for decision, label in (("confirm", _("Confirm")), ("reject", _("Reject")), ("skip", _("Skip"))):
                bar.button(label, key=f"bf_g{decision}_{cid}", on_click=_decide, args=(cat, row, decision, reason_key),
                           shortcut=KEYS[decision] if focused else None,
                           disabled=decision == "reject" and not (reason or "").strip(),
                           type="primary" if focused and decision == "confirm" else "secondary")
    left = len([c for c in queue if c not in settled])  # below the chips: shown once they are
    show("caption", _.ngettext("{n} candidate still to review in this session.",
                               "{n} candidates still to review in this session.", left), n=left)
    # Draw the next batch while the analyst looks at this one.
    ahead = [rows.loc[c] for c in next_batch(queue, settled | set(batch))]
    shelf.prefetch([(picture_key(target, r, records.get(r.get("run_id"))), records.get(r.get("run_id")) or {},
                     r.geometry) for r in ahead])


def _decision_label(_: Translator, decision: str) -> str:
    return {"confirm": _.pgettext("brownfield review", "confirmed"),
            "reject": _.pgettext("brownfield review", "rejected"),
            "skip": _.pgettext("brownfield review", "skipped")}[decision]
