pytest_plugins = ["gailab.simulator.testing"]

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (GAILAB_TEST_POSTGRES_URL, else a throwaway cluster started here)."""
    from pgserver import PostgresUnavailable, ThrowawayPostgres

    server = ThrowawayPostgres()
    try:
        server.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()
