"""Benchmarks: run by hand (`python -m bench.<name>`), print their figures, never assert speed."""
