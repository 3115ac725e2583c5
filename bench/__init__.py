"""Benchmarks: each prints its figures and compares them with a baseline in the same run."""
