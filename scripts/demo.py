"""`make demo`: seed a demo register if there is none, print requests that work when pasted, and serve it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from fiks_folkeregister.settings import Settings

DEMO_PERSONS = 20_000
DEMO_ORGNR = "910000009"


def main() -> None:
    settings = Settings()
    port = int(os.environ.get("PORT", "8080"))
    data_dir = settings.data_dir.resolve()
    cli = str(Path(sys.executable).with_name("fiks-folkeregister"))
    env = {**os.environ, "FIKSREG_DATA_DIR": str(data_dir)}

    from fiks_folkeregister.app import build_register

    register = build_register(settings)
    if register.repository.count_persons() == 0:
        print(f"No register in {data_dir} yet: seeding {DEMO_PERSONS} synthetic persons (seed 1)...")
        subprocess.run([cli, "register", "seed", "--persons", str(DEMO_PERSONS), "--seed", "1"], env=env, check=True)
    examples = register.repository.examples()

    base = f"http://127.0.0.1:{port}/folkeregisteret/offentlig-med-hjemmel/api/v1"
    token_cmd = (
        f"FIKSREG_DATA_DIR={shlex.quote(str(data_dir))} {shlex.quote(cli)} token --orgnr {DEMO_ORGNR} "
        "--scope folkeregister:deling/offentligmedhjemmel --lifetime 3600"
    )
    adult = examples.get("ordinary-adult", ["?"])[0]
    child = examples.get("child-with-delt-bosted", [adult])[0]
    protected = examples.get("strengt-fortrolig", [adult])[0]
    print(
        f"""
The embedded register is starting on http://127.0.0.1:{port} (API docs: http://127.0.0.1:{port}/docs).
In another terminal, paste:

  TOKEN=$({token_cmd})

  # one person, only the address
  curl -s -H "Authorization: Bearer $TOKEN" "{base}/personer/{adult}?part=bostedsadresse"

  # a child with shared residence, with relations and history
  curl -s -H "Authorization: Bearer $TOKEN" "{base}/personer/{child}?part=person-basis&part=relasjon-utvidet&part=historikk"

  # bulk lookup, in the order asked for
  curl -s -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
       -d '{{"foedselsEllerDNummer": ["{adult}", "{child}", "{protected}"]}}' "{base}/personer/bulkoppslag?somBestilt=true"

  # example persons by category
  FIKSREG_DATA_DIR={shlex.quote(str(data_dir))} {shlex.quote(cli)} register examples

Stop the server with Ctrl-C.
""",
        flush=True,
    )
    os.execve(cli, [cli, "register", "serve", "--port", str(port)], env)


if __name__ == "__main__":
    main()
