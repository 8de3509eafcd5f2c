"""Action sheets (fiches actions) of a commune, their versions, and the technical partners' review."""
