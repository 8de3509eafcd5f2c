"""Emergence: strategic axes, ideas (pistes d’action), the commune's official answers."""
