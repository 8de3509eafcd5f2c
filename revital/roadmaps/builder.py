"""The roadmap built from a commune's validated sheets, and two versions compared. Pure: no web
framework, no database (the contract is /work/notes/roadmap_format.md, repeated in `build`).

    build(commune, sheets, lineage, axes) -> snapshot     (what roadmaps.snapshot keeps, as JSON)
    compare(old, new) -> {"added", "removed", "changed", "totals"}

Amounts are integers of cents. Refused funding lines do not reduce the remaining cost; the raw
remaining cost is kept (it may be negative when more is requested than the action costs), the
pages show it never below zero (`shown_remaining`)."""

from revital.sheets.rules import FUNDING_STATUS_LABELS, GRANTED, REFUSED, REQUESTED

FORMAT = "revital-feuille-de-route/1"
NO_AXIS = "Sans axe"
LINEAGE_KINDS = ("idea", "stake", "contribution", "workshop", "proposal", "observation")
# What compare() looks at in an action, with its French name.
COMPARED = {
    "title": "intitulé",
    "axis": "axe",
    "priority": "priorité",
    "status": "statut",
    "maturity": "maturité",
    "pilot": "pilote",
    "cost_cents": "coût",
    "funding": "financements",
    "start": "début",
    "end": "fin",
}
NO_PRIORITY = 99  # actions without a priority come after priority 3


def quarter_label(year: int, q: int) -> str:
    """ "T1 2027"."""
    return f"T{q} {year}"


def quarter_index(point: dict) -> int:
    return point["year"] * 4 + point["quarter"] - 1


def from_index(index: int) -> dict:
    year, q = divmod(index, 4)
    return {"year": year, "quarter": q + 1, "label": quarter_label(year, q + 1)}


def calendar(actions: list[dict]) -> dict | None:
    """Every quarter from the first start to the last end of the actions (an action with only a
    start or an end counts for that quarter); None when no action is dated."""
    points = [quarter_index(p) for a in actions for p in (a["start"], a["end"]) if p]
    if not points:
        return None
    first, last = min(points), max(points)
    quarters = [from_index(i) for i in range(first, last + 1)]
    return {"first": {"year": quarters[0]["year"], "quarter": quarters[0]["quarter"]},
            "last": {"year": quarters[-1]["year"], "quarter": quarters[-1]["quarter"]},
            "quarters": quarters}


def span(action: dict) -> tuple[int, int] | None:
    """The quarters (indexes) an action covers, start and end included, or None if undated."""
    start, end = action.get("start"), action.get("end")
    if not start and not end:
        return None
    a = quarter_index(start or end)
    b = quarter_index(end or start)
    return (a, b) if a <= b else (b, a)


def funding_sums(lines: list[dict]) -> dict[str, int]:
    sums = {REQUESTED: 0, GRANTED: 0, REFUSED: 0}
    for line in lines:
        sums[line["status"] if line["status"] in sums else REQUESTED] += int(line["amount_cents"])
    return sums


def action_of(sheet: dict, lineage: dict[str, int]) -> dict:
    investment = sum(int(c["investment_cents"]) for c in sheet["costs"])
    operating = sum(int(c["operating_cents"]) for c in sheet["costs"])
    funding = [{"funder": f["funder"], "scheme": f["scheme"], "amount_cents": int(f["amount_cents"]),
                "year": f["year"], "status": f["status"]} for f in sheet["funding"]]
    sums = funding_sums(funding)
    axis = sheet.get("axis")
    return {
        "sheet_id": sheet["id"], "number": sheet["number"], "title": sheet["title"],
        "axis": axis["title"] if axis else None, "priority": sheet.get("priority"),
        "maturity": sheet["maturity"], "status": sheet["status"],
        "description": sheet["description"], "objectives": sheet["objectives"],
        "pilot": sheet["pilot"], "elected_referent_role": sheet["elected_referent_role"],
        "technical_referent_role": sheet["technical_referent_role"],
        "partners": [p["name"] for p in sheet["partners"]],
        "cost_cents": investment + operating, "investment_cents": investment, "operating_cents": operating,
        "funding": funding,
        "requested_cents": sums[REQUESTED], "granted_cents": sums[GRANTED],
        "remaining_cents": investment + operating - sums[GRANTED] - sums[REQUESTED],
        "start": dict(sheet["start"]) if sheet["start"] else None,
        "end": dict(sheet["end"]) if sheet["end"] else None,
        "milestones": [dict(m) for m in sheet["milestones"]],
        "indicators": [dict(i) for i in sheet["indicators"]],
        "geometry": sheet["geometry"], "place": sheet["place"],
        "lineage": {kind: int(lineage.get(kind, 0)) for kind in LINEAGE_KINDS},
    }


def funders(actions: list[dict]) -> list[dict]:
    """Per funder (by name as shown): requested, granted and refused, and the actions it funds;
    the largest (requested + granted) first, then by name."""
    found: dict[str, dict] = {}
    for action in actions:
        for line in action["funding"]:
            entry = found.setdefault(line["funder"], {"funder": line["funder"], "requested_cents": 0,
                                                      "granted_cents": 0, "refused_cents": 0, "actions": []})
            status = line["status"] if line["status"] in FUNDING_STATUS_LABELS else REQUESTED
            entry[f"{status}_cents"] += line["amount_cents"]
            if action["number"] not in entry["actions"]:
                entry["actions"].append(action["number"])
    return sorted(found.values(), key=lambda f: (-(f["requested_cents"] + f["granted_cents"]),
                                                 -f["refused_cents"], f["funder"].lower()))


def build(commune: dict, sheets: list[dict], lineage: dict[int, dict[str, int]], axes: list[dict]) -> dict:
    """The roadmap of a commune: `commune` {"name", "slug", "insee"}; `sheets` the public
    snapshots (revital.sheets.snapshot.public) of its validated sheets, each with its "id";
    `lineage` {sheet id: {kind: count}}; `axes` the commune's axes {"id", "title", "position"}.
    Actions are ordered by their axis's position (those without an axis last), priority (1 first,
    none last) and number. "version", "published_at" and "note" are set by publication."""
    positions = {a["id"]: (a["position"], a["id"]) for a in axes}
    axis_by_id = {a["id"]: a for a in axes}
    for sheet in sheets:  # an axis the sheet names that the list lacks still counts
        axis = sheet.get("axis")
        if axis and axis["id"] not in axis_by_id:
            axis_by_id[axis["id"]] = axis
            positions[axis["id"]] = (axis["position"], axis["id"])

    def order(sheet):
        axis = sheet.get("axis")
        where = (0, *positions[axis["id"]]) if axis else (1, 0, 0)
        priority = sheet.get("priority") or NO_PRIORITY
        return (*where, priority, sheet["number"])

    ordered = sorted(sheets, key=order)
    actions = [action_of(s, lineage.get(s["id"], {})) for s in ordered]
    groups: list[dict] = []
    for sheet, action in zip(ordered, actions):
        axis = sheet.get("axis")
        key = axis["id"] if axis else None
        if not groups or groups[-1]["id"] != key:
            groups.append({"id": key, "title": axis_by_id[key]["title"] if key is not None else NO_AXIS,
                           "position": axis_by_id[key]["position"] if key is not None else None, "actions": []})
        groups[-1]["actions"].append(action["number"])
    totals = {"actions": len(actions)}
    for name in ("cost_cents", "investment_cents", "operating_cents", "requested_cents", "granted_cents",
                 "remaining_cents"):
        totals[name] = sum(a[name] for a in actions)
    return {
        "format": FORMAT,
        "commune": {"name": commune["name"], "slug": commune["slug"], "insee": commune["insee"]},
        "version": None, "published_at": None, "note": "",
        "axes": groups,
        "actions": actions,
        "calendar": calendar(actions),
        "funders": funders(actions),
        "totals": totals,
    }


def shown_remaining(cents: int) -> int:
    """The remaining cost as shown: never below zero."""
    return max(0, cents)


def actions_by_number(snapshot: dict) -> dict[int, dict]:
    return {a["number"]: a for a in snapshot["actions"]}


# --- Two versions compared -----------------------------------------------------------------

def funding_key(line: dict) -> tuple:
    return (line["funder"], line["scheme"], line["amount_cents"], line["year"], line["status"])


def changed_fields(old: dict, new: dict) -> list[dict]:
    """The compared fields that differ: {"field", "label", "before", "after"}."""
    found = []
    for name, label in COMPARED.items():
        before, after = old.get(name), new.get(name)
        if name == "funding":
            if sorted(map(funding_key, before or [])) == sorted(map(funding_key, after or [])):
                continue
            before = {"requested_cents": old["requested_cents"], "granted_cents": old["granted_cents"],
                      "lines": before or []}
            after = {"requested_cents": new["requested_cents"], "granted_cents": new["granted_cents"],
                     "lines": after or []}
        elif before == after:
            continue
        found.append({"field": name, "label": label, "before": before, "after": after})
    return found


def compare(old: dict, new: dict) -> dict:
    """What changed from one roadmap snapshot to another. Actions are matched by their sheet
    (sheet_id; number when a snapshot lacks it):

        {"added": [actions of new], "removed": [actions of old],
         "changed": [{"number", "title", "fields": [{"field", "label", "before", "after"}],
                      "cost_difference_cents", "funding_difference_cents"}],
         "unchanged": count,
         "totals": {name: {"before", "after", "difference"}} for the totals in cents and the count}

    The funding difference is that of requested + granted."""
    def key(action):
        return action.get("sheet_id") or ("n", action["number"])

    before = {key(a): a for a in old["actions"]}
    after = {key(a): a for a in new["actions"]}
    added = [a for k, a in after.items() if k not in before]
    removed = [a for k, a in before.items() if k not in after]
    changed, unchanged = [], 0
    for k, action in after.items():
        if k not in before:
            continue
        fields = changed_fields(before[k], action)
        if not fields:
            unchanged += 1
            continue
        was = before[k]
        changed.append({
            "number": action["number"], "title": action["title"], "fields": fields,
            "cost_difference_cents": action["cost_cents"] - was["cost_cents"],
            "funding_difference_cents": (action["requested_cents"] + action["granted_cents"]
                                         - was["requested_cents"] - was["granted_cents"]),
        })
    totals = {}
    for name in ("actions", "cost_cents", "investment_cents", "operating_cents", "requested_cents", "granted_cents",
                 "remaining_cents"):
        a, b = old["totals"].get(name, 0), new["totals"].get(name, 0)
        totals[name] = {"before": a, "after": b, "difference": b - a}
    return {"added": added, "removed": removed, "changed": changed, "unchanged": unchanged, "totals": totals}


def is_empty(comparison: dict) -> bool:
    return not (comparison["added"] or comparison["removed"] or comparison["changed"])
