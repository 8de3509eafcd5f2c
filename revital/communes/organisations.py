"""Partner organisations of a territory: their kinds (a fixed list) and the rules of their form.
Pure: no web, no database."""

KINDS = {
    "caue": "CAUE",
    "ddt": "DDT",
    "departement": "Département",
    "region": "Région",
    "chambre-consulaire": "Chambre consulaire",
    "banque-des-territoires": "Banque des Territoires",
    "anah": "ANAH",
    "epf": "EPF",
    "udap-abf": "UDAP / ABF",
    "association": "Association",
    "bureau-etudes": "Bureau d’études",
    "autre": "Autre",
}

NAME_MAX = 200


def kind_label(kind: str) -> str:
    """The French name of a kind; a kind written before the fixed list stays as it was written."""
    return KINDS.get(kind, kind)


def clean(fields: dict, commune_codes: set[str], chosen: list[str]) -> tuple[dict, dict]:
    """(values, errors by field, in French) of the organisation form. chosen: the INSEE codes of
    the communes it accompanies, which must be among commune_codes."""
    name = " ".join(fields.get("name", "").split())
    kind = fields.get("kind", "")
    communes = sorted(set(chosen))
    errors = {}
    if not name:
        errors["name"] = "Indiquez le nom de l’organisation."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Le nom tient en {NAME_MAX} caractères au plus."
    if kind not in KINDS:
        errors["kind"] = "Choisissez le type d’organisation dans la liste."
    if any(code not in commune_codes for code in communes):
        errors["communes"] = "Choisissez les communes parmi celles de la liste."
    return {"name": name, "kind": kind, "communes": communes}, errors
