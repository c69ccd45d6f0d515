"""Tillit in a browser: `tillit serve`, one private session per browser tab."""
