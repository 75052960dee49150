"""The local stack without Docker: a real Kafka broker (KRaft) and FerretDB, plus the services.

Binaries live in ``.cache/`` (shared by every checkout setting), runtime state in the settings'
``state_dir`` (one per environment, so the test suite never touches a running demo). Every
operation is idempotent: ``up`` on a running stack only waits for readiness; ``down`` on a stopped
one does nothing.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from pantau.tls import CA_FILE, ensure_broker_tls
from shared.kafka_access import ADMIN, SCRAM_MECHANISM, new_password, service_principal
from shared.kafka_access import SERVICES as KAFKA_SERVICES
from shared.settings import REPO_ROOT, Settings

CACHE = Path(os.environ.get("PANTAU_CACHE_DIR") or REPO_ROOT / ".cache")
KAFKA_LIBS = CACHE / "kafka" / "libs"
FERRETDB_BIN = CACHE / "ferretdb" / "bin" / "ferretdb"
# Process name -> module run with `python -m`. "api" is the agency API (and desk); "dispatcher"
# sends the notifications, its own process (health on the web port base + its offset).
SERVICE_MODULES = {
    "ingest": "services.ingest",
    "classify": "services.classify",
    "match": "services.match",
    "notify": "services.notify",
    "api": "services.agency_api",
    "dispatcher": "services.dispatcher",
}
SERVICES = tuple(SERVICE_MODULES)
CONTROLLER = "pantau-controller"  # the broker's own principal towards its controller (SASL/PLAIN)


class StackError(RuntimeError):
    """Something the operator must fix; the message says what."""


def waiting_state(readiness_body: dict) -> str | None:
    """A 503 readiness body whose only failing check is ``registry_loaded`` (everything else,
    MongoDB included, is fine) means "up, waiting for a registry"."""
    checks = readiness_body.get("checks") if isinstance(readiness_body, dict) else None
    if not isinstance(checks, dict) or checks.get("registry_loaded") is not False:
        return None
    others = {k: v for k, v in checks.items() if k != "registry_loaded"}
    if others.get("mongodb") is True and all(v is True for v in others.values()):
        return "waiting for a registry"
    return None


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    parsed = urlparse(address if "://" in address else f"//{address}")
    return parsed.hostname or "127.0.0.1", parsed.port or default_port


@dataclass(frozen=True)
class Component:
    name: str
    state_dir: Path

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "pids" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "logs" / f"{self.name}.log"

    def pid(self) -> int | None:
        """The running process's pid, or None (a dead or zombie process counts as stopped)."""
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our own exited child
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return None
        return None if state in ("Z", "X") else pid

    def spawn(self, argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=cwd or REPO_ROOT, env={**os.environ, **(env or {})}, start_new_session=True,
            )
        self.pid_file.write_text(str(proc.pid))
        return proc.pid

    def wait_exited(self, timeout: float = 15.0) -> None:
        """After a kill: a dying process still shows in /proc for a moment, and starting the
        service again before it is gone would see it "running" and start nothing."""
        deadline = time.monotonic() + timeout
        while self.pid() is not None:
            if time.monotonic() > deadline:
                raise StackError(f"{self.name} (pid {self.pid()}) did not exit within {timeout:.0f}s")
            time.sleep(0.05)

    def stop(self, timeout: float = 20.0) -> bool:
        return bool(stop_all([self], timeout))

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(meaningful_lines(self.log_file.read_text(errors="replace"), lines))
        except FileNotFoundError:
            return "(no log)"


_BANNER_CHARS = set("┌┐└┘├┤┬┴┼─│╭╮╰╯═║")


def meaningful_lines(text: str, limit: int = 15) -> list[str]:
    """The log lines worth showing after a failed start: the last traceback if there is one, else
    the last lines, never faust's start-up banner (box-drawing table) or blank lines."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not (set(ln.strip()[:2]) & _BANNER_CHARS)]
    starts = [i for i, ln in enumerate(lines) if ln.startswith("Traceback (most recent call last)")]
    if starts:
        block = lines[starts[-1]:]
        if len(block) > limit:  # keep the head (where) and the tail (what)
            block = block[:3] + ["  ..."] + block[-(limit - 4):]
        return block
    return lines[-limit:]


def stop_all(components: list[Component], timeout: float = 20.0) -> list[str]:
    """SIGTERM every running component at once, SIGKILL what is left after ``timeout``."""
    running = {c: pid for c in components if (pid := c.pid()) is not None}
    for pid in running.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(c.pid() is not None for c in running):
        time.sleep(0.2)
    for component, pid in running.items():
        if component.pid() is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    for component in components:
        component.pid_file.unlink(missing_ok=True)
    return [c.name for c in running]


def _wait(what: str, check, component: Component, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if component.pid() is None:
            raise StackError(f"{what} exited during start-up; last log lines ({component.log_file}):\n{component.log_tail()}")
        time.sleep(0.3)
    raise StackError(f"{what} not ready after {timeout:.0f}s; see {component.log_file}:\n{component.log_tail()}")


class LocalStack:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.state_dir = settings.state_dir
        self.kafka = Component("kafka", self.state_dir)
        self.ferretdb = Component("ferretdb", self.state_dir)
        self.kafka_host, self.kafka_port = _host_port(settings.kafka_bootstrap_servers.split(",")[0], 9092)
        self.controller_port = int(os.environ.get("PANTAU_KAFKA_CONTROLLER_PORT") or self.kafka_port + 1)
        self.external_port = int(os.environ.get("PANTAU_KAFKA_EXTERNAL_PORT") or self.kafka_port + 2)
        self.mongo_host, self.mongo_port = _host_port(settings.mongodb_uri, 27017)

    # -- installation -----------------------------------------------------------------------
    @staticmethod
    def install() -> None:
        """Fetch the Kafka jars and build FerretDB if the cache lacks them (first run only)."""
        if not any(KAFKA_LIBS.glob("kafka_2.13-*.jar")):
            print("fetching Apache Kafka jars with Maven (first run only)...", file=sys.stderr)
            subprocess.run(["mvn", "-q", "-B", "package"], cwd=REPO_ROOT / "deploy" / "kafka", check=True)
        if not FERRETDB_BIN.exists():
            subprocess.run([str(REPO_ROOT / "deploy" / "scripts" / "build-ferretdb.sh")], check=True)

    # -- kafka ----------------------------------------------------------------------------------
    @property
    def external_bootstrap(self) -> str:
        """What agencies connect to: the SASL/SCRAM-over-TLS listener."""
        return self.settings.kafka_external_bootstrap or f"{self.kafka_host}:{self.external_port}"

    @property
    def ca_file(self) -> Path:
        """The CA agencies verify the broker with (generated, or the operator's)."""
        return Path(self.settings.kafka_ca_file) if self.settings.kafka_ca_file else self.tls_dir / CA_FILE

    @property
    def tls_dir(self) -> Path:
        return self.state_dir / "kafka" / "tls"

    def secret(self, principal: str) -> str:
        """The local broker's password for ``principal``, generated on first use (a 0600 file)."""
        path = self.settings.kafka_secrets_dir / principal
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(new_password())
        return path.read_text().strip()

    def _kafka_properties(self) -> Path:
        """Three listeners: INTERNAL (SASL/SCRAM, the services and the operator's tools, each as its own
        principal), EXTERNAL (SASL/SCRAM over TLS, for agencies) and CONTROLLER (SASL/PLAIN); KRaft's
        standard authoriser with no access unless an ACL grants it."""
        data = self.state_dir / "kafka" / "data"
        props = self.state_dir / "kafka" / "server.properties"
        props.parent.mkdir(parents=True, exist_ok=True)
        host, port, cport, eport = self.kafka_host, self.kafka_port, self.controller_port, self.external_port
        hosts = ["localhost", host, _host_port(self.external_bootstrap, eport)[0]]
        tls = ensure_broker_tls(self.tls_dir, hosts)
        controller, admin = self.secret(CONTROLLER), self.secret(ADMIN)
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required"
        fd = os.open(props, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds passwords
        with os.fdopen(fd, "w") as out:
            out.write("\n".join([
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers={host}:{cport}",
                f"listeners=INTERNAL://{host}:{port},EXTERNAL://{host}:{eport},CONTROLLER://{host}:{cport}",
                f"advertised.listeners=INTERNAL://{host}:{port},EXTERNAL://{self.external_bootstrap}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=INTERNAL",
                "listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT",
                f"sasl.enabled.mechanisms={SCRAM_MECHANISM}",
                f"sasl.mechanism.inter.broker.protocol={SCRAM_MECHANISM}",
                "sasl.mechanism.controller.protocol=PLAIN",
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
                f'required username="{CONTROLLER}" password="{controller}" user_{CONTROLLER}="{controller}";',
                f'listener.name.internal.scram-sha-512.sasl.jaas.config={scram} username="{ADMIN}" password="{admin}";',
                f"listener.name.external.scram-sha-512.sasl.jaas.config={scram};",
                "listener.name.external.ssl.keystore.type=PEM",
                f"listener.name.external.ssl.keystore.location={tls.keystore}",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                f"super.users=User:{ADMIN};User:{CONTROLLER}",
                "allow.everyone.if.no.acl.found=false",
                f"log.dirs={data}",
                f"num.partitions={self.settings.topic_partitions}",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "",
            ]))
        return props

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        return str(Path(java_home) / "bin" / "java") if java_home else "java"

    def start_kafka(self) -> None:
        if self.kafka.pid() is None:
            if _port_open(self.kafka_host, self.kafka_port):
                raise StackError(
                    f"port {self.kafka_port} is taken by another process: set KAFKA_BOOTSTRAP_SERVERS to a free port"
                )
            if _port_open(self.kafka_host, self.external_port):
                raise StackError(f"port {self.external_port} (the agencies' TLS listener) is taken by another process: "
                                 "set PANTAU_KAFKA_EXTERNAL_PORT to a free port")
            if (self.state_dir / "kafka" / "data" / "meta.properties").exists() and \
                    not (self.settings.kafka_secrets_dir / ADMIN).exists():
                raise StackError(f"the Kafka storage in {self.state_dir / 'kafka'} predates broker authentication: "
                                 f"stop the stack (`pantau down`) and delete {self.state_dir / 'kafka'} "
                                 "to start it afresh (its topics are lost)")
            props = self._kafka_properties()
            classpath = f"{KAFKA_LIBS}/*"
            data = self.state_dir / "kafka" / "data"
            if not (data / "meta.properties").exists():
                cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
                formatted = subprocess.run(  # "=": a generated id may start with "-"
                    [self._java(), "-cp", classpath, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                     "-c", str(props), "--standalone",
                     # the admin principal exists from the first start; it creates every other one
                     "--add-scram", f"{SCRAM_MECHANISM}=[name={ADMIN},password={self.secret(ADMIN)}]"],
                    capture_output=True, text=True,
                )
                if formatted.returncode != 0:
                    raise StackError(f"formatting Kafka storage in {data} failed:\n{formatted.stdout}{formatted.stderr}")
            self.kafka.spawn([
                self._java(), "-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
                f"-Dlog4j2.configurationFile={REPO_ROOT / 'deploy' / 'local' / 'kafka-log4j2.yaml'}",
                "-cp", classpath, "kafka.Kafka", str(props),
            ])
        _wait("Kafka", self._kafka_ready, self.kafka, timeout=90)

    def _kafka_ready(self) -> bool:
        if not _port_open(self.kafka_host, self.kafka_port):
            return False
        from aiokafka.admin import AIOKafkaAdminClient

        async def probe() -> bool:
            admin = AIOKafkaAdminClient(**self.admin_options(), request_timeout_ms=3000)
            try:
                await admin.start()
                await admin.list_topics()
                return True
            except Exception:  # noqa: BLE001 - not ready yet
                return False
            finally:
                await admin.close()

        return asyncio.run(probe())

    def admin_options(self) -> dict:
        """aiokafka options for the operator's admin principal on the internal listener."""
        from shared.kafka_client import client_options

        return client_options(self.settings, login=(ADMIN, self.secret(ADMIN)))

    def service_env(self, name: str) -> dict[str, str]:
        """A service's own principal on the broker (processes without Kafka get none)."""
        if name not in KAFKA_SERVICES:
            return {}
        return {"PANTAU_KAFKA_USERNAME": service_principal(name), "PANTAU_KAFKA_PASSWORD": self.secret(service_principal(name))}

    # -- ferretdb -------------------------------------------------------------------------------
    def start_ferretdb(self) -> None:
        if self.ferretdb.pid() is None:
            if _port_open(self.mongo_host, self.mongo_port):
                raise StackError(f"port {self.mongo_port} is taken by another process: set MONGODB_URI to a free port")
            data = self.state_dir / "ferretdb" / "data"
            data.mkdir(parents=True, exist_ok=True)
            self.ferretdb.spawn([
                str(FERRETDB_BIN), "--handler=sqlite", f"--sqlite-url=file:{data}/",
                f"--listen-addr={self.mongo_host}:{self.mongo_port}",
                # host:port serves /debug/pprof and /debug/metrics: profiling the store under load
                f"--debug-addr={os.environ.get('PANTAU_FERRETDB_DEBUG_ADDR', '-')}",
                f"--state-dir={self.state_dir / 'ferretdb'}",
                "--telemetry=disable", "--log-level=warn",
            ])
        _wait("FerretDB", self._ferretdb_ready, self.ferretdb, timeout=60)

    def _ferretdb_ready(self) -> bool:
        if not _port_open(self.mongo_host, self.mongo_port):
            return False
        from pymongo import MongoClient

        client = MongoClient(self.settings.mongodb_uri, serverSelectionTimeoutMS=2000)
        try:
            client.admin.command("ping")
            return True
        except Exception:  # noqa: BLE001 - not ready yet
            return False
        finally:
            client.close()

    # -- the whole stack ------------------------------------------------------------------------
    def infra_up(self) -> None:
        self.install()
        self.start_kafka()
        self.start_ferretdb()
        from pantau.kafka_setup import setup_access

        passwords = {s: self.secret(service_principal(s)) for s in KAFKA_SERVICES}
        asyncio.run(setup_access(self.settings, (ADMIN, self.secret(ADMIN)), passwords))

    def infra_down(self) -> None:
        self.ferretdb.stop()
        self.kafka.stop(timeout=30)

    def service(self, name: str) -> Component:
        return Component(name, self.state_dir)

    def services_up(self, names: tuple[str, ...] = SERVICES) -> list[str]:
        """Start the stopped ones; returns the names started now (so a failed ``up`` stops only those)."""
        started = []
        for name in names:
            component = self.service(name)
            if component.pid() is None:
                component.spawn([sys.executable, "-m", SERVICE_MODULES[name]], env=self.service_env(name))
                started.append(name)
        return started

    def services_down(self, names: tuple[str, ...] = SERVICES, timeout: float = 15.0) -> None:
        stop_all([self.service(name) for name in names], timeout)

    def readiness_url(self, name: str) -> str:
        from shared.kafka import WEB_PORT_OFFSETS

        if name == "api":
            return f"http://127.0.0.1:{self.settings.api_port}/healthz"
        port = self.settings.ingest_port if name == "ingest" else self.settings.web_port_base + WEB_PORT_OFFSETS[name]
        return f"http://127.0.0.1:{port}/readyz"

    def probe(self, name: str) -> str | None:
        """``"ready"``, ``"waiting for a registry"`` (match is up but no registry is imported yet:
        a state, not an error) or None (not ready yet)."""
        import json
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(self.readiness_url(name), timeout=2) as response:
                return "ready" if response.status == 200 else None
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read() or b"{}")
            except ValueError:
                return None
            return waiting_state(body)
        except OSError:
            return None

    def wait_services_ready(self, names: tuple[str, ...] = SERVICES, timeout: float = 120,
                            accept_waiting: bool = False) -> dict[str, str]:
        """Wait for each service; returns name -> state. With ``accept_waiting`` a match service
        waiting for its registry counts as started."""
        states: dict[str, str] = {}
        for name in names:
            def check(name: str = name) -> bool:
                state = self.probe(name)
                if state == "ready" or (state and accept_waiting):
                    states[name] = state
                    return True
                return False

            _wait(f"service {name}", check, self.service(name), timeout=timeout)
        return states

    def status(self) -> list[tuple[str, str, str]]:
        rows = [
            ("kafka", self._state(self.kafka), f"{self.kafka_host}:{self.kafka_port}"),
            ("ferretdb", self._state(self.ferretdb), f"{self.mongo_host}:{self.mongo_port}"),
        ]
        rows += [(name, self._state(self.service(name)), "") for name in SERVICES]
        return rows

    @staticmethod
    def _state(component: Component) -> str:
        pid = component.pid()
        return f"running (pid {pid})" if pid else "stopped"
