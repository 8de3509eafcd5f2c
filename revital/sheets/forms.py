"""The forms of a sheet's sections, pure (no web framework, no database): a section's values drawn
from the sheet's snapshot (`drawn`), as posted (`typed`: strings and rows of strings) and checked
(`clean`: the fields to write, and French messages by field name, a row's cells as "name-index").
Amounts go through rules.parse_euros (cents, never a float); a drawn location must lie within the
commune. revital.sheets.editing writes what `clean` accepts."""

import json
import re
from dataclasses import dataclass, field
from datetime import date

import shapely

from revital import geo
from revital.sheets import rules
from revital.sheets.rules import PEOPLE, TEXTS

TEXT_MAX = 20_000
MAX_ROWS = 60
LIMITS = {"title": 160, "place_name": 120, "pilot": 200, "elected_referent": 160, "elected_referent_role": 160,
          "technical_referent": 160, "technical_referent_role": 160}
# The rows of the list sections: the prefix of their fields and the fields of one row.
ROWS = {
    "operations": ("op", ("kind", "label")),
    "costs": ("cost", ("year", "investment", "operating")),
    "funding": ("fund", ("funder", "name", "scheme", "amount", "year", "status")),
    "milestones": ("ms", ("label", "on")),
    "indicators": ("ind", ("name", "unit", "baseline", "target", "source")),
}
SECTION_ROWS = {"contenu": ("operations",), "financement": ("costs", "funding"), "calendrier": ("milestones",),
                "indicateurs": ("indicators",)}
BLANK_ROWS = 2  # empty rows offered after the filled ones (more come after each save)
GEOMETRY_KINDS = ("Point", "LineString", "Polygon", "MultiPolygon")
GEOMETRY_MAX_VERTICES = 5_000
TOLERANCE_DEGREES = 0.00005  # about 5 m: a point drawn on the boundary line is inside


# --- the values of a form, as typed ----------------------------------------------------------------

def one(form_values: dict, name: str) -> str:
    values = form_values.get(name) or []
    return values[0] if values else ""


def rows_of(form_values: dict, list_key: str) -> list[dict]:
    """The posted rows of a list, in order, every field a string; rows left blank are dropped."""
    prefix, names = ROWS[list_key]
    columns = {name: form_values.get(f"{prefix}_{name}") or [] for name in names}
    count = min(max((len(c) for c in columns.values()), default=0), MAX_ROWS + BLANK_ROWS + 5)
    done = set(form_values.get(f"{prefix}_done") or [])
    found = []
    for i in range(count):
        row = {name: (columns[name][i] if i < len(columns[name]) else "") for name in names}
        if list_key == "milestones":
            row["done"] = str(i) in done
        if list_key == "operations":
            blank = not row["label"].strip()
        elif list_key == "funding":
            blank = not any(row[n].strip() for n in ("funder", "name", "scheme", "amount", "year"))
        else:
            blank = not any(str(row[n]).strip() for n in names)
        if not blank:
            found.append(row)
    return found


def typed(section: str, form_values: dict) -> dict:
    """What was posted for a section, in the shape the section's template reads."""
    if section == "identite":
        return {"title": one(form_values, "title"), "axis": one(form_values, "axis"),
                "priority": one(form_values, "priority"), "ideas": set(form_values.get("ideas") or []),
                "stakes": set(form_values.get("stakes") or []), "contributions": one(form_values, "contributions")}
    if section == "contenu":
        return {**{name: one(form_values, name) for name in TEXTS},
                "operations": rows_of(form_values, "operations")}
    if section == "localisation":
        return {name: one(form_values, name) for name in ("geometry", "place", "place_name")}
    if section == "personnes":
        return {**{name: one(form_values, name) for name in PEOPLE},
                "partners": set(form_values.get("partners") or [])}
    if section == "financement":
        return {"costs": rows_of(form_values, "costs"), "funding": rows_of(form_values, "funding")}
    if section == "calendrier":
        return {"start": one(form_values, "start"), "end": one(form_values, "end"),
                "milestones": rows_of(form_values, "milestones")}
    if section == "indicateurs":
        return {"indicators": rows_of(form_values, "indicators")}
    if section == "liens":
        return {"related": set(form_values.get("related") or [])}
    raise KeyError(section)


def quarter_value(q: dict | None) -> str:
    return f"{q['year']}-T{q['quarter']}" if q else ""


def amount_text(cents: int) -> str:
    return rules.euros(cents).replace("\u00a0€", "").replace("\u202f", " ") if cents else ""


def drawn(snap: dict, section: str, place_id: int | None = None, place_name: str = "") -> dict:
    """A section's form values drawn from the sheet as it is (its snapshot; the location also needs
    the sheet's place id, or the name of a place not in the commune's list)."""
    if section == "identite":
        sources = snap["sources"]
        return {"title": snap["title"], "axis": str(snap["axis"]["id"]) if snap["axis"] else "",
                "priority": str(snap["priority"] or ""), "ideas": {str(i) for i in sources.get("idea", [])},
                "stakes": {str(i) for i in sources.get("stake", [])},
                "contributions": ", ".join(str(i) for i in sorted(sources.get("contribution", [])))}
    if section == "contenu":
        return {**{name: snap[name] for name in TEXTS},
                "operations": [dict(o) for o in snap["operations"]]}
    if section == "localisation":
        return {"geometry": json.dumps(snap["geometry"]) if snap["geometry"] else "",
                "place": str(place_id or ""), "place_name": "" if place_id else place_name}
    if section == "personnes":
        return {**{name: snap[name] for name in PEOPLE}, "partners": {str(p["id"]) for p in snap["partners"]}}
    if section == "financement":
        return {"costs": [{"year": str(c["year"]), "investment": amount_text(c["investment_cents"]),
                           "operating": amount_text(c["operating_cents"])} for c in snap["costs"]],
                "funding": [{"funder": str(f["organisation_id"] or ""), "name": "" if f["organisation_id"] else f["funder"],
                             "scheme": f["scheme"], "amount": amount_text(f["amount_cents"]),
                             "year": str(f["year"] or ""), "status": f["status"]} for f in snap["funding"]]}
    if section == "calendrier":
        return {"start": quarter_value(snap["start"]), "end": quarter_value(snap["end"]),
                "milestones": [{"label": m["label"], "on": m["on"], "done": m["done"]} for m in snap["milestones"]]}
    if section == "indicateurs":
        return {"indicators": [dict(i) for i in snap["indicators"]]}
    if section == "liens":
        return {"related": {str(r["number"]) for r in snap["related"]}}
    raise KeyError(section)


# --- checking them (pure) -------------------------------------------------------------------------

@dataclass
class Choices:
    """What a section's form offers, from the commune (ids as strings to their names)."""

    axes: dict[str, str] = field(default_factory=dict)
    ideas: dict[str, str] = field(default_factory=dict)
    stakes: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)  # the commune's partner organisations
    funders: dict[str, str] = field(default_factory=dict)  # the territory's organisations
    sheets: dict[str, str] = field(default_factory=dict)  # the commune's other sheets, by number
    contributions: frozenset[int] = frozenset()
    boundary: object = None  # the commune's boundary (shapely) or None


def short(name: str, value: str, errors: dict, key: str | None = None) -> str:
    value = value.strip()
    limit = LIMITS.get(name, 200)
    if len(value) > limit:
        errors[key or name] = f"{rules.FIELD_LABELS.get(name, 'Ce champ')} : {limit} caractères au plus."
    return value


def long_text(name: str, value: str, errors: dict) -> str:
    if len(value) > TEXT_MAX:
        errors[name] = (f"{rules.FIELD_LABELS[name]} : {TEXT_MAX:,} caractères au plus (il y en a {len(value):,})."
                        .replace(",", "\u202f"))
    return value.strip()


def small_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def year_of(text: str, errors: dict, key: str, required: bool = True) -> int | None:
    if not text.strip():
        if required:
            errors[key] = "Indiquez l’année."
        return None
    year = small_int(text)
    if year is None or not 2000 <= year <= 2100:
        errors[key] = f"« {text.strip()[:12]} » n’est pas une année entre 2000 et 2100."
        return None
    return year


def cents_of(text: str, errors: dict, key: str, required: bool = False) -> int:
    if not text.strip() and not required:
        return 0
    try:
        return rules.parse_euros(text)
    except ValueError as error:
        errors[key] = str(error)
        return 0


def day_of(text: str, errors: dict, key: str) -> date | None:
    text = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not text:
        errors[key] = "Indiquez la date du jalon."
        return None
    if match:
        parts = [int(p) for p in match.groups()]
        year, month, day = parts if len(match.group(1)) == 4 else parts[::-1]
        try:
            if 2000 <= year <= 2100:
                return date(year, month, day)
        except ValueError:
            pass
    errors[key] = f"« {text[:20]} » n’est pas une date (par exemple 15/03/2027)."
    return None


def check_geometry(text: str, boundary) -> str:
    """A drawn geometry (GeoJSON text) within the commune, as stored; raises geo.GeometryError."""
    shape = geo.parse_geometry(text, kinds=GEOMETRY_KINDS, max_vertices=GEOMETRY_MAX_VERTICES, what="le tracé")
    if boundary is not None:
        if shape.geom_type in ("Polygon", "MultiPolygon"):
            geo.require_within(shape, boundary, what="Le tracé", where="la commune")
        elif not shapely.covers(boundary.buffer(TOLERANCE_DEGREES), shape):
            raise geo.GeometryError("Le tracé sort des limites de la commune : tracez-le à l’intérieur.")
    return geo.to_geojson(shape)


def clean(section: str, values: dict, choices: Choices) -> tuple[dict, dict]:
    """The section's values checked: (fields to write, French messages by field name)."""
    errors: dict[str, str] = {}
    fields: dict = {}
    if len(json.dumps(values, default=sorted)) > 400_000:
        return {}, {"form": "Ce formulaire est trop long pour être enregistré : raccourcissez les textes."}
    if section == "identite":
        fields["title"] = short("title", values["title"], errors)
        if not fields["title"]:
            errors["title"] = "Donnez un titre à la fiche."
        axis = values["axis"].strip()
        if axis and axis not in choices.axes:
            errors["axis"] = "Choisissez un axe stratégique de la commune dans la liste."
        fields["axis_id"] = int(axis) if axis and axis in choices.axes else None
        priority = values["priority"].strip()
        if priority and priority not in ("1", "2", "3"):
            errors["priority"] = "Choisissez une priorité de 1 à 3, ou aucune."
        fields["priority"] = int(priority) if priority in ("1", "2", "3") else None
        if not set(values["ideas"]) <= set(choices.ideas):
            errors["ideas"] = "Choisissez les pistes parmi les pistes retenues de la commune."
        if not set(values["stakes"]) <= set(choices.stakes):
            errors["stakes"] = "Choisissez les enjeux parmi ceux du diagnostic de la commune."
        numbers = [p for p in re.split(r"[\s,;]+", values["contributions"].replace("n°", "")) if p]
        wrong = [p for p in numbers if small_int(p) is None or int(p) not in choices.contributions]
        if wrong:
            errors["contributions"] = f"« {wrong[0][:12]} » n’est pas le numéro d’une contribution de la commune."
        fields["sources"] = {"idea": {int(i) for i in values["ideas"] if i in choices.ideas},
                             "stake": {int(i) for i in values["stakes"] if i in choices.stakes},
                             "contribution": {int(p) for p in numbers if p not in wrong}}
    elif section == "contenu":
        for name in TEXTS:
            fields[name] = long_text(name, values[name], errors)
        operations = []
        for i, row in enumerate(values["operations"]):
            if row["kind"] not in rules.OPERATION_LABELS:
                errors[f"op_kind-{i}"] = "Choisissez le type d’opération : étude, acquisition, travaux ou animation."
            label = short("label", row["label"], errors, f"op_label-{i}")
            if len(label) > 300:
                errors[f"op_label-{i}"] = "300 caractères au plus."
            operations.append({"kind": row["kind"], "label": label})
        fields["operations"] = operations
    elif section == "localisation":
        text = values["geometry"].strip()
        fields["geometry"] = ""
        if text:
            if len(text) > 500_000:
                errors["geometry"] = "Le tracé est trop détaillé : simplifiez-le."
            else:
                try:
                    fields["geometry"] = check_geometry(text, choices.boundary)
                except geo.GeometryError as error:
                    errors["geometry"] = str(error)
        place = values["place"].strip()
        if place and place not in choices.places:
            errors["place"] = "Choisissez un lieu de la commune dans la liste."
        fields["place_id"] = int(place) if place in choices.places else None
        fields["place_name"] = "" if fields["place_id"] else short("place_name", values["place_name"], errors)
    elif section == "personnes":
        for name in PEOPLE:
            fields[name] = short(name, values[name], errors)
        if not set(values["partners"]) <= set(choices.partners):
            errors["partners"] = "Choisissez les partenaires parmi les organisations qui accompagnent la commune."
        fields["partners"] = {int(i) for i in values["partners"] if i in choices.partners}
    elif section == "financement":
        costs, years = [], set()
        for i, row in enumerate(values["costs"]):
            year = year_of(row["year"], errors, f"cost_year-{i}")
            if year is not None and year in years:
                errors[f"cost_year-{i}"] = f"L’année {year} figure déjà plus haut : une ligne par année."
            years.add(year)
            costs.append({"year": year, "investment_cents": cents_of(row["investment"], errors, f"cost_investment-{i}"),
                          "operating_cents": cents_of(row["operating"], errors, f"cost_operating-{i}")})
        fields["costs"] = costs
        lines = []
        for i, row in enumerate(values["funding"]):
            funder = row["funder"].strip()
            if funder and funder not in choices.funders:
                errors[f"fund_funder-{i}"] = "Choisissez un financeur de la liste, ou écrivez son nom."
            name = choices.funders.get(funder) or short("funder", row["name"], errors, f"fund_name-{i}")
            if not name and f"fund_funder-{i}" not in errors:
                errors[f"fund_name-{i}"] = "Choisissez le financeur dans la liste, ou écrivez son nom."
            status = row["status"] or rules.REQUESTED
            if status not in rules.FUNDING_STATUS_LABELS:
                errors[f"fund_status-{i}"] = "Choisissez un statut : sollicité, obtenu ou refusé."
            lines.append({"organisation_id": int(funder) if funder in choices.funders else None, "funder": name,
                          "scheme": short("scheme", row["scheme"], errors, f"fund_scheme-{i}"),
                          "amount_cents": cents_of(row["amount"], errors, f"fund_amount-{i}", required=True),
                          "year": year_of(row["year"], errors, f"fund_year-{i}", required=False), "status": status})
        fields["funding"] = lines
    elif section == "calendrier":
        for name in ("start", "end"):
            try:
                fields[name] = rules.parse_quarter(values[name])
            except ValueError as error:
                errors[name] = str(error)
                fields[name] = None
        problem = rules.schedule_problem(fields["start"], fields["end"])
        if problem:
            errors["end"] = problem
        milestones = []
        for i, row in enumerate(values["milestones"]):
            label = short("label", row["label"], errors, f"ms_label-{i}")
            if not label:
                errors[f"ms_label-{i}"] = "Nommez le jalon."
            milestones.append({"label": label, "on": day_of(row["on"], errors, f"ms_on-{i}"), "done": row["done"]})
        fields["milestones"] = milestones
    elif section == "indicateurs":
        indicators = []
        for i, row in enumerate(values["indicators"]):
            item = {name: short(name, row[name], errors, f"ind_{name}-{i}") for name in ROWS["indicators"][1]}
            for name, limit in (("unit", 60), ("baseline", 60), ("target", 60)):
                if len(item[name]) > limit:
                    errors[f"ind_{name}-{i}"] = f"{limit} caractères au plus."
            if not item["name"]:
                errors[f"ind_name-{i}"] = "Nommez l’indicateur."
            indicators.append(item)
        fields["indicators"] = indicators
    elif section == "liens":
        if not set(values["related"]) <= set(choices.sheets):
            errors["related"] = "Choisissez des fiches de la commune dans la liste."
        fields["related"] = {int(n) for n in values["related"] if n in choices.sheets}
    for key in SECTION_ROWS.get(section, ()):
        if len(values[key]) > MAX_ROWS:
            errors["form"] = f"{MAX_ROWS} lignes au plus par liste."
    return fields, errors
