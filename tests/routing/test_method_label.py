"""The stored method of the drive times (English, with its figures) is read in the sheet's language."""

from geo.render.values import display_value
from geo.routing.drive import method_text
from geo.routing.graph import DEFAULT
from geo.routing.speeds import Profile


class _Graph:
    kind = DEFAULT


def test_the_method_speaks_the_readers_language_with_its_figures():
    stored = method_text(_Graph(), Profile())
    it, en = display_value("drive_method", stored, "it"), display_value("drive_method", stored, "en")
    assert it.startswith("stimati: grafo autostradale di Regione Lombardia") and "Codice della Strada" in it
    assert "1,3" in it and "40 km/h" in it  # the stored figures, in Italian decimals
    assert en.startswith("estimated: Regione Lombardia motorway graph") and "1.3" in en
    assert display_value("drive_method", "something else", "it") == "something else"  # unknown text kept as is
