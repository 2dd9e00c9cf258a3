"""Benchmarks for autodcc (not tests): see bench/README.md."""
