"""The audit writer alone: what one group-committed batch costs, with the hash chain and its checkpoints.

    .venv/bin/python bench/audit_write.py                       # SQLite in a temporary directory
    .venv/bin/python bench/audit_write.py --url postgresql+psycopg://postgres@localhost:5432/bench

Writes batches of 1 and 16 lookups (three organisations, so three chains per batch) straight through the
writer's transaction, and prints the time per batch and per record. The gateway bench
(`gateway_lookup.py`) measures the same cost inside whole requests, where it is hidden by the noise.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fiks_folkeregister.audit.log import AuditLog, AuditRecord, _Pending
from fiks_folkeregister.audit.signering import CheckpointSigner
from fiks_folkeregister.storage.database import create_gateway_engine, migrate

ORGS = ("910000004", "920000002", "930000000")


def lookup(number: int) -> AuditRecord:
    return AuditRecord(
        tidspunkt=datetime.now(UTC),
        request_id=str(uuid.uuid4()),
        orgnr=ORGS[number % len(ORGS)],
        rolle_id=uuid.uuid4(),
        integrasjon_id=uuid.uuid4(),
        klient_orgnr=ORGS[0],
        ressurs="GET personer/{personidentifikator}",
        parametre={"personidentifikator": "06076301709", "part": ["navn"]},
        personer=["06076301709"],
        utfall="ok",
        status=200,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the gateway database (default: SQLite in a temporary directory)")
    parser.add_argument("--batches", type=int, default=300, help="batches per size")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    engine = create_gateway_engine(args.url or f"sqlite:///{directory / 'gateway.sqlite3'}")
    migrate(engine)
    log = AuditLog(engine, signer=CheckpointSigner(directory / "checkpoint-key.pem"))
    for size in (1, 16):
        batches = [[_Pending(lookup(n)) for n in range(size)] for _ in range(args.batches + 1)]
        log._write(batches[0])  # the chains' heads exist from here on
        started = time.perf_counter()
        for batch in batches[1:]:
            log._write(batch)
        per_batch = (time.perf_counter() - started) / args.batches
        print(
            f"{engine.dialect.name:10} batch of {size:2}: {per_batch * 1000:6.3f} ms per batch, "
            f"{per_batch / size * 1000:6.3f} ms per record"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
