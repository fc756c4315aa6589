"""The gateway's tables (SQLAlchemy Core): configuration, administrators, change log and lookup log."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
    true,
)

metadata = MetaData()

#: An auto-incrementing 64-bit key on PostgreSQL; SQLite only auto-increments INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer, "sqlite")

organisasjon = Table(
    "organisasjon",
    metadata,
    Column("orgnr", String(9), primary_key=True),
    Column("navn", String(200), nullable=False),
    Column("kommunenummer", String(4), nullable=True),
    Column("fylkesnummer", String(2), nullable=True),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("fiks_org_id", Uuid, nullable=False, default=uuid.uuid4),
    Column("forespoersler_per_minutt", Integer, nullable=True),
    Column("kontakteposter", JSON(none_as_null=True), nullable=True),
    Index("uq_organisasjon_fiks_org_id", "fiks_org_id", unique=True),
)
"""A municipality, county or other public body using the gateway; `fiks_org_id` is its id in Fiks;
`forespoersler_per_minutt` the request rate of each of its integrations (none: the gateway's default);
`kontakteposter` its Folkeregister configuration's contact e-mail addresses (NULL: not configured)."""

rolle = Table(
    "rolle",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("orgnr", String(9), ForeignKey("organisasjon.orgnr"), nullable=False),
    Column("navn", String(200), nullable=False),
    Column("beskrivelse", Text, nullable=False, default=""),
    Column("rettighetspakke", String(40), nullable=False),
    Column("bruksomraader", JSON, nullable=False),
    Column("deler", JSON, nullable=False),
    Column("elementer", JSON, nullable=False),
    Column("historikk", Boolean, nullable=False),
    Column("gyldighet", JSON, nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("endret", DateTime(timezone=True), nullable=False),
    Column("tjeneste_omrade", String(30), nullable=False, server_default="STOTTE"),
    Column("lovhjemmel", JSON(none_as_null=True), nullable=True),
    Column("aktiv", Boolean, nullable=False, server_default=true()),
    Column("tagger", JSON, nullable=False, server_default=text("'[]'")),
    UniqueConstraint("orgnr", "navn", name="uq_rolle_orgnr_navn"),
)
"""A role: `deler` as the administrator named them (aliases kept), `elementer` expanded (what is enforced),
`gyldighet` where it may be used (`api`, `soekWeb`, `uttrekkWeb`, `asynkron`); `tjeneste_omrade` the Fiks
service area it serves, `lovhjemmel` its legal basis ({"beskrivelse", "urler"} as chosen from the catalogue;
NULL: none), `aktiv` false when deactivated (it then authorises nothing; its grants and log stay), `tagger`."""

lovhjemmel = Table(
    "lovhjemmel",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("beskrivelse", String(300), nullable=False),
    Column("omrader", JSON, nullable=False),
    Column("urler", JSON, nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("endret", DateTime(timezone=True), nullable=False),
    UniqueConstraint("beskrivelse", name="uq_lovhjemmel_beskrivelse"),
)
"""The catalogue of legal bases a role's `lovhjemmel` is chosen from (kept by the platform operator):
its text, the service areas it serves, links to the law. Seeded with `STANDARD_LOVHJEMLER` (g0009)."""

integrasjon = Table(
    "integrasjon",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("orgnr", String(9), ForeignKey("organisasjon.orgnr"), nullable=False),
    Column("navn", String(200), nullable=False),
    Column("beskrivelse", Text, nullable=False, default=""),
    Column("autorisert_orgnr", String(9), nullable=False),
    Column("passord_hash", String(200), nullable=False),
    Column("passord_endret", DateTime(timezone=True), nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Index("ix_integrasjon_orgnr", "orgnr"),
)
"""A machine client of an organisation, operated by `autorisert_orgnr` (the owner or its vendor)."""

bruker = Table(
    "bruker",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("orgnr", String(9), ForeignKey("organisasjon.orgnr"), nullable=False),
    Column("foedselsnummer", String(11), nullable=False),
    Column("navn", String(200), nullable=False),
    Column("aktiv", Boolean, nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    UniqueConstraint("orgnr", "foedselsnummer", name="uq_bruker_orgnr_foedselsnummer"),
    Index("ix_bruker_foedselsnummer", "foedselsnummer"),
)
"""A person user of an organisation (a case worker), known by national identity number as ID-porten
identifies people; deactivated users are kept (`aktiv` false) so that the log's references stay readable."""

tildeling = Table(
    "tildeling",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("integrasjon_id", Uuid, ForeignKey("integrasjon.id"), nullable=True),
    Column("bruker_id", Uuid, ForeignKey("bruker.id", name="fk_tildeling_bruker"), nullable=True),
    Column("rolle_id", Uuid, ForeignKey("rolle.id"), nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("opprettet_av", String(200), nullable=False),
    Column("tilbakekalt", DateTime(timezone=True), nullable=True),
    Column("tilbakekalt_av", String(200), nullable=True),
    Index("ix_tildeling_integrasjon_rolle", "integrasjon_id", "rolle_id"),
    Index("ix_tildeling_rolle", "rolle_id"),
    Index(
        "uq_tildeling_aktiv",
        "integrasjon_id",
        "rolle_id",
        unique=True,
        sqlite_where=text("tilbakekalt IS NULL"),
        postgresql_where=text("tilbakekalt IS NULL"),
    ),
    Index("ix_tildeling_bruker_rolle", "bruker_id", "rolle_id"),
    Index(
        "uq_tildeling_bruker_aktiv",
        "bruker_id",
        "rolle_id",
        unique=True,
        sqlite_where=text("tilbakekalt IS NULL AND bruker_id IS NOT NULL"),
        postgresql_where=text("tilbakekalt IS NULL AND bruker_id IS NOT NULL"),
    ),
    CheckConstraint(
        "(integrasjon_id IS NULL) <> (bruker_id IS NULL)", name="ck_tildeling_integrasjon_eller_bruker"
    ),
)
"""A grant of a role to an integration or to a person user (exactly one of the two); revoked grants are
kept (with when and by whom)."""

administrator = Table(
    "administrator",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("navn", String(200), nullable=False),
    Column("orgnr", String(9), ForeignKey("organisasjon.orgnr"), nullable=True),
    Column("noekkel_hash", String(64), nullable=True, unique=True),
    Column("foedselsnummer", String(11), nullable=True),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("deaktivert", DateTime(timezone=True), nullable=True),
    Index("ix_administrator_foedselsnummer", "foedselsnummer"),
    CheckConstraint(
        "(noekkel_hash IS NULL) <> (foedselsnummer IS NULL)", name="ck_administrator_noekkel_eller_person"
    ),
)
"""Who may administer: a platform operator (`orgnr` NULL) or one organisation's administrator; either by
API key (`noekkel_hash`, for automation) or a person by identity number (`foedselsnummer`, who logs in
through ID-porten)."""

endringslogg = Table(
    "endringslogg",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tidspunkt", DateTime(timezone=True), nullable=False),
    Column("utfoert_av", String(200), nullable=False),
    Column("orgnr", String(9), nullable=True),
    Column("handling", String(60), nullable=False),
    Column("objekttype", String(40), nullable=False),
    Column("objekt_id", String(100), nullable=False),
    Column("foer", JSON(none_as_null=True), nullable=True),
    Column("etter", JSON(none_as_null=True), nullable=True),
    Index("ix_endringslogg_orgnr_tidspunkt", "orgnr", "tidspunkt"),
)
"""Every configuration change: who, what, before and after (never a password, hash or key)."""

oppslagslogg = Table(
    "oppslagslogg",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tidspunkt", DateTime(timezone=True), nullable=False),
    Column("request_id", String(100), nullable=False),
    Column("orgnr", String(9), nullable=True),
    Column("rolle_id", Uuid, nullable=True),
    Column("integrasjon_id", Uuid, nullable=True),
    Column("klient_orgnr", String(9), nullable=True),
    Column("ressurs", String(200), nullable=False),
    Column("parametre", JSON, nullable=False),
    Column("utfall", String(10), nullable=False),
    Column("status", Integer, nullable=False),
    Column("feilkode", String(60), nullable=True),
    Column("kanal", String(10), nullable=False, server_default="api"),
    Column("prinsipal", String(12), nullable=False, server_default="integrasjon"),
    Column("person_foedselsnummer", String(11), nullable=True),
    Column("person_navn", String(200), nullable=True),
    Column("saksnummer", String(100), nullable=True),
    Column("formaal", String(200), nullable=True),
    Column("kjede", String(9), nullable=True),
    Column("sekvens", BigInteger, nullable=True),
    Column("hash", String(64), nullable=True),
    Index("ix_oppslagslogg_orgnr_tidspunkt", "orgnr", "tidspunkt"),
    Index("uq_oppslagslogg_kjede_sekvens", "kjede", "sekvens", unique=True),
    # The administration pages' filters (migration 0011): one integration, one case worker, not ok.
    Index("ix_oppslagslogg_orgnr_integrasjon_tidspunkt", "orgnr", "integrasjon_id", "tidspunkt"),
    Index(
        "ix_oppslagslogg_orgnr_person_tidspunkt",
        "orgnr",
        "person_foedselsnummer",
        "tidspunkt",
        sqlite_where=text("person_foedselsnummer IS NOT NULL"),
        postgresql_where=text("person_foedselsnummer IS NOT NULL"),
    ),
    Index(
        "ix_oppslagslogg_orgnr_ikke_ok_tidspunkt",
        "orgnr",
        "tidspunkt",
        sqlite_where=text("utfall <> 'ok'"),
        postgresql_where=text("utfall <> 'ok'"),
    ),
)
"""One row per request to the mirrored API (no foreign keys: the log outlives deleted configuration).

`kanal` is how the lookup came (`api`: a system; `portal`: a case worker in the portal; `innsyn`: the
platform answering a request for insight; `admin`: an administrator reading the log about one person). `prinsipal` is who asked: `integrasjon` (a system, named by
`integrasjon_id`) or `person` (a case worker, named by `person_foedselsnummer` and `person_navn`);
`saksnummer` and `formaal` are the case reference the case worker gave, if any. `kjede`/`sekvens`/`hash` place the record in its organisation's
hash chain (audit/kjede.py); the writer always sets them, NULL only marks a row written around it.
"""

tilgangsversjon = Table(
    "tilgangsversjon",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("versjon", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="ck_tilgangsversjon_en_rad"),
)
"""The access version: one row, moved on by trigger at every change to `organisasjon`, `integrasjon`, `rolle`
and `tildeling` (migration g0012), so a kept access read can be checked against it (gateway/access.py)."""

oppslagslogg_kjede = Table(
    "oppslagslogg_kjede",
    metadata,
    Column("kjede", String(9), primary_key=True),
    Column("sekvens", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("sjekkpunkt_sekvens", BigInteger, nullable=False),
    Column("sjekkpunkt_tidspunkt", DateTime(timezone=True), nullable=False),
)
"""Each chain's head, locked by every transaction that extends the chain (so processes take turns)."""

oppslagslogg_sjekkpunkt = Table(
    "oppslagslogg_sjekkpunkt",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kjede", String(9), nullable=False),
    Column("sekvens", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("tidspunkt", DateTime(timezone=True), nullable=False),
    Column("art", String(10), nullable=False),
    Column("noekkel_id", String(64), nullable=False),
    Column("signatur", String(100), nullable=False),
    Index("ix_oppslagslogg_sjekkpunkt_kjede_sekvens", "kjede", "sekvens"),
)
"""Signed checkpoints of the chains (Ed25519, key outside the database): what makes a cut-off tail visible."""

oppslagslogg_person = Table(
    "oppslagslogg_person",
    metadata,
    Column("oppslag_id", BigId, ForeignKey("oppslagslogg.id"), primary_key=True),
    Column("posisjon", Integer, primary_key=True),
    Column("identifikator", String(11), nullable=False),
    Index("ix_oppslagslogg_person_identifikator", "identifikator"),
)
"""The persons returned by a lookup, so that "who looked up person X" is an indexed query."""

portal_sesjon = Table(
    "portal_sesjon",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("sist_brukt", DateTime(timezone=True), nullable=False),
    Index("ix_portal_sesjon_sist_brukt", "sist_brukt"),
)
"""The portal's server-side sessions. `id` is the SHA-256 of the cookie's value, so the table alone does not let
anyone take a session over; `data` holds the login in progress or the person, the chosen role and the CSRF token."""

idporten_kode = Table(
    "idporten_kode",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("utloeper", DateTime(timezone=True), nullable=False),
)
"""The embedded ID-porten stand-in's authorization codes (SHA-256 of the code): single use, short-lived, shared
by every process."""
