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


@pytest.fixture
def app_for(cloud, tmp_path, monkeypatch):
    """``app_for(lang, **kwargs)``: the app on the session's cloud, for learner ana, in a home of its own (the
    language goes back to English afterwards: it is the process's default for the next test)."""
    from gailab.tui import i18n
    from gailab.tui.app import GailabApp

    monkeypatch.setenv("GAILAB_LEARNER", "ana")
    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)

    def make(lang: str = "en", **kwargs):
        kwargs.setdefault("endpoint", cloud.endpoint)
        return GailabApp(home=tmp_path / "home", lang=lang, **kwargs)

    yield make
    i18n.set_lang("en")
