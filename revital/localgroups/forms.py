"""Checking the local-group member form. Pure: returns cleaned values and French errors."""

import re

MEMBER_KINDS = {
    "resident": "Habitant·e",
    "elected": "Élu·e",
    "partner": "Partenaire",
    "facilitator": "Animateur·rice",
    "other": "Autre",
}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_member(data: dict) -> tuple[dict, dict]:
    name = (data.get("name") or "").strip()
    kind = (data.get("kind") or "").strip()
    function = (data.get("function") or "").strip()
    email = (data.get("email") or "").strip().lower()
    errors = {}
    if not name:
        errors["name"] = "Indiquez le nom du membre."
    elif len(name) > 120:
        errors["name"] = "Le nom ne peut pas dépasser 120 caractères."
    if kind not in MEMBER_KINDS:
        errors["kind"] = "Choisissez la qualité du membre dans la liste."
    if len(function) > 120:
        errors["function"] = "La fonction ne peut pas dépasser 120 caractères."
    if email and (len(email) > 254 or not EMAIL.match(email)):
        errors["email"] = "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr)."
    return {"name": name, "kind": kind, "function": function, "email": email}, errors
