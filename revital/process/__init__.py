"""The process of a commune (its démarche): phases, their gates, the history of its transitions."""
