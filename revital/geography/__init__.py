"""A commune's geography: its centre-bourg perimeter, its named places, its open-data GeoJSON."""
