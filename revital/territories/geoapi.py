"""Commune boundaries from the official communes API, geo.api.gouv.fr.

Everything that can go wrong (a closed network, a slow or failing service, an unknown code)
becomes a `GeoApiError` whose message is French and says what to do instead. What comes
back is a GeoJSON FeatureCollection, ready for `geography.importer.import_communes`.
"""

import re

import httpx

from revital.geo.wording import INSEE_CODE

QUERY = "format=geojson&geometry=contour&fields=nom,code,population,contour"
DEPARTEMENT_CODE = re.compile(r"\d{2}|2[AB]|97\d")
FILE_INSTEAD = "importez plutôt un fichier GeoJSON : revital commune import FICHIER --territory …"

# The httpx transport used when none is passed: tests set it to an httpx.MockTransport.
TRANSPORT: httpx.BaseTransport | None = None


class GeoApiError(Exception):
    """The API could not give the communes; `str(err)` is the French message shown to users."""


def check_insee(code: str) -> str:
    """The code, upper-cased ("2a004" -> "2A004"), or GeoApiError if it is not an INSEE code."""
    normalised = code.strip().upper()
    if not INSEE_CODE.fullmatch(normalised):
        raise GeoApiError(f"« {code} » n’est pas un code INSEE (5 caractères, par exemple 48080).")
    return normalised


def check_departement(code: str) -> str:
    normalised = code.strip().upper()
    if not DEPARTEMENT_CODE.fullmatch(normalised):
        raise GeoApiError(
            f"« {code} » n’est pas un code de département (2 ou 3 caractères, par exemple 48, 2A ou 974)."
        )
    return normalised


def fetch_communes(base_url: str, timeout: float, codes: list[str] | None = None,
                   departement: str | None = None, transport: httpx.BaseTransport | None = None) -> dict:
    """A FeatureCollection of the communes of `departement` and of the INSEE `codes` (no duplicates)."""
    codes = [check_insee(code) for code in codes or []]
    departement = check_departement(departement) if departement else None
    if not codes and not departement:
        raise GeoApiError("Indiquez les codes INSEE des communes (--insee) ou un département (--departement).")
    base = base_url.rstrip("/")
    features = []
    with httpx.Client(timeout=timeout, transport=transport or TRANSPORT,
                      headers={"Accept": "application/json", "User-Agent": "Revital"}) as client:
        if departement:
            collection = get_json(client, f"{base}/departements/{departement}/communes?{QUERY}", timeout,
                                  f"Le département {departement} est inconnu de geo.api.gouv.fr.")
            if collection.get("type") != "FeatureCollection" or not isinstance(collection.get("features"), list):
                raise GeoApiError(unexpected(f"le département {departement}"))
            if not collection["features"]:
                raise GeoApiError(f"geo.api.gouv.fr ne connaît aucune commune dans le département {departement}.")
            features.extend(collection["features"])
        seen = {code_of(feature) for feature in features}
        for code in dict.fromkeys(codes):
            if code in seen:
                continue
            feature = get_json(client, f"{base}/communes/{code}?{QUERY}", timeout,
                               f"Le code INSEE {code} est inconnu de geo.api.gouv.fr.")
            if feature.get("type") != "Feature":
                raise GeoApiError(unexpected(f"la commune {code}"))
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def get_json(client: httpx.Client, url: str, timeout: float, not_found: str) -> dict:
    try:
        response = client.get(url)
    except httpx.TimeoutException:
        raise GeoApiError(unreachable(f"pas de réponse en {timeout:g} s")) from None
    except httpx.ConnectError:
        raise GeoApiError(unreachable("connexion impossible")) from None
    except httpx.TransportError as error:
        raise GeoApiError(unreachable(f"erreur réseau {type(error).__name__}")) from None
    if response.status_code == 404:
        raise GeoApiError(not_found)
    if not response.is_success:
        raise GeoApiError(
            f"geo.api.gouv.fr a répondu par une erreur ({response.status_code}). "
            "Réessayez plus tard ou importez un fichier GeoJSON."
        )
    try:
        data = response.json()
    except ValueError:  # not JSON, or not UTF-8
        raise GeoApiError(
            "geo.api.gouv.fr a renvoyé une réponse illisible (ce n’est pas du JSON). "
            "Réessayez plus tard ou importez un fichier GeoJSON."
        ) from None
    if not isinstance(data, dict):
        raise GeoApiError(unexpected("cette demande"))
    return data


def unreachable(detail: str) -> str:
    return f"Le service geo.api.gouv.fr ne répond pas ({detail}). Sur un réseau fermé, {FILE_INSTEAD}"


def unexpected(what: str) -> str:
    return f"geo.api.gouv.fr a renvoyé une réponse inattendue pour {what}. Importez plutôt un fichier GeoJSON."


def code_of(feature) -> str | None:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return properties.get("code") if isinstance(properties, dict) else None
