"""One register for the Italian texts: impersonal (docs/terminology.md), checked over the ``.po`` catalogues.

Public administration in Italy writes to citizens and firms impersonally ("Controllare il file",
"Il link privato va conservato") or with the formal "Lei"; our catalogues are mostly impersonal, so that
is the register. What breaks it:

* the familiar "tu": pronouns and possessives (*tuo*, *ti*), verbs (*hai*, *puoi*, *devi*), and in a
  sentence an imperative such as *Controlla*, *Riprova*, *Usa* (a short button or menu label such as
  "Salva" or "Scarica CSV" is the usual software convention and stays);
* the plural "voi": possessives (*vostro*), verbs (*avete*, *potete*) and imperatives (*controllate*,
  *conservatelo*).

:func:`register_problems` names what it finds in one text; ``tests/test_terminology.py`` runs it on every
Italian ``msgstr``.
"""

from __future__ import annotations

import re

#: Familiar "tu" words, anywhere.
TU_WORDS = re.compile(r"\b(hai|puoi|vuoi|devi|sei|tuo|tua|tuoi|tue|ti|te stesso)\b", re.IGNORECASE)
#: Plural "voi" words, anywhere (pronouns, possessives, verbs, imperatives with a pronoun attached).
VOI_WORDS = re.compile(r"\b(voi|vostro|vostra|vostri|vostre|avete|potete|dovete|volete|siete"
                       r"|\w+(?:ate|ete|ite)(?:lo|la|li|le|ne))\b", re.IGNORECASE)
#: Verbs whose "tu" imperative (Controlla) or "voi" imperative (controllate) an instruction may use.
_VERBS = {"carica": "caricate", "ricarica": "ricaricate", "scarica": "scaricate", "controlla": "controllate",
          "riprova": "riprovate", "usa": "usate", "esegui": "eseguite", "aggiungi": "aggiungete",
          "scegli": "scegliete", "chiedi": "chiedete", "correggi": "correggete", "inserisci": "inserite",
          "seleziona": "selezionate", "compila": "compilate", "indica": "indicate", "verifica": "verificate",
          "invia": "inviate", "apri": "aprite", "premi": "premete", "attendi": "attendete", "contatta": "contattate",
          "conserva": "conservate", "copia": "copiate", "rimuovi": "rimuovete", "imposta": "impostate",
          "leggi": "leggete", "scrivi": "scrivete", "clicca": "cliccate", "trascina": "trascinate",
          "disegna": "disegnate", "salva": "salvate", "elimina": "eliminate", "importa": "importate",
          "ricostruisci": "ricostruite", "guarda": "guardate", "prova": "provate", "togli": "togliete"}
#: A "tu" imperative opening a sentence (after a full stop, a colon, a semicolon, a bracket or a step number).
TU_IMPERATIVE = re.compile(r"(?:[.:;!?]\s+|\(|^\d\.\s+)(" + "|".join(_VERBS) + r")\b", re.IGNORECASE)
#: At the very start of a text only the imperatives that cannot be read as a description: "verifica un
#: modello" (a command's help: "it checks") is the third person of an -are verb; "scegli" is not.
TU_IMPERATIVE_FIRST = re.compile(r"^(" + "|".join(v for v in _VERBS if not v.endswith("a")) + r")\b",
                                 re.IGNORECASE)
#: A "voi" imperative followed by what it acts on (an article, a pronoun or the end of the sentence).
VOI_IMPERATIVE = re.compile(r"\b(" + "|".join(_VERBS.values()) + r")\s+(?:il|lo|la|l'|i|gli|le|un|una|uno|e\b|"
                            r"di nuovo|ancora|`)", re.IGNORECASE)


def is_label(text: str) -> bool:
    """A short button or menu label ("Salva", "Scarica CSV", "Aggiungi alla selezione ({n})"), not a sentence."""
    t = re.sub(r"\{[^}]*\}|\([^)]*\)", "", text).strip()
    return len(t.split()) <= 5 and not re.search(r"[.:;!?]\s|[.!?]$", t)


def register_problems(text: str) -> list[str]:
    """The words of ``text`` that are not in the impersonal register ("tu: Controlla", "voi: vostro").

    >>> register_problems("File valido: controllate l'anteprima e inviate.")
    ['voi: controllate']
    >>> register_problems("Nulla è stato cambiato. Riprova."), register_problems("Salva")
    (['tu: Riprova'], [])
    >>> register_problems("Il link privato va conservato: è l'unico accesso agli invii.")
    []
    """
    text = re.sub(r"`[^`]*`|«[^»]*»", "``", text)  # commands and quoted names (a QGIS tool) are not ours
    found = [f"tu: {m}" for m in TU_WORDS.findall(text)]
    found += [f"voi: {m}" for m in VOI_WORDS.findall(text)]
    found += [f"voi: {m}" for m in VOI_IMPERATIVE.findall(text)]
    if not is_label(text):
        found += [f"tu: {m}" for m in TU_IMPERATIVE.findall(text) + TU_IMPERATIVE_FIRST.findall(text)]
    return found


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a reporting script
    """Print the Italian ``msgstr`` that leave the register, and how many (``python -m geo.i18n.register``)."""
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    folder = Path((argv or sys.argv[1:] or [str(Path(__file__).resolve().parents[1] / "locale" / "it" / "LC_MESSAGES")])[0])
    n = 0
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            for m in read_po(fh):
                for s in (m.string if isinstance(m.string, (list, tuple)) else [m.string]) if m.id else []:
                    if s and register_problems(s):
                        n += 1
                        print(f"{po.stem}: {register_problems(s)} {s[:100]!r}")
    print(f"{n} Italian messages out of the impersonal register")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
