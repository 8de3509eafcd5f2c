"""Communes in a GeoJSON FeatureCollection (a file or geo.api.gouv.fr): each one's INSEE code, name
and validated boundary, every problem listed in French. Pure."""

from revital.geo.reading import load_json, parse_geometry
from revital.geo.wording import (
    INSEE_CODE,
    KINDS,
    GeometryError,
    _describe,
    _guarded,
    _int_fr,
    _lower_first,
)

# --- Communes --------------------------------------------------------------------------

def _insee(raw):
    """'48080', '2A004'; an integer gets its leading zero back (1001 -> '01001')."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        return None
    text = str(raw).zfill(5) if isinstance(raw, int) else raw.strip().upper()
    return text if INSEE_CODE.fullmatch(text) else None


def _commune(number, feature):
    """(code, name, geometry) of feature n° `number` (from 1), or a GeometryError."""
    if not isinstance(feature, dict):
        raise GeometryError(f"L’entité n° {number} est {_describe(feature)}, pas un objet GeoJSON.")
    properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
    raw = next((properties[k] for k in ("code", "insee", "codeInsee") if properties.get(k) not in (None, "")), None)
    if raw is None:
        raise GeometryError(f"L’entité n° {number} n’a pas de code INSEE (propriété code, insee ou codeInsee).")
    if (code := _insee(raw)) is None:
        raise GeometryError(
            f"L’entité n° {number} a un code INSEE invalide ({_describe(raw)}) : "
            "il faut 5 caractères, comme 48080 ou 2A004."
        )
    name = properties.get("nom", properties.get("name"))
    name = name.strip() if isinstance(name, str) else ""
    label = f"{code} {name}".strip()
    if not isinstance(feature.get("geometry"), dict):
        raise GeometryError(f"{label} : l’entité n’a pas de géométrie.")
    try:
        return code, name, parse_geometry(feature["geometry"])
    except GeometryError as err:
        raise GeometryError(f"{label} : {_lower_first(str(err))}") from None


@_guarded
def features_by_code(collection) -> dict:
    """INSEE code -> (name, validated geometry) from a FeatureCollection of communes.

    Every feature is checked; one GeometryError lists the problems (the first 10).
    """
    data = load_json(collection)
    features = data.get("features")
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        found = {**{k: v[2] for k, v in KINDS.items()}, "Feature": "une seule entité (Feature)"}.get(
            data.get("type") if isinstance(data.get("type"), str) else None, "un autre objet"
        )
        raise GeometryError(f"Le fichier doit être une FeatureCollection (une collection de communes), pas {found}.")
    if not features:
        raise GeometryError("Le fichier ne contient aucune commune.")
    communes, first_seen, problems = {}, {}, []
    for number, feature in enumerate(features, start=1):
        try:
            code, name, geom = _commune(number, feature)
        except GeometryError as err:
            problems.append(str(err))
            continue
        if code in first_seen:
            problems.append(f"Le code INSEE {code} apparaît deux fois (entités n° {first_seen[code]} et {number}).")
            continue
        first_seen[code] = number
        communes[code] = (name, geom)
    if len(problems) == 1:
        raise GeometryError(problems[0])
    if problems:
        head = f"Le fichier contient {_int_fr(len(problems))} problèmes"
        head += " ; voici les 10 premiers :" if len(problems) > 10 else " :"
        raise GeometryError("\n".join([head] + [f"- {problem}" for problem in problems[:10]]))
    return communes
