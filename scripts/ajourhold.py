"""Keep a client register current through the gateway, then take an extract: an example client to copy.

Only the standard library and httpx. Every call goes to
`<gateway>/folkeregister/api/v1/{rolleId}/v1/<the register's resource>` with three headers: the
Maskinporten token (scope `ks:fiks`), `IntegrasjonId` and `IntegrasjonPassord`. The role needs the usage
areas `hendelsesliste` (the feed) and `uttrekk` (extracts); both may use the bulk lookup.

1. Ajourhold (keeping the client register current).
   `hendelser/feed?seq=N` lists the events from sequence number N on, 1000 a page. An event says who
   changed (`folkeregisteridentifikator`) and how (`hendelsetype`), and points at the event document and
   at the person's new version. For each page this client fetches the changed persons' *current*
   documents with `personer/bulkoppslag` (one call for up to 1000 persons), writes them to its store, and
   only then saves the next sequence number to a file. After a crash between the two the page is read
   again: writing a current document twice leaves the same store, so nothing is lost or doubled.

   Why current documents rather than the event documents (`hendelser/bulkoppslag`)? A feed entry holds no
   personal data, only who changed and pointers, and the register's answer to "what is this person now"
   is the lookup; the bulk lookup gives the whole current document of up to 1000 persons in one call. So
   the store stays a copy of the register even if events of a person were missed or read twice. An event
   document holds only the changed entries (`registrereNy`, `korrigere`, `annullere`): to apply those the
   client would have to redo the register's rules for history, and event documents are only for roles
   with `offentlig-med-hjemmel`. (A client that must keep every version fetches the `persondokument` of
   each event with `personer/bulkoppslag/arkiv` instead.)

   Where to start: from the stored pointer, or with no pointer from `--fra` (1: the whole feed; `siste`:
   only events from now on). A production client loads its register once with `uttrekk/komplett
   ?feedsekvensnr=N`, then follows the feed from N + 1.

2. Extract (uttrekk).
   `uttrekk/tilpasset` orders a job by criteria: here the children living in a municipality who turn 6
   this year (they start school). The client polls `uttrekk/{jobbId}/batch/0` (404 while the job runs),
   reads batches 0, 1, ... until `{}`, then fetches the persons with `personer/bulkoppslag` and writes
   them to `uttrekk.json` beside the store.

    python scripts/ajourhold.py --gateway http://127.0.0.1:8080 --rolle-id ... --integrasjon-id ... \\
        --kommunenummer 0301 [ajourhold|uttrekk|begge] [--follow]

The password and token are better given in the environment (AJOURHOLD_INTEGRASJON_PASSORD,
AJOURHOLD_TOKEN); the other connection options and the store have AJOURHOLD_* variables too (--help).
In production, get the token from Maskinporten with the municipality's enterprise certificate and renew it
before it expires (120 s by default); this example takes a token as given and stops, saying why, when it
is refused (401 AUTENTISERING_FEILET: the gateway does not say which credential was wrong).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

PAGE_SIZE = 1000  # the feed's fixed page size
BULK_LIMIT = 1000  # at most this many identity numbers per personer/bulkoppslag


class GatewayError(Exception):
    """An answer the client cannot go on with; the message says what the gateway or register said."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Gateway:
    """The gateway's mirrored register API for one role, with the integration's credentials."""

    def __init__(
        self,
        base_url: str,
        rolle_id: str,
        integrasjon_id: str,
        integrasjon_passord: str,
        token: str,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._http = httpx.Client(
            base_url=f"{base_url.rstrip('/')}/folkeregister/api/v1/{rolle_id}/v1/",
            headers={
                "Authorization": f"Bearer {token}",
                "IntegrasjonId": integrasjon_id,
                "IntegrasjonPassord": integrasjon_passord,
                "Accept": "application/json",
            },
            timeout=timeout_seconds,
        )

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: Any = None, accept: Sequence[int] = (200,)) -> httpx.Response:
        return self._checked(self._http.get(path, params=params), accept)

    def post(self, path: str, body: Any, params: Any = None) -> httpx.Response:
        return self._checked(self._http.post(path, json=body, params=params), (200,))

    @staticmethod
    def _checked(response: httpx.Response, accept: Sequence[int]) -> httpx.Response:
        if response.status_code in accept:
            return response
        raise GatewayError(response.status_code, describe_error(response))


def describe_error(response: httpx.Response) -> str:
    """One line from the gateway's error format (`errorCode`, `message`) or the register's (`feilkode`)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = body.get("errorCode") or body.get("feilkode") or ""
    text = body.get("message") or body.get("feilmelding") or response.text[:200]
    hint = ""
    if response.status_code == 429 and "Retry-After" in response.headers:
        hint = f" (try again in {response.headers['Retry-After']} s)"
    return (
        f"{response.request.method} {response.request.url.path}: {response.status_code} {code} {text}{hint}"
    )


def is_gateway_error(response: httpx.Response) -> bool:
    """Whether the gateway itself made the error (its format has `errorCode`), not the register."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "errorCode" in body


def fetch_persons(
    gateway: Gateway, numbers: Iterable[str], parts: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Current documents by current identity number, 1000 per bulk lookup; unknown numbers left out."""
    wanted = list(dict.fromkeys(numbers))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), BULK_LIMIT):
        chunk = wanted[start : start + BULK_LIMIT]
        answer = gateway.post(
            "personer/bulkoppslag", {"foedselsEllerDNummer": chunk}, params=[("part", p) for p in parts]
        ).json()
        for entry in answer.get("oppslag") or ():
            if "folkeregisterperson" in entry:
                found[entry["foedselsEllerDNummer"]] = entry["folkeregisterperson"]
    return found


# ---------------------------------------------------------------- the client's own state


class SequencePointer:
    """The next sequence number to read, in a small file, replaced atomically (never half a number)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> int | None:
        try:
            return int(self.path.read_text().strip())
        except FileNotFoundError:
            return None

    def save(self, sekvensnummer: int) -> None:
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w") as handle:
            handle.write(f"{sekvensnummer}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)


class ClientRegister:
    """The client's copy of the persons it follows: one row per current identity number (SQLite)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS person (foedsels_eller_d_nummer TEXT PRIMARY KEY, "
            "dokument TEXT NOT NULL, sekvensnummer INTEGER NOT NULL)"
        )
        self._db.commit()

    def apply(self, documents: Mapping[str, Mapping[str, Any]], sekvensnummer: int) -> None:
        """Store the documents (replacing older copies) in one transaction, noting the event they follow."""
        with self._db:
            self._db.executemany(
                "INSERT INTO person VALUES (?, ?, ?) ON CONFLICT (foedsels_eller_d_nummer) "
                "DO UPDATE SET dokument = excluded.dokument, sekvensnummer = excluded.sekvensnummer",
                [(number, json.dumps(doc), sekvensnummer) for number, doc in documents.items()],
            )

    def document(self, number: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT dokument FROM person WHERE foedsels_eller_d_nummer = ?", (number,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM person").fetchone()[0])

    def close(self) -> None:
        self._db.close()


# ---------------------------------------------------------------- 1. ajourhold


@dataclass(frozen=True)
class Page:
    """One feed page applied: its sequence numbers, how many events and how many persons were stored."""

    first: int
    last: int
    events: int
    persons: int
    missing: int  # persons of the page the bulk lookup did not return (e.g. not visible to the role)


def starting_point(gateway: Gateway, pointer: SequencePointer, fra: str) -> int:
    """The stored pointer; without one `fra`: a sequence number, or `siste` for only events from now on."""
    stored = pointer.load()
    if stored is not None:
        return stored
    if fra == "siste":
        return int(gateway.get("hendelser/siste/sekvensnummer").json()) + 1  # a bare JSON number
    return int(fra)


def catch_up(
    gateway: Gateway,
    store: ClientRegister,
    pointer: SequencePointer,
    parts: Sequence[str] = ("person-basis",),
    fra: str = "1",
    report: Callable[[Page], None] = lambda page: None,
) -> list[Page]:
    """Read the feed from the pointer to its end, storing each page's persons before moving the pointer."""
    seq = starting_point(gateway, pointer, fra)
    pages: list[Page] = []
    while True:
        events = gateway.get("hendelser/feed", params={"seq": seq}).json()
        if not events:
            if pointer.load() is None:
                pointer.save(seq)  # with `--fra siste`: from here on, also after a restart
            return pages
        numbers = list(dict.fromkeys(e["hendelse"]["folkeregisteridentifikator"] for e in events))
        documents = fetch_persons(gateway, numbers, parts)
        last = int(events[-1]["sekvensnummer"])
        store.apply(documents, last)
        pointer.save(last + 1)  # only now: the page is in the store
        page = Page(
            int(events[0]["sekvensnummer"]), last, len(events), len(documents), len(numbers) - len(documents)
        )
        pages.append(page)
        report(page)
        seq = last + 1  # not seq + len(events): some roles see the feed with gaps
        if len(events) < PAGE_SIZE:
            return pages  # a partial page is the end of the feed for now


def follow(
    gateway: Gateway,
    store: ClientRegister,
    pointer: SequencePointer,
    parts: Sequence[str],
    fra: str,
    interval_seconds: float,
    report: Callable[[Page], None],
) -> None:
    """Catch up, wait, and again, until Ctrl-C."""
    while True:
        catch_up(gateway, store, pointer, parts, fra, report)
        time.sleep(interval_seconds)


# ---------------------------------------------------------------- 2. extract


def school_starters(kommunenummer: str, foedselsaar: int) -> dict[str, Any]:
    """Criteria (`TilpassetUttrekkJobbRequest`): residents of the municipality born in the given year."""
    return {
        "personstatustyper": ["bosatt"],
        "kommunenummer": {"bostedskommunenummer": kommunenummer},
        "foedselsaarFraOgMed": str(foedselsaar),
        "foedselsaarTilOgMed": str(foedselsaar),
    }


def order_extract(gateway: Gateway, criteria: Mapping[str, Any]) -> str:
    """Order the job; its id. 429 (too many jobs running) is raised with the register's Retry-After."""
    return str(gateway.post("uttrekk/tilpasset", criteria).json()["jobbId"])


def extract_numbers(
    gateway: Gateway, jobbid: str, poll_seconds: float = 1.0, timeout_seconds: float = 600.0
) -> list[str]:
    """Every identity number of a finished job: batch 0, 1, ... until `{}`; waits while the job runs."""
    numbers: list[str] = []
    batchnr = 0
    deadline = time.monotonic() + timeout_seconds
    while True:
        response = gateway.get(f"uttrekk/{jobbid}/batch/{batchnr}", accept=(200, 404))
        if response.status_code == 404:
            if is_gateway_error(response):  # e.g. an unknown role: waiting will not help
                raise GatewayError(404, describe_error(response))
            if time.monotonic() > deadline:
                raise GatewayError(404, f"extract job {jobbid} was not done within {timeout_seconds:.0f} s")
            time.sleep(poll_seconds)  # the register's 404: the job is still running
            continue
        batch = response.json()
        if not batch:
            return numbers
        numbers += batch.get("foedselsEllerDNummer") or ()
        batchnr += 1


def take_extract(
    gateway: Gateway, criteria: Mapping[str, Any], parts: Sequence[str], poll_seconds: float = 1.0
) -> dict[str, dict[str, Any]]:
    """Order, wait for and read an extract; the persons it selects, fetched in bulk."""
    jobbid = order_extract(gateway, criteria)
    numbers = extract_numbers(gateway, jobbid, poll_seconds)
    return fetch_persons(gateway, numbers, parts)


def school_districts(persons: Mapping[str, Mapping[str, Any]]) -> tuple[Counter[int], int]:
    """Persons per school district (`skolekrets`) of their current bostedsadresse, and how many show none
    (address protection withholds the address, or it is not a registered one)."""
    districts: Counter[int] = Counter()
    without = 0
    for document in persons.values():
        current = [e for e in document.get("bostedsadresse") or () if e.get("erGjeldende")]
        krets = current[0].get("skolekrets") if current else None
        if krets is None:
            without += 1
        else:
            districts[int(krets)] += 1
    return districts, without


# ---------------------------------------------------------------- command line


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        description="Keep a client register current from the gateway's event feed, and take an extract.",
        epilog="An option naming an AJOURHOLD_* variable defaults to that variable.",
    )
    parser.add_argument("steg", nargs="?", choices=("ajourhold", "uttrekk", "begge"), default="begge")
    parser.add_argument(
        "--gateway",
        default=env("AJOURHOLD_GATEWAY", "http://127.0.0.1:8080"),
        help="the gateway's base URL (AJOURHOLD_GATEWAY)",
    )
    parser.add_argument("--rolle-id", default=env("AJOURHOLD_ROLLE_ID"), help="(AJOURHOLD_ROLLE_ID)")
    parser.add_argument(
        "--integrasjon-id", default=env("AJOURHOLD_INTEGRASJON_ID"), help="(AJOURHOLD_INTEGRASJON_ID)"
    )
    parser.add_argument(
        "--integrasjon-passord",
        default=env("AJOURHOLD_INTEGRASJON_PASSORD"),
        help="better given in the environment; on the command line write --integrasjon-passord=... "
        "(a password may start with '-') (AJOURHOLD_INTEGRASJON_PASSORD)",
    )
    parser.add_argument(
        "--token",
        default=env("AJOURHOLD_TOKEN"),
        help="access token, scope ks:fiks; better given in the environment (AJOURHOLD_TOKEN)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=Path(env("AJOURHOLD_STORE", "klientregister")),
        help="directory of the client register and its pointer (AJOURHOLD_STORE)",
    )
    parser.add_argument("--part", action="append", help="parts to fetch, repeatable (default person-basis)")
    parser.add_argument(
        "--fra",
        default=env("AJOURHOLD_FRA", "1"),
        help="with no stored pointer: the first sequence number, or 'siste' (AJOURHOLD_FRA)",
    )
    parser.add_argument("--follow", action="store_true", help="keep following the feed until Ctrl-C")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls with --follow")
    parser.add_argument(
        "--kommunenummer",
        default=env("AJOURHOLD_KOMMUNENUMMER"),
        help="the extract's municipality (AJOURHOLD_KOMMUNENUMMER)",
    )
    parser.add_argument(
        "--foedselsaar",
        type=int,
        default=date.today().year - 6,
        help="the extract's birth year (default: children turning 6 this year)",
    )
    args = parser.parse_args(argv)
    missing = [
        name
        for name in ("rolle_id", "integrasjon_id", "integrasjon_passord", "token")
        if not getattr(args, name)
    ]
    if args.steg != "ajourhold" and not args.kommunenummer:
        missing.append("kommunenummer")
    if missing:
        parser.error("missing: " + ", ".join("--" + name.replace("_", "-") for name in missing))
    if args.fra != "siste" and not (args.fra.isascii() and args.fra.isdigit()):
        parser.error(f"--fra must be a sequence number or 'siste', not {args.fra!r}")
    args.part = args.part or ["person-basis"]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    args.store.mkdir(parents=True, exist_ok=True)
    gateway = Gateway(args.gateway, args.rolle_id, args.integrasjon_id, args.integrasjon_passord, args.token)
    store = ClientRegister(args.store / "personer.sqlite3")
    pointer = SequencePointer(args.store / "sekvensnummer.txt")

    def report(page: Page) -> None:
        missing = f", {page.missing} not returned" if page.missing else ""
        print(
            f"feed {page.first}-{page.last}: {page.events} events, {page.persons} persons stored{missing}; "
            f"next sequence number {page.last + 1}",
            flush=True,
        )

    try:
        if args.steg in ("ajourhold", "begge"):
            if pointer.load() is None:
                pointer.save(starting_point(gateway, pointer, args.fra))
            print(f"ajourhold from sequence number {pointer.load()}", flush=True)
            if args.follow:
                follow(gateway, store, pointer, args.part, args.fra, args.interval, report)
            pages = catch_up(gateway, store, pointer, args.part, args.fra, report)
            print(
                f"up to date: {sum(p.events for p in pages)} new events; the client register holds "
                f"{store.count()} persons; next sequence number {pointer.load()}",
                flush=True,
            )
        if args.steg in ("uttrekk", "begge"):
            criteria = school_starters(args.kommunenummer, args.foedselsaar)
            print(f"extract: uttrekk/tilpasset {json.dumps(criteria)}", flush=True)
            persons = take_extract(gateway, criteria, args.part)
            target = args.store / "uttrekk.json"
            target.write_text(json.dumps(persons, ensure_ascii=False, indent=1))
            districts, without = school_districts(persons)
            busiest = ", ".join(f"{krets} ({count})" for krets, count in districts.most_common(3))
            print(
                f"{len(persons)} children born {args.foedselsaar} living in {args.kommunenummer} "
                f"(written to {target}):\n  {len(districts)} school districts, most children in "
                f"{busiest or '-'}; {without} without a school district shown (address protection)",
                flush=True,
            )
    except GatewayError as error:
        print(f"stopped: {error}", file=sys.stderr)
        return 1
    except httpx.TransportError as error:
        print(
            f"stopped: the gateway at {args.gateway} cannot be reached ({error.__class__.__name__})",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"\nstopped; next sequence number {pointer.load()}", file=sys.stderr)
    finally:
        store.close()
        gateway.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
