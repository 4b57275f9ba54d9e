"""Speed comparisons against the reference libraries; run from the repository root as
``python -m benchmarks.bench_<name>`` (see benchmarks/README.md)."""
