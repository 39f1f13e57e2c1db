"""Turning article files into a Chroma index: load, clean, attribute, chunk, embed, store."""
