"""The audit writer alone: what one group-committed batch costs, with the hash chain and its checkpoints.

    .venv/bin/python bench/audit_write.py                       # SQLite in a temporary directory
    .venv/bin/python bench/audit_write.py --url postgresql+psycopg://postgres@localhost:5432/bench

Writes batches of 1 and 16 lookups (of three organisations, so a batch of 16 extends three chains) and
batches of one bulk lookup returning 1000 persons, straight through the writer's transaction, and prints
the time per batch and per record: CPU time of this process (`time.process_time`, the writer's own cost,
without the database server's on PostgreSQL) and wall-clock time, each the median of `--rounds` rounds of
`--batches` batches. The gateway bench (`gateway_lookup.py`) measures the same cost inside whole requests, where it is
hidden by the noise.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fiks_folkeregister.audit.log import AuditLog, AuditRecord, _Pending
from fiks_folkeregister.audit.signering import CheckpointSigner
from fiks_folkeregister.storage.database import create_gateway_engine, migrate

ORGS = ("910000004", "920000002", "930000000")
#: The batches measured: (name, records per batch, persons per record).
SHAPES = (("batch of 1", 1, 1), ("batch of 16", 16, 1), ("bulk of 1000", 1, 1000))


def lookup(number: int, persons: int) -> AuditRecord:
    personer = [f"{10_000_000_000 + n:011d}" for n in range(persons)]
    return AuditRecord(
        tidspunkt=datetime.now(UTC),
        request_id=str(uuid.uuid4()),
        orgnr=ORGS[number % len(ORGS)],
        rolle_id=uuid.uuid4(),
        integrasjon_id=uuid.uuid4(),
        klient_orgnr=ORGS[0],
        ressurs="GET personer/{personidentifikator}" if persons == 1 else "POST personer/bulkoppslag",
        parametre={"personidentifikator": personer[0], "part": ["navn"]},
        personer=personer,
        utfall="ok",
        status=200,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the gateway database (default: SQLite in a temporary directory)")
    parser.add_argument("--batches", type=int, default=100, help="batches per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per shape (the median is printed)")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    engine = create_gateway_engine(args.url or f"sqlite:///{directory / 'gateway.sqlite3'}")
    migrate(engine)
    log = AuditLog(engine, signer=CheckpointSigner(directory / "checkpoint-key.pem"))
    log._write([_Pending(lookup(n, 1)) for n in range(len(ORGS))])  # the chains' heads exist from here on
    for name, size, persons in SHAPES:
        cpu, wall = [], []
        for _ in range(args.rounds):
            batches = [[_Pending(lookup(n, persons)) for n in range(size)] for _ in range(args.batches)]
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            for batch in batches:
                log._write(batch)
            cpu.append((time.process_time() - cpu_started) / args.batches)
            wall.append((time.perf_counter() - wall_started) / args.batches)
        per_batch_cpu, per_batch_wall = statistics.median(cpu), statistics.median(wall)
        print(
            f"{engine.dialect.name:10} {name:12}: CPU {per_batch_cpu * 1e6:7.0f} µs per batch, "
            f"{per_batch_cpu / size * 1e6:6.0f} µs per record; wall {per_batch_wall * 1e3:6.3f} ms per batch"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
