"""The trainer's work: presenting to a room, session plans, and the group's results merged from share files."""
