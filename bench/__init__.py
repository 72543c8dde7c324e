"""Benchmarks: ``python -m bench`` prints one JSON document; never timed tests."""
