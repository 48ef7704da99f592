"""The brief speaks the reader's language: criterion labels, hard/soft, verdicts, errors."""

from __future__ import annotations

import pytest

from geo.errors import UserError
from geo.search import Brief, Criterion, Verdict
from geo.search.brief import CRITERIA


def test_hard_and_soft_are_words_of_the_reader_not_hard_cut_to_h():
    """Issue 10: the Italian brief showed "hard" in English, cut to "h."; the brief names it in the reader's words."""
    hard, soft = Criterion("power_min", 5000), Criterion("gas", True, hard=False)
    assert (hard.importance("it"), soft.importance("it")) == ("Vincolante", "Preferibile")
    assert (hard.importance("en"), soft.importance("en")) == ("Required", "Preferred")
    assert "hard" not in hard.importance("it").lower() and "soft" not in soft.importance("it").lower()


@pytest.mark.parametrize("key", list(CRITERIA))
def test_every_criterion_has_a_label_in_each_language(key):
    value = {"lat": 45.0, "lon": 9.0, "km": 5} if key == "distance_to_point_km" else True
    c = Criterion(key, value)
    it, en = c.label("it"), c.label("en")
    assert it and en and "(computed)" not in en and "(calcolata)" not in it


def test_labels_written_in_the_code_are_translated():
    assert Criterion("price_m2_max", 100).label("it") == "Prezzo al m²"
    assert Criterion("in_zis").label("en") == "In a ZIS" and Criterion("in_zis").label("it") == "In una ZIS"
    point = Criterion("distance_to_point_km", {"lat": 45.0, "lon": 9.0, "km": 5})
    assert (point.label("it"), point.label("en")) == ("Distanza da punto", "Distance to point")
    named = Criterion("distance_to_point_km", {"lat": 45.0, "lon": 9.0, "km": 5, "label": "Milano"})
    assert named.label("it") == "Distanza da Milano"
    assert Criterion("airport_km", 20).label("it") == "Distanza in linea d'aria dall'aeroporto più vicino"


def test_verdict_labels_have_their_own_context():
    assert [v.label("it") for v in Verdict] == ["Conforme", "Condizionato", "Non conforme", "Dato mancante"]


def test_brief_errors_are_translated_when_shown():
    with pytest.raises(UserError) as e:
        Brief.from_json('{"criteria": [{"key": "nope"}]}')
    assert e.value.message("en").startswith("Unknown criterion: 'nope'. Allowed: land_area_min, ")
    assert e.value.message("it").startswith("Criterio sconosciuto: 'nope'. Ammessi: land_area_min, ")
    with pytest.raises(UserError) as e:
        Brief.from_json('{"version": 99, "criteria": []}')
    assert e.value.message("it") == "Richiesta salvata con una versione più recente (99)."
    assert str(e.value) == "Brief saved by a newer version (99)."
