"""`make demo`: seed a demo register and configure a demo municipality if there are none, serve the gateway and
the embedded register beside it, with life going on in the register (events to follow), and once both answer
print requests that work when pasted (and the example feed/extract client's command line). Ctrl-C, SIGTERM or
SIGHUP stops both servers.

    make demo [PORT=8080] [REGISTER_PORT=8090]          # or: .venv/bin/python scripts/demo.py [--persons N]
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any

from fiks_folkeregister.settings import Settings

DEMO_PERSONS = 20_000
DEMO_ORGNR = "910000004"
DEMO_KOMMUNENUMMER = "0301"
DEMO_EVENTS_PER_SECOND = "5"
#: The demo case worker's (synthetic) fødselsnummer: type it at the ID-porten stand-in's login page.
DEMO_CASE_WORKER = "17912099997"
DEMO_CASE_WORKER_NAME = "Kari Saksbehandler"
#: The demo administrator of Demo kommune (synthetic): logs in to the administration pages at /admin/.
DEMO_ADMINISTRATOR = "01818010008"
DEMO_ADMINISTRATOR_NAME = "Ada Administrator"
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 120


class Stop(Exception):
    """A signal asked the demo to stop."""


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument(
        "--persons", type=int, default=DEMO_PERSONS, help="persons to seed into a new register"
    )
    persons = options.parse_args().persons
    gateway_port = port_from_environment("PORT", 8080)
    register_port = port_from_environment("REGISTER_PORT", gateway_port + 10)
    # Before anything is printed or started: a busy port would send the pasted commands to another server.
    for port, what, variable in (
        (gateway_port, "gateway", "PORT"),
        (register_port, "embedded register", "REGISTER_PORT"),
    ):
        if not port_is_free(port):
            sys.exit(
                f"Port {port} (the {what}) is already in use on {HOST}: stop what uses it, or choose another "
                f"port, e.g. make demo {variable}={port + 1}"
            )
    for stopping in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stopping, _stop)
    try:
        sys.exit(run_demo(persons, gateway_port, register_port))
    except (Stop, KeyboardInterrupt):
        sys.exit(0)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def port_from_environment(variable: str, default: int) -> int:
    value = os.environ.get(variable) or str(default)
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        sys.exit(f"{variable}={value} is not a port number (1-65535)")
    return int(value)


def port_is_free(port: int) -> bool:
    """Whether a server could listen on the port now (as uvicorn does: with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def run_demo(persons: int, gateway_port: int, register_port: int) -> int:
    """Serve until stopped; the exit status: 0 when stopped, 1 when a server stopped by itself."""
    settings = Settings()
    data_dir = settings.data_dir.resolve()
    cli = str(Path(sys.executable).with_name("fiks-folkeregister"))
    env = {**os.environ, "FIKSREG_DATA_DIR": str(data_dir)}
    run = command_line_in_process

    from fiks_folkeregister.app import build_register

    if build_register(settings).repository.count_persons() == 0:
        print(f"No register in {data_dir} yet: seeding {persons} synthetic persons (seed 1)...", flush=True)
        subprocess.run(
            [cli, "register", "seed", "--persons", str(persons), "--seed", "1"], env=env, check=True
        )
    examples: dict[str, list[str]] = json.loads(run("register", "examples", "--json"))
    demo = configure_demo_municipality(data_dir, run)
    events_per_second = os.environ.get("FIKSREG_SIMULATOR_EVENTS_PER_SECOND", DEMO_EVENTS_PER_SECOND)

    # One process lets life go on (the register's ticker); both may work extract jobs (they share the data).
    register_env = {
        **env,
        "FIKSREG_SIMULATOR_EVENTS_PER_SECOND": events_per_second,
        "FIKSREG_EXTRACT_WORKER": "true",
    }
    gateway_env = {
        **env,
        "FIKSREG_SIMULATOR_EVENTS_PER_SECOND": "0",
        # The portal's redirects and the ID-porten stand-in's issuer name the address the browser uses.
        "FIKSREG_PUBLIC_URL": os.environ.get("FIKSREG_PUBLIC_URL", f"http://{HOST}:{gateway_port}"),
        "FIKSREG_IDPORTEN_STAND_IN": "true",  # anyone may log in as anyone: a demo, never production
    }
    servers: list[subprocess.Popen[bytes]] = []
    try:
        servers.append(
            subprocess.Popen([cli, "register", "serve", "--port", str(register_port)], env=register_env)
        )
        servers.append(subprocess.Popen([cli, "serve", "--port", str(gateway_port)], env=gateway_env))
        for server, port in zip(servers, (register_port, gateway_port), strict=True):
            if not wait_until_serving(server, port):
                print(f"The server for port {port} did not start; see its output above.", file=sys.stderr)
                return 1
        print_instructions(
            settings, data_dir, cli, examples, demo, gateway_port, register_port, events_per_second
        )
        while all(server.poll() is None for server in servers):
            time.sleep(0.5)  # polled: a server that stops by itself ends the demo too
        print("A server stopped by itself; stopping the demo.", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping is not interrupted by a second signal
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for server in servers:
            if server.poll() is None:
                server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def command_line_in_process(*args: str) -> str:
    """What `fiks-folkeregister ARGS` prints, run in this process: the same commands a user types, without
    a new Python process for each (its start-up costs a second or more; the demo runs about twenty)."""
    from fiks_folkeregister.cli import app

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = app(list(args), prog_name="fiks-folkeregister", standalone_mode=False)
    if status not in (None, 0):
        raise SystemExit(f"fiks-folkeregister {' '.join(args[:3])} … failed (exit status {status})")
    return printed.getvalue()


def wait_until_serving(server: subprocess.Popen[bytes], port: int) -> bool:
    """Whether the server answers /health on the port before it stops or the time is up."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def print_instructions(
    settings: Settings,
    data_dir: Path,
    cli: str,
    examples: dict[str, list[str]],
    demo: dict[str, Any],
    gateway_port: int,
    register_port: int,
    events_per_second: str,
) -> None:
    adult = examples["ordinary-adult"][0]
    child = examples.get("child-with-delt-bosted", [adult])[0]
    protected = examples.get("strengt-fortrolig", [adult])[0]
    name, born = name_and_birth_date(settings, adult)
    quoted_cli = f"FIKSREG_DATA_DIR={shlex.quote(str(data_dir))} {shlex.quote(cli)}"
    gateway = f"http://{HOST}:{gateway_port}/folkeregister/api/v1/{demo['rolleId']}/v1"
    register = f"http://{HOST}:{register_port}/folkeregisteret/offentlig-med-hjemmel/api/v1"
    headers = (
        f'-H "Authorization: Bearer $TOKEN" -H "IntegrasjonId: {demo["integrasjonId"]}" '
        f'-H "IntegrasjonPassord: {demo["integrasjonPassord"]}"'
    )
    ajourhold = demo["ajourhold"]
    example = Path(__file__).resolve().with_name("ajourhold.py")
    example_client = " \\\n      ".join(
        [
            f'AJOURHOLD_TOKEN="$TOKEN" '
            f"AJOURHOLD_INTEGRASJON_PASSORD={shlex.quote(ajourhold['integrasjonPassord'])}",
            f"{shlex.quote(sys.executable)} {shlex.quote(str(example))}",
            f"--gateway http://{HOST}:{gateway_port} --rolle-id {ajourhold['rolleId']}",
            f"--integrasjon-id {ajourhold['integrasjonId']} --kommunenummer {DEMO_KOMMUNENUMMER}",
            f"--store {shlex.quote(str(data_dir / 'klientregister'))}",
        ]
    )
    oppvekst = demo["oppvekst"]
    school_start = " \\\n      ".join(
        [
            f'SKOLESTART_TOKEN="$TOKEN" '
            f"SKOLESTART_INTEGRASJON_PASSORD={shlex.quote(oppvekst['integrasjonPassord'])}",
            f"{shlex.quote(sys.executable)} {shlex.quote(str(example.with_name('skolestart.py')))}",
            f"--gateway http://{HOST}:{gateway_port} --rolle-id {oppvekst['rolleId']}",
            f"--integrasjon-id {oppvekst['integrasjonId']} --kommunenummer {DEMO_KOMMUNENUMMER}",
            f"--ut {shlex.quote(str(data_dir / 'skolestart'))}",
        ]
    )
    oppvekst_headers = (
        f'-H "Authorization: Bearer $TOKEN" -H "IntegrasjonId: {oppvekst["integrasjonId"]}" '
        f'-H "IntegrasjonPassord: {oppvekst["integrasjonPassord"]}"'
    )
    print(
        f"""
Serving the gateway on http://{HOST}:{gateway_port} (API docs at /docs) and the embedded register on
http://{HOST}:{register_port}, where life goes on at {events_per_second} events a second.
Demo municipality {DEMO_ORGNR} (all roles offentlig-med-hjemmel):
  role "Saksbehandler" {demo["rolleId"]}
    sok-etter-person; person-basis + relasjon-utvidet + historikk
    integration "Demo fagsystem" {demo["integrasjonId"]}
  role "Ajourhold og uttrekk" {ajourhold["rolleId"]}
    hendelsesliste + uttrekk; person-basis
    integration "Demo elevregister" {ajourhold["integrasjonId"]}
  role "Oppvekst" {oppvekst["rolleId"]}
    sok-etter-person + uttrekk; person-basis + utenlandskPersonidentifikasjon + relasjon-utvidet + historikk
    integration "Demo skoleadministrasjon" {oppvekst["integrasjonId"]}
In another terminal, from any directory, paste:

  # a gateway token lives 120 s (as Maskinporten's): run this again for a new one
  TOKEN=$({quoted_cli} token --orgnr {DEMO_ORGNR} --scope ks:fiks)

  # through the gateway: one person, only the address (plus the identity number)
  curl -s {headers} "{gateway}/personer/{adult}?part=bostedsadresse"

  # a child with shared residence, with relations and history
  curl -s {headers} "{gateway}/personer/{child}?part=person-basis&part=relasjon-utvidet&part=historikk"

  # bulk lookup in the order asked for; the strengt fortrolig person comes without an address
  curl -s {headers} -H "Content-Type: application/json" \\
       -d '{{"foedselsEllerDNummer": ["{adult}", "{child}", "{protected}"]}}' "{gateway}/personer/bulkoppslag?somBestilt=true"

  # search by name and birth date (hit list), and the unambiguous search (the person document)
  curl -s -G {headers} --data-urlencode "navn={name}" --data-urlencode "foedselsdato={born}" "{gateway}/personer/soek"
  curl -s -G {headers} --data-urlencode "navn={name}" --data-urlencode "foedselsdato={born}" "{gateway}/personer/entydigsoek?part=navn"

  # refused: the role does not hold legitimasjonsdokument (403 PART_IKKE_TILLATT, in the platform's error format)
  curl -s {headers} "{gateway}/personer/{adult}?part=legitimasjonsdokument"

  # who looked up this person, or tried to (the audit log: the refusal above is there too)
  {quoted_cli} audit person {adult}

  # the embedded register directly, with a register token (as the national register is called)
  REGTOKEN=$({quoted_cli} token --orgnr {DEMO_ORGNR} --scope folkeregister:deling/offentligmedhjemmel --lifetime 3600)
  curl -s -H "Authorization: Bearer $REGTOKEN" "{register}/personer/{adult}?part=navn"

  # example persons by category
  {quoted_cli} register examples

  # the example client (scripts/ajourhold.py): keep a client register current from the event feed (run it
  # again: it goes on from its stored pointer; add --follow to keep following), then an extract: the
  # children turning 6 this year who live in {DEMO_KOMMUNENUMMER}, counted per school district
  {example_client}

  # the Oppvekst API (KS's contract): each child flattened, with its guardians (docs/oppvekst.md)
  curl -s {oppvekst_headers} -H "Content-Type: application/json" \\
       -d '{{"foedselsnumre": ["{child}", "{protected}"]}}' "http://{HOST}:{gateway_port}/register/api/v1/ks/{oppvekst["rolleId"]}/oppvekst"

  # the school-start example (scripts/skolestart.py): who starts school next August in {DEMO_KOMMUNENUMMER},
  # one CSV per skolekrets with the guardians' postal addresses (protected ones never printed)
  {school_start}

The search portal (case workers in a browser): open http://{HOST}:{gateway_port}/portal/ and log in at the
ID-porten stand-in with fødselsnummer {DEMO_CASE_WORKER} ({DEMO_CASE_WORKER_NAME}, Demo kommune), who holds
the portal roles {", ".join(f'"{name}"' for name in demo["portal"]["roller"])}.

The administration pages (Demo kommune's administrator in a browser): open
http://{HOST}:{gateway_port}/admin/ and log in at the ID-porten stand-in with fødselsnummer
{DEMO_ADMINISTRATOR} ({DEMO_ADMINISTRATOR_NAME}); see docs/admin.md.

Stop with Ctrl-C (or SIGTERM).
""",
        flush=True,
    )


def name_and_birth_date(settings: Settings, number: str) -> tuple[str, str]:
    """The example person's current name and birth date (YYYYMMDD), for the search examples."""
    from fiks_folkeregister.app import build_register
    from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke

    document = build_register(settings).service.person(
        number, Rettighetspakke.OFFENTLIG_MED_HJEMMEL, ["navn", "foedsel"]
    )
    navn, foedsel = document["navn"][0], document["foedsel"][0]
    return f"{navn['fornavn']} {navn['etternavn']}", foedsel["foedselsdato"].replace("-", "")


def configure_demo_municipality(data_dir: Path, run: Any) -> dict[str, Any]:
    """The demo's organisation, roles, integrations and grants, made once with the admin command line.

    Integration passwords are shown only once by the admin command line, so the demo keeps them in
    `data/demo.json` (mode 0600) to print working commands on every start. A data directory from an older
    demo gets the ajourhold and oppvekst roles and integrations added. Demo data only.
    """
    remembered = data_dir / "demo.json"
    demo: dict[str, Any] = json.loads(remembered.read_text()) if remembered.exists() else {}
    if demo.get("orgnr", "910000009") != DEMO_ORGNR:
        demo = {}  # an older demo's organisation number (its check digit was wrong): configure anew
    if "rolleId" not in demo:
        run(
            "admin",
            "org",
            "create",
            "--orgnr",
            DEMO_ORGNR,
            "--navn",
            "Demo kommune",
            "--kommunenummer",
            DEMO_KOMMUNENUMMER,
        )
        demo["orgnr"] = DEMO_ORGNR
        demo.update(
            granted_role(
                run,
                "Saksbehandler",
                "Demo fagsystem",
                ["sok-etter-person"],
                ["person-basis", "relasjon-utvidet", "historikk"],
            )
        )
        save(remembered, demo)
    if "oppvekst" not in demo:
        # A school office: the Oppvekst API (children with guardians) and extracts by birth year.
        demo["oppvekst"] = granted_role(
            run,
            "Oppvekst",
            "Demo skoleadministrasjon",
            ["sok-etter-person", "uttrekk"],
            ["person-basis", "utenlandskPersonidentifikasjon", "relasjon-utvidet", "historikk"],
        )
        save(remembered, demo)
    if "ajourhold" not in demo:
        # A business system keeping its own register current: the feed and extracts, the basic elements.
        demo["ajourhold"] = granted_role(
            run, "Ajourhold og uttrekk", "Demo elevregister", ["hendelsesliste", "uttrekk"], ["person-basis"]
        )
        save(remembered, demo)
    if "portal" not in demo:
        # A case worker for the search portal, holding a few roles usable there (gyldighet soekWeb).
        run(
            "admin",
            "user",
            "create",
            "--orgnr",
            DEMO_ORGNR,
            "--foedselsnummer",
            DEMO_CASE_WORKER,
            "--navn",
            DEMO_CASE_WORKER_NAME,
            "--json",
        )
        roles = {
            "Barnevern – søk": ["person-basis", "relasjon-utvidet", "historikk"],
            "Skolekontor – søk": ["person-basis", "relasjon-utvidet"],
            "Kemner – søk": ["person-basis"],
        }
        for name, parts in roles.items():
            role = portal_role(run, name, parts)
            run("admin", "grant", "--bruker", DEMO_CASE_WORKER, "--rolle", role)
        demo["portal"] = {"foedselsnummer": DEMO_CASE_WORKER, "roller": list(roles)}
        save(remembered, demo)
    if "administrator" not in demo:
        # A person who administers Demo kommune in the administration pages (logs in through ID-porten).
        run(
            "admin",
            "administrator",
            "create",
            "--orgnr",
            DEMO_ORGNR,
            "--foedselsnummer",
            DEMO_ADMINISTRATOR,
            "--navn",
            DEMO_ADMINISTRATOR_NAME,
        )
        demo["administrator"] = {"foedselsnummer": DEMO_ADMINISTRATOR}
        save(remembered, demo)
    return demo


def portal_role(run: Any, role_name: str, parts: list[str]) -> str:
    """A new role of the demo organisation usable in the search portal only (`soekWeb`); its id."""
    options = [arg for part in parts for arg in ("--part", part)]
    role = json.loads(
        run(
            "admin",
            "role",
            "create",
            "--orgnr",
            DEMO_ORGNR,
            "--navn",
            role_name,
            "--rettighetspakke",
            "offentlig-med-hjemmel",
            "--bruksomraade",
            "sok-etter-person",
            "--gyldighet",
            "soekWeb",
            *options,
            "--json",
        )
    )
    return str(role["rolleId"])


def granted_role(
    run: Any, role_name: str, integration_name: str, bruksomraader: list[str], parts: list[str]
) -> dict[str, str]:
    """A new role of the demo organisation, a new integration, and the grant between them."""
    options = [arg for area in bruksomraader for arg in ("--bruksomraade", area)]
    options += [arg for part in parts for arg in ("--part", part)]
    role = json.loads(
        run(
            "admin",
            "role",
            "create",
            "--orgnr",
            DEMO_ORGNR,
            "--navn",
            role_name,
            "--rettighetspakke",
            "offentlig-med-hjemmel",
            *options,
            "--json",
        )
    )
    integration = json.loads(
        run("admin", "integration", "create", "--orgnr", DEMO_ORGNR, "--navn", integration_name, "--json")
    )
    run("admin", "grant", "--integrasjon", integration["integrasjonId"], "--rolle", role["rolleId"])
    return {
        "rolleId": role["rolleId"],
        "integrasjonId": integration["integrasjonId"],
        "integrasjonPassord": integration["integrasjonPassord"],
    }


def save(path: Path, demo: dict[str, Any]) -> None:
    """Write the demo's ids and passwords readable by the owner only."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(demo))


if __name__ == "__main__":
    main()
