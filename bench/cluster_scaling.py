"""The cluster (`bot.cli run --instances N`) with 1, 2 and 4 instances under one load.

Each size is started as `make run-cluster` starts it (HAProxy, PostgreSQL, Redis; a
throw-away database and state directory), then 40 conversations at once apply for
Grundsicherung over REST through the balancer, each answering as soon as it is
answered. Printed per size: answers per second and its ratio to one instance, p95,
errors, and the CPU time of every process of the cluster per answer. On 2 cores the
CPU caps the scaling: with the CPU per answer, the throughput of a bigger machine can
be read off (cores × 1000 / CPU ms per answer, at most).

    .venv/bin/python bench/cluster_scaling.py [--sizes 1 2 4] [--parallel 40]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cold_start import cpu_seconds, process_tree  # noqa: E402
from bench.turn_latency import at_once, form_conversation  # noqa: E402
from bot.cluster import DEFAULT_DB_URL, Cluster  # noqa: E402
from bot.stack import free_port  # noqa: E402


@contextmanager
def throwaway_database() -> Iterator[str]:
    base = sa.engine.make_url(os.environ.get("ANTRAGSLOTSE_DB_URL", DEFAULT_DB_URL))
    name = f"antragslotse_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        yield str(base.set(database=name))
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def running_cluster(instances: int) -> Iterator[Cluster]:
    with tempfile.TemporaryDirectory() as var, throwaway_database() as db_url:
        cluster = Cluster(
            instances=instances,
            rasa_port=free_port(),
            action_port=free_port(),
            service_port=free_port(),
            backoffice_port=free_port(),
            env={
                "ANTRAGSLOTSE_VAR_DIR": var,
                "ANTRAGSLOTSE_DB_URL": db_url,
                "ANTRAGSLOTSE_BACKOFFICE_TOKEN": secrets.token_urlsafe(32),
                "ANTRAGSLOTSE_REST_TOKEN": secrets.token_urlsafe(32),
            },
            log_dir=Path(var) / "log",
        )
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop()


def measure(instances: int, parallel: int) -> dict[str, float]:
    with running_cluster(instances) as cluster:
        converse = form_conversation(cluster)  # type: ignore[arg-type]  # same interface
        converse()  # each instance's first turns warm up off the clock
        pids = sorted({pid for p in cluster.processes for pid in process_tree(p.pid)})
        cpu_before = sum(map(cpu_seconds, pids))
        run = at_once(converse, parallel)
        cpu = sum(map(cpu_seconds, pids)) - cpu_before
    return {**run, "cpu_ms_per_answer": 1000 * cpu / max(1.0, run["answers"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--parallel", type=int, default=40)
    args = parser.parse_args()
    results = {n: measure(n, args.parallel) for n in args.sizes}
    one = results[args.sizes[0]]["per_second"]
    cores = os.cpu_count()
    print(f"cluster, {args.parallel} conversations at once through HAProxy ({cores} cores):")
    for n, run in results.items():
        ratio = run["per_second"] / one
        print(
            f"  {n} instance(s): {run['per_second']:5.1f} answers/s (x{ratio:.2f}),"
            f" p95 {run['p95']:5.0f} ms, {run['errors']:.0f} errors,"
            f" CPU {run['cpu_ms_per_answer']:.1f} ms per answer"
        )


if __name__ == "__main__":
    main()
