"""The Italian catalogues speak one register (impersonal) and use the terms of docs/terminology.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from geo.i18n.register import is_label, register_problems

ROOT = Path(__file__).resolve().parents[1]
PO = sorted((ROOT / "geo" / "locale" / "it" / "LC_MESSAGES").glob("*.po"))
DOC = ROOT / "docs" / "terminology.md"


def italian() -> list[tuple[str, str, str]]:
    """(domain, msgid, msgstr) of every translated Italian message."""
    out = []
    for po in PO:
        with po.open("rb") as fh:
            for m in read_po(fh):
                if not m.id:
                    continue
                ids = m.id if isinstance(m.id, (list, tuple)) else [m.id]
                for s in (m.string if isinstance(m.string, (list, tuple)) else [m.string]):
                    if s:
                        out.append((po.stem, ids[0], s))
    return out


def avoided() -> list[tuple[str, str]]:
    """The (avoid, use) rows of the doc's "Avoid" table."""
    text = DOC.read_text(encoding="utf-8").split("## Avoid", 1)[1]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    return [(r[0], r[1]) for r in rows[1:]]


def test_every_italian_text_is_impersonal():
    msgs = italian()
    assert len(msgs) > 800
    found = {(d, i): register_problems(s) for d, i, s in msgs if register_problems(s)}
    assert found == {}


@pytest.mark.parametrize("text,problem", [
    ("Carica il tuo file.", "tu: tuo"), ("Non hai i permessi.", "tu: hai"), ("Puoi riprovare.", "tu: Puoi"),
    ("Nulla è cambiato. Controlla il file.", "tu: Controlla"), ("1. Scarica il modello", "tu: Scarica"),
    ("Il vostro link privato: conservatelo.", "voi: vostro"), ("File valido: controllate l'anteprima.",
                                                              "voi: controllate"),
    ("--force: ricostruisci un catalogo", "tu: ricostruisci")])
def test_the_register_check_sees_tu_and_voi(text, problem):
    assert problem in register_problems(text)


@pytest.mark.parametrize("text", ["Salva", "Scarica CSV", "Aggiungi alla selezione ({n})", "Inviate",
                                  "verifica un modello compilato; esce con 0 se valido",
                                  "Controllare il file. Non è stato importato nulla.",
                                  "Correggerla (es. in QGIS con lo strumento «Correggi geometrie»)."])
def test_labels_descriptions_and_impersonal_sentences_pass(text):
    assert register_problems(text) == [], text
    assert is_label("Scarica PDF ({language})") and not is_label("Riprovare tra {wait} min.")


def test_no_italian_text_uses_an_avoided_term():
    rows = [r for r in avoided() if "(calcolata)" not in r[0]]
    assert ("casello", "uscita autostradale") in rows and len(rows) >= 5
    msgs = italian()
    for avoid, use in rows:
        # an avoided form inside the preferred one ("Carta degli aiuti" in "... a finalità regionale") is fine
        hits = [(d, s) for d, _i, s in msgs
                if s.lower().count(avoid.lower()) > (s.lower().count(use.lower()) if avoid.lower() in use.lower() else 0)]
        assert hits == [], avoid


def test_the_terminology_list_names_the_terms_of_public_administration():
    text = DOC.read_text(encoding="utf-8")
    for term in ("ZLS", "Carta degli aiuti a finalità regionale", "aree dismesse", "superficie territoriale",
                 "superficie coperta", "superficie lorda di pavimento (SLP)", "destinazione d'uso",
                 "approvazione per silenzio-assenso", "uscita autostradale", "in linea d'aria"):
        assert term in text, term


def test_italian_examples_write_decimals_with_a_comma():
    """A help text that asks for the Italian format shows it: "(es. 45,1336)", not "(es. 45.1336)"."""
    bad = [(d, s) for d, _i, s in italian() if re.search(r"\bes\. -?\d+\.\d+\b", s)]
    assert bad == []


FEMININE = {"Distanza", "Stazione", "Uscita", "Superficie", "Area", "Zona"}


def test_computed_labels_agree_with_their_noun():
    """"(calcolata)" only on feminine labels ("Distanza ..."), never on "Aeroporto più vicino (calcolata)"."""
    bad = [(d, s) for d, _i, s in italian() if s.endswith("(calcolata)") and s.split()[0] not in FEMININE | {"(calcolata)"}]
    bad += [(d, s) for d, _i, s in italian() if s.endswith("(calcolato)") and s.split()[0] in FEMININE]
    assert bad == []
    assert [s for _d, _i, s in italian() if s.endswith("(calcolata)")]  # the check saw the labels
