"""The roadmap (feuille de route): built from the validated sheets, published in versions, followed."""
