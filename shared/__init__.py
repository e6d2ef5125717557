"""Bestil en betjent's shared library: event contracts, topics, settings and messaging helpers."""
