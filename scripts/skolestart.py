"""Who starts school next August, by school district, with their guardians: an example client to copy.

Only the standard library and httpx. A school office runs it once a year (or more often as people move):

1. Extract through the gateway: `POST .../folkeregister/api/v1/{rolleId}/v1/uttrekk/tilpasset` for the
   children living (bostedsadresse) in the municipality who are born in the year that starts school next
   August (they turn 6 that year), then `uttrekk/{jobbId}/batch/N` until `{}`. Extracts are asynchronous:
   batch 0 answers 404 while the job runs, so the script polls.
2. The Oppvekst API, 1000 children per call: `POST .../register/api/v1/ks/{rolleId}/oppvekst`
   `{"foedselsnumre": [...]}` answers each child flattened (`PersonDefinisjon`) with its guardians
   (`foreldreansvarlige`) embedded.
3. One CSV per skolekrets (`skolekrets-<number>.csv`; `skolekrets-ukjent.csv` where the register gives
   none) in the output directory: one row per child and guardian, with the guardian's postal address.

Protected addresses are never printed. A guardian with address protection, every guardian of a child
with address protection, and a guardian the gateway gives no address for (the gateway withholds every
address that could be a protected child's home) get `[beskyttet adresse]` or `[ingen adresse]` in the
address column, never the address; the `adressebeskyttelse` columns say why. The CSV holds personal data:
keep it where only the school office can read it.

The role (one role for both calls) needs the usage areas `uttrekk` and `sok-etter-person`, the elements
KS lists for the Oppvekst API (person-basis, utenlandskPersonidentifikasjon, familierelasjon,
foreldreansvar) and history. Children with address protection the role's rights package may not see
(strengtFortrolig) are not found by the extract at all: the register never places them in a municipality.

    python scripts/skolestart.py --gateway http://127.0.0.1:8080 --rolle-id ... --integrasjon-id ... \\
        --kommunenummer 0301 --ut skolestart/ [--dato 2026-11-01]

The password and token are better given in the environment (SKOLESTART_INTEGRASJON_PASSORD,
SKOLESTART_TOKEN); in production the token comes from Maskinporten (scope ks:fiks) for the municipality.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import httpx

OPPVEKST_LIMIT = 1000  # children per Oppvekst call
PROTECTED = "[beskyttet adresse]"
NO_ADDRESS = "[ingen adresse]"
COLUMNS = (
    "skolekrets",
    "barn_foedselsnummer",
    "barn_fornavn",
    "barn_mellomnavn",
    "barn_etternavn",
    "barn_foedselsdato",
    "barn_adressebeskyttelse",
    "foresatt_foedselsnummer",
    "foresatt_navn",
    "foresatt_ansvar",
    "foresatt_adressebeskyttelse",
    "foresatt_postadresse",
)


class Refused(Exception):
    """The gateway or the register said no; the message says what they said."""


def school_start_year(today: date) -> int:
    """The year of the next school start (August): this year until August, else next year."""
    return today.year if today.month < 8 else today.year + 1


class Client:
    """The gateway for one role, with the integration's credentials."""

    def __init__(self, base_url: str, rolle_id: str, integrasjon_id: str, passord: str, token: str) -> None:
        self.rolle_id = rolle_id
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "IntegrasjonId": integrasjon_id,
                "IntegrasjonPassord": passord,
                "Accept": "application/json",
            },
            timeout=120,
        )

    def close(self) -> None:
        self._http.close()

    def _call(
        self, method: str, path: str, body: Any = None, accept: Iterable[int] = (200,)
    ) -> httpx.Response:
        response = self._http.request(method, path, json=body)
        if response.status_code not in accept:
            try:
                said = response.json()
            except ValueError:
                said = {}
            said = said if isinstance(said, dict) else {}
            code = said.get("errorCode") or said.get("feilkode") or ""
            text = said.get("message") or said.get("feilmelding") or response.text[:200]
            raise Refused(f"{method} {path}: {response.status_code} {code} {text}")
        return response

    def children_born(self, kommunenummer: str, year: int, poll_seconds: float = 1.0) -> list[str]:
        """The extract: identity numbers of residents of the municipality born in `year`."""
        mirrored = f"/folkeregister/api/v1/{self.rolle_id}/v1"
        job = self._call(
            "POST",
            f"{mirrored}/uttrekk/tilpasset",
            {
                "personstatustyper": ["bosatt"],
                "kommunenummer": {"bostedskommunenummer": kommunenummer},
                "foedselsaarFraOgMed": year,
                "foedselsaarTilOgMed": year,
            },
        ).json()["jobbId"]
        numbers: list[str] = []
        batch = 0
        while True:
            response = self._call("GET", f"{mirrored}/uttrekk/{job}/batch/{batch}", accept=(200, 404))
            if response.status_code == 404:  # the job is still running
                time.sleep(poll_seconds)
                continue
            found = response.json().get("foedselsEllerDNummer")
            if not found:  # `{}` after the last batch
                return numbers
            numbers += found
            batch += 1

    def oppvekst(self, numbers: list[str]) -> list[dict[str, Any]]:
        """Each child with its guardians, 1000 per call."""
        answer: list[dict[str, Any]] = []
        for start in range(0, len(numbers), OPPVEKST_LIMIT):
            chunk = numbers[start : start + OPPVEKST_LIMIT]
            path = f"/register/api/v1/ks/{self.rolle_id}/oppvekst"
            answer += self._call("POST", path, {"foedselsnumre": chunk}).json()
        return answer


def _postal_lines(guardian: Mapping[str, Any]) -> str | None:
    """The guardian's postal address on one line: postadresse, else the home's street address."""
    post = guardian.get("postadresse") or {}
    box = post.get("postboksadresse")
    street = post.get("vegadresseForPost")
    free = post.get("frittFormat")
    home = (guardian.get("bostedsadresse") or {}).get("vegadresse")
    place: Mapping[str, Any] = {}
    if box:
        first, place = (
            " ".join(filter(None, [box.get("postbokseier"), box.get("postboks")])),
            box.get("poststed") or {},
        )
    elif street or home:
        chosen = street or home or {}
        number = chosen.get("adressenummer") or {}
        first = " ".join(
            filter(None, [chosen.get("adressenavn"), number.get("husnummer"), number.get("husbokstav")])
        )
        place = chosen.get("poststed") or {}
    elif free:
        first, place = ", ".join(free.get("adresselinje") or ()), free.get("poststed") or {}
    else:
        return None
    return ", ".join(
        filter(None, [first, " ".join(filter(None, [place.get("postnummer"), place.get("poststedsnavn")]))])
    )


def _grading(person: Mapping[str, Any]) -> str:
    return str(person.get("adressebeskyttelse") or "ugradert")


def rows(children: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """CSV rows by skolekrets: one per child and guardian (one with empty guardian columns if none)."""
    by_district: dict[str, list[dict[str, str]]] = defaultdict(list)
    for child in children:
        district = (child.get("bostedsadresse") or {}).get("skolekrets")
        name = child.get("navn") or {}
        base = {
            "skolekrets": str(district) if district is not None else "ukjent",
            "barn_foedselsnummer": child["identifikasjonsnummer"]["foedselsEllerDNummer"],
            "barn_fornavn": name.get("fornavn", ""),
            "barn_mellomnavn": name.get("mellomnavn", ""),
            "barn_etternavn": name.get("etternavn", ""),
            "barn_foedselsdato": child.get("foedselsdato", ""),
            "barn_adressebeskyttelse": _grading(child),
        }
        guardians = child.get("foreldreansvarlige") or []
        if not guardians:
            by_district[base["skolekrets"]].append({**base, **dict.fromkeys(COLUMNS[7:], "")})
        for guardian in guardians:
            gname = guardian.get("navn") or {}
            protected = _grading(guardian) != "ugradert" or _grading(child) != "ugradert"
            address = None if protected else _postal_lines(guardian)
            by_district[base["skolekrets"]].append(
                {
                    **base,
                    "foresatt_foedselsnummer": guardian["identifikasjonsnummer"]["foedselsEllerDNummer"],
                    "foresatt_navn": " ".join(
                        filter(None, [gname.get("fornavn"), gname.get("mellomnavn"), gname.get("etternavn")])
                    ),
                    "foresatt_ansvar": guardian.get("ansvar", ""),
                    "foresatt_adressebeskyttelse": _grading(guardian),
                    "foresatt_postadresse": PROTECTED if protected else address or NO_ADDRESS,
                }
            )
    return by_district


def write_csv_files(directory: Path, by_district: Mapping[str, list[dict[str, str]]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for district, district_rows in sorted(by_district.items()):
        path = directory / f"skolekrets-{district}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(sorted(district_rows, key=lambda r: (r["barn_etternavn"], r["barn_fornavn"])))
        written.append(path)
    return written


def run(client: Client, kommunenummer: str, today: date, out: Path) -> list[Path]:
    year = school_start_year(today) - 6
    numbers = client.children_born(kommunenummer, year)
    children = client.oppvekst(numbers) if numbers else []
    written = write_csv_files(out, rows(children))
    print(
        f"{len(children)} children born {year} in {kommunenummer} start school in August {year + 6}; "
        f"{len(written)} file(s) in {out}"
    )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    env = os.environ.get
    parser.add_argument("--gateway", default=env("SKOLESTART_GATEWAY", "http://127.0.0.1:8080"))
    parser.add_argument(
        "--rolle-id", default=env("SKOLESTART_ROLLE_ID"), required=not env("SKOLESTART_ROLLE_ID")
    )
    parser.add_argument(
        "--integrasjon-id",
        default=env("SKOLESTART_INTEGRASJON_ID"),
        required=not env("SKOLESTART_INTEGRASJON_ID"),
    )
    parser.add_argument("--integrasjon-passord", default=env("SKOLESTART_INTEGRASJON_PASSORD"))
    parser.add_argument("--token", default=env("SKOLESTART_TOKEN"))
    parser.add_argument("--kommunenummer", required=True)
    parser.add_argument("--ut", type=Path, default=Path("skolestart"), help="Directory for the CSV files.")
    parser.add_argument("--dato", type=date.fromisoformat, default=date.today(), help="Today (YYYY-MM-DD).")
    args = parser.parse_args(argv)
    if not args.integrasjon_passord or not args.token:
        parser.error("give the password and the token (SKOLESTART_INTEGRASJON_PASSORD, SKOLESTART_TOKEN)")
    client = Client(args.gateway, args.rolle_id, args.integrasjon_id, args.integrasjon_passord, args.token)
    try:
        run(client, args.kommunenummer, args.dato, args.ut)
    except Refused as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
