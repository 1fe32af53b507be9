"""Several instances of every part behind HAProxy, on PostgreSQL and Redis.

`python -m bot.cli run --instances N` (`make run-cluster`) starts N Rasa processes,
N action servers and N services (chat page, uploads, back-office API, NLG endpoint,
delivery worker) on internal ports, and HAProxy from Debian's package on the
addresses `make run` uses, so every client works unchanged against either
(docs/cluster.md). Rasa shares the tracker store on PostgreSQL and its lock store on
Redis; the web chat's socket.io rooms share Redis too (bot/channels/webchat.py).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.channels import REDIS_HOST_ENV, REDIS_PORT_ENV
from bot.internal_auth import INTERNAL_TOKEN_ENV
from bot.stack import ROOT, Stack, free_port
from bot.storage.database import DB_URL_ENV

DEFAULT_DB_URL = "postgresql://postgres@127.0.0.1:5432/antragslotse"
CLUSTER_ENDPOINTS = "endpoints.cluster.yml"
HAPROXY_TEMPLATE = ROOT / "deploy" / "haproxy.cfg.template"


def ensure_database(url: str) -> None:
    """Create the cluster's PostgreSQL database on first start (trust or password auth)."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        raise RuntimeError(f"a cluster keeps its state on PostgreSQL; {DB_URL_ENV} is not")
    admin = sa.create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True
    )
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        admin.dispose()


def haproxy_config(cluster: Cluster) -> str:
    """The balancer's configuration: the public ports in front of each part's instances."""

    def servers(kind: str, port_of: str) -> str:
        return "\n".join(
            f"    server {kind}{i} {s.host}:{getattr(s, port_of)} check inter 1s fall 2 rise 1"
            for i, s in enumerate(cluster.stacks)
        )

    return HAPROXY_TEMPLATE.read_text("utf-8").format(
        host=cluster.host,
        rasa_port=cluster.rasa_port,
        action_port=cluster.action_port,
        service_port=cluster.service_port,
        backoffice_port=cluster.backoffice_port,
        rasa_servers=servers("rasa", "rasa_port"),
        socket_servers=servers("socket", "rasa_port"),
        action_servers=servers("actions", "action_port"),
        service_servers=servers("service", "service_port"),
        backoffice_servers=servers("backoffice", "backoffice_port"),
    )


@dataclass
class Cluster:
    """The same interface as `Stack` (addresses, tokens, start/stop), N instances deep."""

    instances: int = 2
    rasa_port: int = 5005
    action_port: int = 5055
    service_port: int = 8000
    backoffice_port: int = 8001
    host: str = "127.0.0.1"
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path = ROOT / "var" / "log"
    stacks: list[Stack] = field(default_factory=list)
    balancer: Stack | None = None  # HAProxy alone: started, logged and stopped as a part
    internal_token: str = field(
        default_factory=lambda: os.environ.get(INTERNAL_TOKEN_ENV) or secrets.token_urlsafe(32)
    )

    rasa_url = Stack.rasa_url
    action_url = Stack.action_url
    service_url = Stack.service_url
    backoffice_url = Stack.backoffice_url
    token = Stack.token
    rest_token = Stack.rest_token

    def overrides(self) -> dict[str, str]:
        """What each instance's parts get on top of `make run`'s environment."""
        db_url = self.env.get(DB_URL_ENV) or os.environ.get(DB_URL_ENV) or DEFAULT_DB_URL
        return {
            DB_URL_ENV: db_url,
            "ANTRAGSLOTSE_TRACKER_DB": db_url,
            REDIS_HOST_ENV: os.environ.get(REDIS_HOST_ENV, "127.0.0.1"),
            REDIS_PORT_ENV: os.environ.get(REDIS_PORT_ENV, "6379"),
            # Each call goes through the balancer, so a dead instance is stepped around.
            "ANTRAGSLOTSE_ACTION_URL": f"{self.action_url}/webhook",
            "ANTRAGSLOTSE_NLG_URL": f"{self.backoffice_url}/nlg",
            "ANTRAGSLOTSE_PUBLIC_SOCKET_URL": self.rasa_url,
            "ANTRAGSLOTSE_CHAT_ORIGINS": os.environ.get(
                "ANTRAGSLOTSE_CHAT_ORIGINS",
                f"{self.service_url} http://localhost:{self.service_port}",
            ),
            # HAProxy adds the caller's address last to X-Forwarded-For; the parts
            # take it from there (one proxy), so per-address limits still hold.
            "SANIC_PROXIES_COUNT": "1",
            **self.env,
        }

    def environment(self) -> dict[str, str]:
        return {**os.environ, **self.overrides(), INTERNAL_TOKEN_ENV: self.internal_token}

    @property
    def processes(self) -> list[subprocess.Popen]:
        balancer = self.balancer.processes if self.balancer else []
        return [p for s in self.stacks for p in s.processes] + balancer

    def healthy(self) -> bool:
        """HAProxy runs and at least one instance of each part: the others carry the load."""
        if self.balancer is None or not self.balancer.healthy():
            return False
        kinds = zip(*(s.processes for s in self.stacks), strict=True)
        return all(any(p.poll() is None for p in kind) for kind in kinds)

    def start(self) -> Cluster:
        haproxy = shutil.which("haproxy")
        if haproxy is None:
            raise RuntimeError("HAProxy is needed for a cluster: apt-get install haproxy")
        overrides = self.overrides()
        ensure_database(overrides[DB_URL_ENV])
        self.stacks = [
            Stack(
                rasa_port=free_port(),
                action_port=free_port(),
                service_port=free_port(),
                backoffice_port=free_port(),
                env=overrides,
                log_dir=self.log_dir / f"instance-{i}",
                internal_token=self.internal_token,
                endpoints=CLUSTER_ENDPOINTS,
            )
            for i in range(self.instances)
        ]
        config = self.log_dir.parent / "haproxy.cfg"
        config.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        config.write_text(haproxy_config(self), "utf-8")
        try:
            # The first instance alone: it creates the tables and key files the others use.
            self.stacks[0].start()
            for stack in self.stacks[1:]:
                stack.launch()
            for stack in self.stacks[1:]:
                stack.wait_until_up()
            # On the public addresses: its wait checks each part through HAProxy.
            self.balancer = Stack(
                rasa_port=self.rasa_port,
                action_port=self.action_port,
                service_port=self.service_port,
                backoffice_port=self.backoffice_port,
                host=self.host,
                env=overrides,
                log_dir=self.log_dir,
            )
            self.balancer.spawn("haproxy", [haproxy, "-W", "-db", "-f", str(config)])
            self.balancer.wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Idempotent and not cut short by signals, as `Stack.stop` (the balancer first)."""
        for stack in [self.balancer, *self.stacks]:
            if stack is not None:
                stack.stop()
