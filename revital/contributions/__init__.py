"""Residents' contributions: observations and ideas pinned on the map, moderated, supported, published as open data."""
