"""The local cloud's floor: router, journal, determinism, AWS-shaped errors, server."""
