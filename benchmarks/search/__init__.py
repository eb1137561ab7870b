"""Catalog search at scale: ``python -m benchmarks.search --titles 1000000 [--adapter postgres]
[--duration S]``. See ``__main__.py``."""
