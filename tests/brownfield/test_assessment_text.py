"""The assessment as text (``geo brownfield evaluate``), word for word in English and Italian.

The figures are set by hand, every one different, so that a figure printed in the wrong column, from the
wrong ranking or budget, with other digits or beside the wrong sentence changes the text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.brownfield.evaluate import Assessment, RankingFigures, format_assessment, plain_sentences
from geo.brownfield.stats import BLOCK_M, Chance, Interval


def figures(name, k, verdicts):
    """Figures of one ranking at budgets 1% and 5%, every number different (k: the ranking's offset)."""
    table = pd.DataFrame([
        {"budget": 0.01, "candidates": 12 + k, "matched": 3 + k, "recall": 0.25 + k / 100,
         "flagged_share": 0.0098 + k / 1000, "lift": 25.51 + k, "own_candidates": 14 + k, "own_matched": 4 + k,
         "own_flagged": 0.0091 + k / 1000, "own_lift": 36.63 + k},
        {"budget": 0.05, "candidates": 1234 + k, "matched": 7 + k, "recall": 0.5833 + k / 100,
         "flagged_share": 0.0497 + k / 1000, "lift": 11.74 + k, "own_candidates": 1300 + k, "own_matched": 8 + k,
         "own_flagged": 0.0455 + k / 1000, "own_lift": 12.82 + k}])
    return RankingFigures(
        name, table,
        recall_site=[Interval(0.25, 0.0833 + k / 100, 0.5 + k / 100), Interval(0.58, 0.3333 + k / 100, 0.8333)],
        lift_site=[Interval(25.5, 8.5 + k, 51.02 + k), Interval(11.7, 6.71 + k, 16.77 + k)],
        recall_block=[Interval(0.25, 0.0714 + k / 100, 0.5556 + k / 100), Interval(0.58, 0.3 + k / 100, np.nan)],
        lift_block=[Interval(25.5, 7.1 + k, 60.2 + k), Interval(11.7, 5.9 + k, 17.3 + k)],
        shift=Chance(np.array([1.02, 0.98]) + k, np.array([4.5, 2.25]) + k, np.array([0.001, 0.012]) + k / 10, 999),
        order=Chance(np.array([3.1, 2.9]) + k, np.array([9.87, 5.43]) + k, np.array([0.04, 0.2]) + k / 100, 999),
        verdict_chance=verdicts)


PAIRED = [{"budget": 0.01, "both": 2, "only_ours": 5, "only_naive": 0, "mcnemar_p": 0.0625,
           "lift_difference": {"value": 12.5, "lo": 3.25, "hi": 20.0},
           "lift_difference_block": {"value": 12.5, "lo": 1.5, "hi": 22.75}, "better_than_naive": "yes"},
          {"budget": 0.05, "both": 6, "only_ours": 1, "only_naive": 3, "mcnemar_p": 0.625,
           "lift_difference": {"value": -0.5, "lo": -2.0, "hi": None},
           "lift_difference_block": {"value": -0.5, "lo": -3.5, "hi": 1.25}, "better_than_naive": "cannot tell"}]
NAMES = {"ours": "Our ranking", "naive": "Naive ranking", "ours_short": "our list", "naive_short": "the naive list"}


def _two_rankings() -> Assessment:
    return Assessment((0.01, 0.05), 12, 5, 33.3333, True, {"ours": figures("ours", 0, ["yes", "no"]),
                                                        "naive": figures("naive", 1, ["no", "yes"])},
                      PAIRED, seed=7, n_boot=2000, n_chance=999)


def _one_site_polygons() -> Assessment:
    """One budget, polygon references (no halo in the header), the naive ranking better."""
    f = figures("ours", 2, ["no", "no"])
    f = RankingFigures("ours", f.table.iloc[:1].assign(budget=0.02), f.recall_site[:1], f.lift_site[:1],
                       f.recall_block[:1], f.lift_block[:1], Chance(f.shift.median[:1], f.shift.p95[:1], np.array([0.051]), 49),
                       Chance(f.order.median[:1], f.order.p95[:1], np.array([0.0499]), 49), ["no"])
    return Assessment((0.02,), 1, 1, 50.0, False, {"ours": f},
                      [{**PAIRED[0], "budget": 0.02, "better_than_naive": "no"}], seed=0, n_boot=100, n_chance=49)


A_EN = """\
12 reference sites in 5 blocks of 1.5 km; intervals: 95%, bootstrap over sites and over blocks (2,000 resamples); chance: 999 draws; seed 7

Our ranking
budget candidates matched recall      95% sites     95% blocks flagged+33.333m  lift     95% sites    95% blocks
    1%         12       3  0.250 [0.083, 0.500] [0.071, 0.556]           0.010 25.51 [8.50, 51.02] [7.10, 60.20]
    5%      1,234       7  0.583 [0.333, 0.833]     [0.300, —]           0.050 11.74 [6.71, 16.77] [5.90, 17.30]
chance in the same run: the reference shifted at random over the area (clustering kept), and the same candidates in random order; p = share of draws with a lift at least as high
budget  lift shifted: median 95th pct     p random order: median 95th pct     p better than chance
    1% 25.51            1.02     4.50 0.001                 3.10     9.87 0.040                yes
    5% 11.74            0.98     2.25 0.012                 2.90     5.43 0.200                 no
old figure, for comparison (issue 12: the list whose own area fits the budget, the halo not counted; not a chance-corrected lift)
budget candidates matched flagged (own area) lift (own area)
    1%         14       4              0.009           36.63
    5%      1,300       8              0.045           12.82

Naive ranking
budget candidates matched recall      95% sites     95% blocks flagged+33.333m  lift     95% sites    95% blocks
    1%         13       4  0.260 [0.093, 0.510] [0.081, 0.566]           0.011 26.51 [9.50, 52.02] [8.10, 61.20]
    5%      1,235       8  0.593 [0.343, 0.833]     [0.310, —]           0.051 12.74 [7.71, 17.77] [6.90, 18.30]
chance in the same run: the reference shifted at random over the area (clustering kept), and the same candidates in random order; p = share of draws with a lift at least as high
budget  lift shifted: median 95th pct     p random order: median 95th pct     p better than chance
    1% 26.51            2.02     5.50 0.101                 4.10    10.87 0.050                 no
    5% 12.74            1.98     3.25 0.112                 3.90     6.43 0.210                yes
old figure, for comparison (issue 12: the list whose own area fits the budget, the halo not counted; not a chance-corrected lift)
budget candidates matched flagged (own area) lift (own area)
    1%         15       5              0.010           37.63
    5%      1,301       9              0.046           13.82

paired comparison, ours against the naive ranking (the same 12 sites)
budget both find only ours only naive McNemar p lift difference     95% sites    95% blocks
    1%         2         5          0     0.062           12.50 [3.25, 20.00] [1.50, 22.75]
    5%         6         1          3     0.625           -0.50    [-2.00, —] [-3.50, 1.25]

In plain words:
1%: our list: better than chance: yes at 95% (its order better than a random order: yes); the naive list: better than chance: no at 95% (its order better than a random order: no); better than the naive ranking: yes
5%: our list: better than chance: no at 95% (its order better than a random order: no); the naive list: better than chance: yes at 95% (its order better than a random order: no); better than the naive ranking: cannot tell with 12 sites"""

A_IT = """\
12 siti di riferimento in 5 blocchi di 1,5 km; intervalli: 95%, bootstrap sui siti e sui blocchi (2.000 ricampionamenti); caso: 999 estrazioni; seme 7

Our ranking
budget candidati abbinati recall       95% siti    95% blocchi segnalata+33,333m  lift      95% siti   95% blocchi
    1%        12        3  0,250 [0,083, 0,500] [0,071, 0,556]             0,010 25,51 [8,50, 51,02] [7,10, 60,20]
    5%     1.234        7  0,583 [0,333, 0,833]     [0,300, —]             0,050 11,74 [6,71, 16,77] [5,90, 17,30]
il caso nella stessa esecuzione: il riferimento spostato a caso sull'area (raggruppamento conservato) e gli stessi candidati in ordine casuale; p = quota delle estrazioni con un lift almeno pari
budget  lift spostato: mediana 95° pct     p ordine casuale: mediana 95° pct     p meglio del caso
    1% 25,51              1,02    4,50 0,001                    3,10    9,87 0,040              sì
    5% 11,74              0,98    2,25 0,012                    2,90    5,43 0,200              no
cifra precedente, per confronto (issue 12: la lista la cui area propria sta nel budget, senza contare il margine; non è un lift corretto per il caso)
budget candidati abbinati segnalata (area propria) lift (area propria)
    1%        14        4                    0,009               36,63
    5%     1.300        8                    0,045               12,82

Naive ranking
budget candidati abbinati recall       95% siti    95% blocchi segnalata+33,333m  lift      95% siti   95% blocchi
    1%        13        4  0,260 [0,093, 0,510] [0,081, 0,566]             0,011 26,51 [9,50, 52,02] [8,10, 61,20]
    5%     1.235        8  0,593 [0,343, 0,833]     [0,310, —]             0,051 12,74 [7,71, 17,77] [6,90, 18,30]
il caso nella stessa esecuzione: il riferimento spostato a caso sull'area (raggruppamento conservato) e gli stessi candidati in ordine casuale; p = quota delle estrazioni con un lift almeno pari
budget  lift spostato: mediana 95° pct     p ordine casuale: mediana 95° pct     p meglio del caso
    1% 26,51              2,02    5,50 0,101                    4,10   10,87 0,050              no
    5% 12,74              1,98    3,25 0,112                    3,90    6,43 0,210              sì
cifra precedente, per confronto (issue 12: la lista la cui area propria sta nel budget, senza contare il margine; non è un lift corretto per il caso)
budget candidati abbinati segnalata (area propria) lift (area propria)
    1%        15        5                    0,010               37,63
    5%     1.301        9                    0,046               13,82

confronto appaiato, la nostra contro la classifica ingenua (gli stessi 12 siti)
budget trovati da entrambe solo nostra solo ingenua p di McNemar differenza di lift      95% siti   95% blocchi
    1%                   2           5            0        0,062              12,50 [3,25, 20,00] [1,50, 22,75]
    5%                   6           1            3        0,625              -0,50    [-2,00, —] [-3,50, 1,25]

In parole semplici:
1%: our list: meglio del caso: sì al 95% (il suo ordine meglio di un ordine casuale: sì); the naive list: meglio del caso: no al 95% (il suo ordine meglio di un ordine casuale: no); meglio della classifica ingenua: sì
5%: our list: meglio del caso: no al 95% (il suo ordine meglio di un ordine casuale: no); the naive list: meglio del caso: sì al 95% (il suo ordine meglio di un ordine casuale: no); meglio della classifica ingenua: non si può dire con 12 siti"""

ONE_EN = """\
1 reference site in 1 block of 1.5 km; intervals: 95%, bootstrap over sites and over blocks (100 resamples); chance: 49 draws; seed 0

ours
budget candidates matched recall      95% sites     95% blocks flagged  lift      95% sites    95% blocks
    2%         14       5  0.270 [0.103, 0.520] [0.091, 0.576]   0.012 27.51 [10.50, 53.02] [9.10, 62.20]
chance in the same run: the reference shifted at random over the area (clustering kept), and the same candidates in random order; p = share of draws with a lift at least as high
budget  lift shifted: median 95th pct     p random order: median 95th pct     p better than chance
    2% 27.51            3.02     6.50 0.051                 5.10    11.87 0.050                 no
old figure, for comparison (issue 12: the list whose own area fits the budget, the halo not counted; not a chance-corrected lift)
budget candidates matched flagged (own area) lift (own area)
    2%         16       6              0.011           38.63

paired comparison, ours against the naive ranking (the same 1 site)
budget both find only ours only naive McNemar p lift difference     95% sites    95% blocks
    2%         2         5          0     0.062           12.50 [3.25, 20.00] [1.50, 22.75]

In plain words:
2%: ours: better than chance: no at 95% (its order better than a random order: yes); better than the naive ranking: no (the naive ranking is better)"""

ONE_IT = """\
1 sito di riferimento in 1 blocco di 1,5 km; intervalli: 95%, bootstrap sui siti e sui blocchi (100 ricampionamenti); caso: 49 estrazioni; seme 0

ours
budget candidati abbinati recall       95% siti    95% blocchi segnalata  lift       95% siti   95% blocchi
    2%        14        5  0,270 [0,103, 0,520] [0,091, 0,576]     0,012 27,51 [10,50, 53,02] [9,10, 62,20]
il caso nella stessa esecuzione: il riferimento spostato a caso sull'area (raggruppamento conservato) e gli stessi candidati in ordine casuale; p = quota delle estrazioni con un lift almeno pari
budget  lift spostato: mediana 95° pct     p ordine casuale: mediana 95° pct     p meglio del caso
    2% 27,51              3,02    6,50 0,051                    5,10   11,87 0,050              no
cifra precedente, per confronto (issue 12: la lista la cui area propria sta nel budget, senza contare il margine; non è un lift corretto per il caso)
budget candidati abbinati segnalata (area propria) lift (area propria)
    2%        16        6                    0,011               38,63

confronto appaiato, la nostra contro la classifica ingenua (lo stesso 1 sito)
budget trovati da entrambe solo nostra solo ingenua p di McNemar differenza di lift      95% siti   95% blocchi
    2%                   2           5            0        0,062              12,50 [3,25, 20,00] [1,50, 22,75]

In parole semplici:
2%: ours: meglio del caso: no al 95% (il suo ordine meglio di un ordine casuale: sì); meglio della classifica ingenua: no (la classifica ingenua è migliore)"""



def test_two_rankings_with_their_intervals_chance_and_the_paired_comparison_word_for_word():
    assert format_assessment(_two_rankings(), NAMES, "en") == A_EN
    assert format_assessment(_two_rankings(), NAMES, "it") == A_IT
    assert format_assessment(_two_rankings(), NAMES) == A_EN
    assert "\n".join(plain_sentences(_two_rankings(), NAMES)) == A_EN.split("In plain words:\n")[1].rstrip("\n")


def test_one_site_on_polygons_and_the_naive_ranking_better_word_for_word():
    assert format_assessment(_one_site_polygons(), {}, "en") == ONE_EN
    assert format_assessment(_one_site_polygons(), {}, "it") == ONE_IT


def test_the_header_says_the_block_size_given_and_each_count_in_the_singular_or_plural_word_for_word():
    def header(n_ref, n_blocks, block_m, n_boot, n_chance, lang):
        a = Assessment((0.02,), n_ref, n_blocks, 50.0, False, {}, [], seed=3, n_boot=n_boot, n_chance=n_chance,
                       block_m=block_m)
        return format_assessment(a, {}, lang).splitlines()[0]

    assert header(1, 1, 250.0, 1, 1, "en") == ("1 reference site in 1 block of 0.25 km; intervals: 95%, bootstrap over "
                                               "sites and over blocks (1 resample); chance: 1 draw; seed 3")
    assert header(1, 1, 250.0, 1, 1, "it") == ("1 sito di riferimento in 1 blocco di 0,25 km; intervalli: 95%, bootstrap "
                                               "sui siti e sui blocchi (1 ricampionamento); caso: 1 estrazione; seme 3")
    assert header(2, 2, 3000.0, 2, 2, "en") == ("2 reference sites in 2 blocks of 3 km; intervals: 95%, bootstrap over "
                                                "sites and over blocks (2 resamples); chance: 2 draws; seed 3")
    assert header(2, 2, 3000.0, 2, 2, "it") == ("2 siti di riferimento in 2 blocchi di 3 km; intervalli: 95%, bootstrap "
                                                "sui siti e sui blocchi (2 ricampionamenti); caso: 2 estrazioni; seme 3")
    assert header(0, 0, 1234.56, 0, 0, "en") == ("0 reference sites in 0 blocks of 1.235 km; intervals: 95%, bootstrap "
                                                "over sites and over blocks (0 resamples); chance: 0 draws; seed 3")
    assert header(0, 0, 1234.56, 0, 0, "it") == ("0 siti di riferimento in 0 blocchi di 1,235 km; intervalli: 95%, "
                                                "bootstrap sui siti e sui blocchi (0 ricampionamenti); caso: 0 estrazioni; "
                                                "seme 3")


def test_the_assessment_says_the_block_size_assess_was_given():
    import geopandas as gpd
    from shapely.geometry import Point, box

    from geo.brownfield.evaluate import assess

    cands = gpd.GeoDataFrame({"rank": [1]}, geometry=[box(1000, 2000, 1060, 2060)], crs=32632)
    refs = gpd.GeoDataFrame(geometry=[Point(1030, 2030)], crs=32632)
    a = assess(cands, refs, box(1000, 2000, 4000, 5000), 50, (0.01,), n_boot=5, n_chance=3, block_m=750.0)
    assert a.block_m == 750.0
    assert format_assessment(a, {}, "en").startswith("1 reference site in 1 block of 0.75 km;")
    assert format_assessment(a, {}, "it").startswith("1 sito di riferimento in 1 blocco di 0,75 km;")


def test_the_assessment_as_json_keeps_every_figure_under_its_name():
    d = _two_rankings().to_dict()
    assert list(d) == ["budgets", "n_reference", "n_blocks", "block_m", "tolerance_m", "seed",
                       "bootstrap_resamples", "chance_draws", "rankings", "paired"]
    assert (d["budgets"], d["n_reference"], d["n_blocks"], d["block_m"], d["tolerance_m"], d["seed"],
            d["bootstrap_resamples"], d["chance_draws"]) == ([0.01, 0.05], 12, 5, BLOCK_M, 33.3333, 7, 2000, 999)
    assert d["paired"] == PAIRED and list(d["rankings"]) == ["ours", "naive"]
    naive = d["rankings"]["naive"]
    assert list(naive) == ["table", "recall_site", "lift_site", "recall_block", "lift_block", "chance_shift",
                           "chance_order", "better_than_chance"]
    assert naive["table"] == figures("naive", 1, []).table.to_dict("records")
    assert naive["recall_site"] == [{"value": 0.25, "lo": 0.0933, "hi": 0.51}, {"value": 0.58, "lo": 0.3433, "hi": 0.8333}]
    assert naive["lift_site"] == [{"value": 25.5, "lo": 9.5, "hi": 52.02}, {"value": 11.7, "lo": 7.71, "hi": 17.77}]
    assert naive["recall_block"] == [{"value": 0.25, "lo": 0.0814, "hi": 0.5656},
                                     {"value": 0.58, "lo": 0.31, "hi": None}]  # not finite: null
    assert naive["lift_block"] == [{"value": 25.5, "lo": 8.1, "hi": 61.2}, {"value": 11.7, "lo": 6.9, "hi": 18.3}]
    assert naive["chance_shift"] == {"median": [2.02, 1.98], "p95": [5.5, 3.25], "p_value": [0.101, 0.112],
                                     "draws": 999}
    assert naive["chance_order"] == {"median": [4.1, 3.9], "p95": [10.87, 6.43], "p_value": [0.05, 0.21],
                                     "draws": 999}
    assert naive["better_than_chance"] == ["no", "yes"] and d["rankings"]["ours"]["better_than_chance"] == ["yes", "no"]
    assert d["rankings"]["ours"]["lift_block"][0] == {"value": 25.5, "lo": 7.1, "hi": 60.2}
    # Polygon references have no matching tolerance: 0 whatever was asked.
    one = _one_site_polygons().to_dict()
    assert (one["tolerance_m"], one["seed"], one["bootstrap_resamples"], one["chance_draws"]) == (0.0, 0, 100, 49)
