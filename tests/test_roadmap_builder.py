"""The roadmap's pure parts: the builder (order, totals in cents, quarters, funders, lineage), the
comparison of two versions, the Gantt chart and the map as SVG (rows, escaping)."""

import copy
import xml.etree.ElementTree as ET

from shapely.geometry import shape

from revital.formatting import day_fr
from revital.roadmaps import actionmap, builder, gantt, labels

SVG = "{http://www.w3.org/2000/svg}"
COMMUNE = {"name": "Châteauneuf-de-Randon", "slug": "chateauneuf-de-randon", "insee": "48043"}
AXES = [{"id": 10, "title": "Habiter le bourg", "position": 1}, {"id": 11, "title": "La place", "position": 0}]


def sheet(number, title, axis=None, priority=None, costs=((2027, 100_000, 0),), funding=(), start=(2027, 1),
          end=(2027, 4), geometry=None, sheet_id=None):
    return {
        "id": sheet_id or 100 + number, "number": number, "title": title, "axis": axis, "priority": priority,
        "context": "", "objectives": "", "effects": "", "targets": "", "description": "", "prerequisites": "",
        "geometry": geometry, "place": "", "pilot": "Commune", "elected_referent": "", "elected_referent_role": "Maire",
        "technical_referent": "", "technical_referent_role": "", "start": {"year": start[0], "quarter": start[1]} if start else None,
        "end": {"year": end[0], "quarter": end[1]} if end else None, "maturity": "fiche_action", "status": "validated",
        "status_reason": "", "operations": [], "partners": [{"id": 1, "name": "CAUE de la Lozère"}], "related": [],
        "costs": [{"year": y, "investment_cents": i, "operating_cents": o} for y, i, o in costs],
        "funding": [{"funder": f, "organisation_id": None, "scheme": "DETR", "amount_cents": a, "year": 2027, "status": s}
                    for f, a, s in funding],
        "milestones": [], "indicators": [], "sources": {},
    }


def sample():
    place, homes = AXES[1], AXES[0]
    return [
        sheet(4, "Logements", axis=homes, priority=1, costs=((2027, 50_000, 1_000), (2028, 30_000, 1_000)),
              funding=[("Banque des Territoires", 40_000, "granted")], start=(2027, 3), end=(2028, 2)),
        sheet(2, "Halle", axis=place, priority=3, funding=[("Région", 30_000, "requested"), ("DETR", 10_000, "refused")],
              start=(2028, 1), end=(2028, 1)),
        sheet(3, "Place", axis=place, priority=1, funding=[("Région", 25_000, "granted"), ("DETR", 50_000, "requested")],
              start=(2026, 4), end=(2027, 2)),
        sheet(1, "Sans axe encore", axis=None, priority=None, start=None, end=None),
        sheet(5, "Place bis", axis=place, priority=None, start=(2027, 1), end=None),
    ]


def built():
    lineage = {103: {"idea": 2, "stake": 3, "contribution": 42}}
    return builder.build(COMMUNE, sample(), lineage, AXES)


def test_actions_are_ordered_by_axis_position_then_priority_then_number():
    roadmap = built()
    assert [a["number"] for a in roadmap["actions"]] == [3, 2, 5, 4, 1]
    assert [(g["title"], g["actions"]) for g in roadmap["axes"]] == [
        ("La place", [3, 2, 5]), ("Habiter le bourg", [4]), ("Sans axe", [1])]
    assert roadmap["axes"][-1]["id"] is None
    assert roadmap["format"] == "revital-feuille-de-route/1"


def test_totals_are_integers_of_cents_and_refused_lines_do_not_reduce_the_remaining_cost():
    roadmap = built()
    by_number = builder.actions_by_number(roadmap)
    homes = by_number[4]
    assert (homes["cost_cents"], homes["investment_cents"], homes["operating_cents"]) == (82_000, 80_000, 2_000)
    assert (homes["granted_cents"], homes["requested_cents"], homes["remaining_cents"]) == (40_000, 0, 42_000)
    halle = by_number[2]
    assert (halle["requested_cents"], halle["granted_cents"], halle["remaining_cents"]) == (30_000, 0, 70_000)
    place = by_number[3]
    assert place["remaining_cents"] == 100_000 - 25_000 - 50_000
    totals = roadmap["totals"]
    assert totals == {"actions": 5, "cost_cents": 482_000, "investment_cents": 480_000, "operating_cents": 2_000,
                      "requested_cents": 80_000, "granted_cents": 65_000, "remaining_cents": 337_000}
    assert all(isinstance(v, int) for v in totals.values())


def test_remaining_cost_keeps_its_raw_value_and_shows_never_below_zero():
    over = builder.build(COMMUNE, [sheet(1, "Trop", costs=((2027, 1_000, 0),), funding=[("État", 5_000, "granted")])], {}, [])
    assert over["actions"][0]["remaining_cents"] == -4_000
    assert builder.shown_remaining(over["totals"]["remaining_cents"]) == 0


def test_calendar_spans_first_start_to_last_end_with_french_labels():
    calendar = built()["calendar"]
    assert calendar["first"] == {"year": 2026, "quarter": 4}
    assert calendar["last"] == {"year": 2028, "quarter": 2}
    labels_ = [q["label"] for q in calendar["quarters"]]
    assert labels_ == ["T4 2026", "T1 2027", "T2 2027", "T3 2027", "T4 2027", "T1 2028", "T2 2028"]
    assert builder.build(COMMUNE, [sheet(1, "x", start=None, end=None)], {}, [])["calendar"] is None


def test_funders_are_aggregated_largest_first_with_their_actions():
    funders = built()["funders"]
    assert [f["funder"] for f in funders] == ["Région", "DETR", "Banque des Territoires"]
    region = funders[0]
    assert (region["requested_cents"], region["granted_cents"], region["refused_cents"]) == (30_000, 25_000, 0)
    assert sorted(region["actions"]) == [2, 3]
    assert funders[1]["refused_cents"] == 10_000 and funders[1]["requested_cents"] == 50_000


def test_lineage_counts_are_kept_for_each_action_and_worded_in_french():
    by_number = builder.actions_by_number(built())
    assert by_number[3]["lineage"] == {"idea": 2, "stake": 3, "contribution": 42, "workshop": 0, "proposal": 0,
                                       "observation": 0}
    assert by_number[4]["lineage"]["idea"] == 0
    sentence = labels.lineage_sentence(by_number[3]["lineage"])
    assert sentence.startswith("Née de 42 contributions")
    assert "3 enjeux" in sentence and "2 pistes d’action" in sentence
    assert labels.lineage_sentence(by_number[4]["lineage"]) == ""


def test_referents_names_never_reach_the_roadmap():
    data = sample()
    data[0]["elected_referent"] = "Jeanne Dupont"
    roadmap = builder.build(COMMUNE, data, {}, AXES)
    assert "Jeanne Dupont" not in repr(roadmap)
    assert roadmap["actions"][-2]["elected_referent_role"] == "Maire"


def test_milestone_days_in_french():
    assert day_fr(labels.day_of("2027-03-01")) == "1er mars 2027"
    assert labels.day_of("") is None and labels.day_of(None) is None and day_fr(labels.day_of("2027-02-30")) == ""


# --- compare ---------------------------------------------------------------------------------

def test_compare_finds_added_removed_and_changed_actions_with_before_and_after():
    old = built()
    data = sample()
    data = [s for s in data if s["number"] != 1]  # removed
    data[0]["costs"] = [{"year": 2027, "investment_cents": 90_000, "operating_cents": 1_000}]  # cost of 4 changed
    data[1]["title"] = "Halle du marché"  # title of 2 changed
    data[2]["funding"][0]["status"] = "requested"  # funding of 3 changed
    data[3]["end"] = {"year": 2027, "quarter": 3}  # end of 5 changed
    data.append(sheet(6, "Nouvelle action", axis=AXES[0], costs=((2028, 5_000, 0),)))
    new = builder.build(COMMUNE, data, {}, AXES)
    comparison = builder.compare(old, new)
    assert [a["number"] for a in comparison["added"]] == [6]
    assert [a["number"] for a in comparison["removed"]] == [1]
    changed = {c["number"]: c for c in comparison["changed"]}
    assert set(changed) == {2, 3, 4, 5}
    cost = next(f for f in changed[4]["fields"] if f["field"] == "cost_cents")
    assert (cost["before"], cost["after"]) == (82_000, 91_000)
    assert changed[4]["cost_difference_cents"] == 9_000
    assert [f["field"] for f in changed[2]["fields"]] == ["title"]
    assert changed[2]["fields"][0]["before"] == "Halle" and changed[2]["fields"][0]["after"] == "Halle du marché"
    funding = next(f for f in changed[3]["fields"] if f["field"] == "funding")
    assert funding["before"]["granted_cents"] == 25_000 and funding["after"]["granted_cents"] == 0
    assert changed[3]["funding_difference_cents"] == 0  # moved from granted to requested
    assert [f["field"] for f in changed[5]["fields"]] == ["end"]
    totals = comparison["totals"]
    assert totals["actions"] == {"before": 5, "after": 5, "difference": 0}
    assert totals["cost_cents"]["difference"] == new["totals"]["cost_cents"] - old["totals"]["cost_cents"]
    assert not builder.is_empty(comparison)


def test_compare_of_a_version_with_itself_is_empty():
    roadmap = built()
    comparison = builder.compare(roadmap, copy.deepcopy(roadmap))
    assert builder.is_empty(comparison) and comparison["unchanged"] == 5
    assert all(t["difference"] == 0 for t in comparison["totals"].values())


# --- the Gantt chart ---------------------------------------------------------------------------

def parsed(svg: str):
    return ET.fromstring(svg)


def test_gantt_has_one_row_per_action_grouped_by_axis_and_a_column_per_quarter():
    roadmap = built()
    root = parsed(gantt.svg(roadmap))
    assert root.find(f"{SVG}title").text.startswith("Calendrier de la feuille de route de Châteauneuf-de-Randon")
    rows = root.findall(f"{SVG}g[@class='row']")
    assert [r.get("data-number") for r in rows] == ["3", "2", "5", "4", "1"]
    axes = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "axis"]
    assert axes == ["La place", "Habiter le bourg", "Sans axe"]
    quarter_heads = [t.text for t in root.iter(f"{SVG}text") if t.text in ("T1", "T2", "T3", "T4")]
    assert len(quarter_heads) == 7
    bars = {r.get("data-number"): r.find(f"{SVG}rect[@class='bar']") for r in rows}
    assert bars["1"] is None  # undated
    assert float(bars["4"].get("width")) == 4 * gantt.QUARTER_WIDTH - 4  # T3 2027 – T2 2028
    assert float(bars["5"].get("width")) == gantt.QUARTER_WIDTH - 4  # a start only: one quarter


def test_gantt_marks_the_current_quarter_only_inside_the_calendar():
    from datetime import date

    roadmap = built()
    assert 'class="today"' in gantt.svg(roadmap, date(2027, 5, 2))
    assert 'class="today"' not in gantt.svg(roadmap, date(2031, 5, 2))
    assert gantt.svg(builder.build(COMMUNE, [sheet(1, "x", start=None, end=None)], {}, [])) == ""


def test_gantt_escapes_every_text():
    evil_axis = {"id": 1, "title": "<script>alert(1)</script> & co", "position": 0}
    roadmap = builder.build({**COMMUNE, "name": "Saint-<b>"}, [sheet(1, "</text><script>x</script>\"'", axis=evil_axis)], {}, [evil_axis])
    svg = gantt.svg(roadmap)
    assert "<script>" not in svg and "<b>" not in svg
    root = parsed(svg)  # well-formed
    assert any("</text><script>" in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_gantt_pages_cut_long_roadmaps_and_repeat_the_axis():
    axis = AXES[0]
    many = [sheet(i, f"Action {i}", axis=axis) for i in range(1, 61)]
    roadmap = builder.build(COMMUNE, many, {}, [axis])
    parts = gantt.pages(roadmap, per_page=26)
    assert len(parts) == 3
    counts = [len(parsed(p).findall(f"{SVG}g[@class='row']")) for p in parts]
    assert sum(counts) == 60
    assert "Habiter le bourg (suite)" in parts[1]


# --- the map -------------------------------------------------------------------------------------

# The boundary crosses the map's frame (framed on the perimeter): the land east of it is outside.
BOUNDARY = shape({"type": "Polygon", "coordinates": [[[3.66, 44.63], [3.677, 44.63], [3.677, 44.65], [3.66, 44.65], [3.66, 44.63]]]})
PERIMETER = shape({"type": "Polygon", "coordinates": [[[3.670, 44.637], [3.678, 44.637], [3.678, 44.643], [3.670, 44.643], [3.670, 44.637]]]})


def test_map_draws_boundary_perimeter_and_each_located_action_numbered():
    data = [
        sheet(1, "Point", geometry={"type": "Point", "coordinates": [3.674, 44.640]}),
        sheet(2, "Ligne", geometry={"type": "LineString", "coordinates": [[3.671, 44.638], [3.676, 44.641]]}),
        sheet(3, "Zone", geometry={"type": "Polygon", "coordinates": [[[3.672, 44.639], [3.673, 44.639], [3.673, 44.640], [3.672, 44.639]]]}),
        sheet(4, "Nulle part"),
    ]
    roadmap = builder.build(COMMUNE, data, {}, [])
    root = parsed(actionmap.svg(roadmap, BOUNDARY, PERIMETER))
    classes = [e.get("class") for e in root.iter() if e.get("class")]
    assert {"outside", "boundary", "perimeter", "action-line", "action-area"} <= set(classes)
    marks = root.findall(f"{SVG}g[@class='action-mark']")
    assert [m.find(f"{SVG}text").text for m in marks] == ["1", "2", "3"]
    assert [a["number"] for a in actionmap.unlocated(roadmap)] == [4]
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for mark in marks:
        circle = mark.find(f"{SVG}circle")
        assert 0 <= float(circle.get("cx")) <= width and 0 <= float(circle.get("cy")) <= height


def test_map_escapes_titles_and_is_empty_without_anything_to_draw():
    roadmap = builder.build(COMMUNE, [sheet(1, "<img src=x onerror=alert(1)>",
                                            geometry={"type": "Point", "coordinates": [3.674, 44.640]})], {}, [])
    svg = actionmap.svg(roadmap, BOUNDARY, None, unit="mm")
    assert "<img" not in svg and 'width="180.00mm"' in svg
    parsed(svg)
    assert actionmap.svg(builder.build(COMMUNE, [sheet(1, "x")], {}, []), None, None) == ""
