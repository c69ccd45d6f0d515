"""Tillit: a terminal course on trust-based leadership, with a private reflection journal."""

__version__ = "0.1.0"
