"""A real PostgreSQL server for the tests: ``GAILAB_TEST_POSTGRES_URL`` when CI started one, else a throwaway cluster
started here from Debian's binaries (``initdb``/``pg_ctl`` under ``/usr/lib/postgresql/*/bin`` or on PATH), run as
the ``postgres`` user when we are root (PostgreSQL refuses to run as root). No binaries: a clear failure, no skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """``start()`` → ``admin_url`` (postgresql://…/postgres); ``new_database()`` → a URL of a fresh database."""

    def __init__(self):
        self.dir: Path | None = None
        self.port = 0
        self.base_url = os.environ.get("GAILAB_TEST_POSTGRES_URL") or ""
        self.started_here = False

    def _as_owner(self, cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)

    def start(self) -> "ThrowawayPostgres":
        if self.base_url:
            return self
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise PostgresUnavailable(
                "the PostgreSQL tests need a server: set GAILAB_TEST_POSTGRES_URL, or install PostgreSQL "
                "(apt-get install -y postgresql) so the tests can start a throwaway one")
        self.dir = Path(tempfile.mkdtemp(prefix="gailab-pg-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        data = self.dir / "data"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(data, "postgres")
        done = self._as_owner([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        if done.returncode:
            raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[-400:]}")
        self.port = _free_port()
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        done = self._as_owner([pg_ctl, "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "-w", "-t", "60",
                               "start"])
        if done.returncode:
            log = (self.dir / "log").read_text(errors="replace")[-400:] if (self.dir / "log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {done.stderr.strip()[-400:]} {log}")
        self.started_here = True
        self.base_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return self

    def new_database(self) -> str:
        """A new empty database on the server; returns its SQLAlchemy URL (psycopg 3 driver)."""
        import psycopg

        name = "gailab_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base = self.base_url.rsplit("/", 1)[0]
        return f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"

    def stop(self) -> None:
        if self.started_here and self.dir is not None:
            self._as_owner([_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop"])
            shutil.rmtree(self.dir, ignore_errors=True)
            self.started_here = False


def plain_url(sqlalchemy_url: str) -> str:
    """The libpq form (for psql) of a postgresql+psycopg:// URL."""
    return "postgresql://" + sqlalchemy_url.split("://", 1)[1]
