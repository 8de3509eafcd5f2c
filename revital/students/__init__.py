"""Student weeks: immersion and territorial-design weeks, their team, field observations and design proposals."""
