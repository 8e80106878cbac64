"""Benchmarks of relay_anyio, relay_sync, a wire-only floor and the official SDK (``python -m benchmarks``)."""
