"""Benchmarks run by `make bench`; results are JSON files under bench/results/."""
