"""Revital: a participatory workflow for the revitalisation of small-town centres."""
