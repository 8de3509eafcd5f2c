"""Prioritisation of ideas: recorded from a workshop, or an online vote."""
