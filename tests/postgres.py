"""A private PostgreSQL server for the tests: Debian's postgresql, on a free local port, in a
folder of its own, stopped and removed after. PostgreSQL refuses to run as root, so a root test
runs it as the ``postgres`` user the package creates."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "grader"   # the database role the grader connects as (trust authentication, local only)


class Unavailable(RuntimeError):
    """No PostgreSQL server binaries here; the message says how to install them."""


def binaries():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise Unavailable("PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): on Debian "
                          "or Ubuntu, sudo apt-get install postgresql (make test installs it when run as root)")
    return found[-1].parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.bin = binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="shapeschool-postgresql-"))
        self.data, self.port = self.folder / "data", _free_port()
        self._as = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root, and there is no 'postgres' user to run PostgreSQL as") from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command):
        done = subprocess.run([*self._as, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self):
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        options = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off -c max_connections=200"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                  "-w", "start")
        return self

    def url(self, database="postgres"):
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name):
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
