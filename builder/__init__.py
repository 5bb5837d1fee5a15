"""Build-time machinery behind build.py: runtimes, data, dist/ assembly, the dev server, benchmarks."""
