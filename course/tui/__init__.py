"""The terminal interface: the only part of Tillit that imports Textual or Rich."""
