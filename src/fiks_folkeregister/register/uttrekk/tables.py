"""The embedded register's tables for asynchronous extract jobs and their result batches."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, LargeBinary, String, Table

from fiks_folkeregister.register.tables import metadata

uttrekk_jobb = Table(
    "uttrekk_jobb",
    metadata,
    Column("jobbid", String(36), primary_key=True),
    Column("bestiller", String(20), nullable=False),
    Column("rettighetspakke", String(30), nullable=False),
    Column("art", String(12), nullable=False),
    Column("kriterier", LargeBinary, nullable=False),
    Column("feedsekvensnr", BigInteger),
    Column("status", String(12), nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("oppdatert", DateTime(timezone=True), nullable=False),
    Column("antall_batcher", Integer),
    Column("feilmelding", String(500)),
    Index("ix_uttrekk_jobb_bestiller", "bestiller", "status"),
    Index("ix_uttrekk_jobb_status", "status", "oppdatert"),
)
"""Extract jobs: who ordered them, what, and how far the worker got (`venter`, `kjoerer`, `ferdig`, `feilet`)."""

uttrekk_batch = Table(
    "uttrekk_batch",
    metadata,
    Column("jobbid", String(36), primary_key=True),
    Column("batchnr", Integer, primary_key=True, autoincrement=False),
    Column("innhold", LargeBinary, nullable=False),
)
"""The results of a job, batch by batch: a JSON list of identity numbers or document ids."""

EXTRACT_TABLES = (uttrekk_batch, uttrekk_jobb)
"""Tables emptied with the population."""
