"""`make demo` (scripts/demo.py): refuses busy ports before saying anything, and stops both servers on a signal."""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.upstream.servers import free_port

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def demo_environment(data_dir: Path, gateway_port: int, register_port: int) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FIKSREG_")}
    return {
        **environment,
        "FIKSREG_DATA_DIR": str(data_dir),
        "FIKSREG_SIMULATOR_EVENTS_PER_SECOND": "0",
        "PORT": str(gateway_port),
        "REGISTER_PORT": str(register_port),
    }


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def portal_login(gateway_port: int, printed: str) -> str:
    """Log in as the printed demo case worker through the ID-porten stand-in; the role choice page."""
    import httpx

    match = re.search(r"log in at the\s+ID-porten stand-in with fødselsnummer (\d{11})", printed)
    assert match, printed
    with httpx.Client(
        base_url=f"http://127.0.0.1:{gateway_port}", follow_redirects=True, timeout=30
    ) as client:
        login_page = client.get("/portal/")
        assert "Fødselsnummer" in login_page.text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', login_page.text))
        answer = client.post("/idporten/authorize", data={**fields, "foedselsnummer": match.group(1)})
        assert str(answer.url).endswith("/portal/velg-rolle"), answer.text
        return html.unescape(answer.text)


def admin_login(gateway_port: int, printed: str) -> str:
    """Log in as the printed demo administrator through the ID-porten stand-in; the page reached."""
    import httpx

    match = re.search(r"/admin/ and log in at the ID-porten stand-in with fødselsnummer\s+(\d{11})", printed)
    assert match, printed
    with httpx.Client(
        base_url=f"http://127.0.0.1:{gateway_port}", follow_redirects=True, timeout=30
    ) as client:
        login_page = client.get("/admin/")
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', login_page.text))
        answer = client.post("/idporten/authorize", data={**fields, "foedselsnummer": match.group(1)})
        assert str(answer.url).endswith("/admin/910000004/"), answer.text
        return html.unescape(answer.text)


@pytest.mark.parametrize("busy", ["PORT", "REGISTER_PORT"])
def test_a_busy_port_is_refused_before_anything_is_printed_or_started(busy: str, tmp_path: Path) -> None:
    gateway_port, register_port = free_port(), free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", gateway_port if busy == "PORT" else register_port))
        taken.listen()
        busy_port = taken.getsockname()[1]

        result = subprocess.run(
            [sys.executable, str(SCRIPT)],
            env=demo_environment(tmp_path / "data", gateway_port, register_port),
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode != 0
    assert result.stdout == ""  # no "Serving …", no commands to paste
    assert f"Port {busy_port}" in result.stderr and f"make demo {busy}=" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing seeded or configured


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory: the first demo seeds and configures it, the next one starts at once."""
    return tmp_path_factory.mktemp("demo") / "data"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the demo's servers through /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_both_servers_and_frees_the_ports(stop: signal.Signals, demo_data: Path) -> None:
    gateway_port, register_port = free_port(), free_port()
    demo = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--persons", "300"],
        env=demo_environment(demo_data, gateway_port, register_port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        printed = []
        for line in demo.stdout:  # the commands are printed once both servers answer
            printed.append(line)
            if line.startswith("Stop with Ctrl-C"):
                break
        assert any(f"http://127.0.0.1:{gateway_port}" in line for line in printed), "".join(printed)
        if stop == signal.SIGTERM:  # once is enough: the demo case worker logs in to the portal
            choose_role = portal_login(gateway_port, "".join(printed))
            assert "Velg rolle" in choose_role and "Kari Saksbehandler" in choose_role
            assert all(
                role in choose_role for role in ("Barnevern – søk", "Skolekontor – søk", "Kemner – søk")
            )
            overview = admin_login(gateway_port, "".join(printed))
            assert "Ada Administrator" in overview and "Demo kommune (910000004)" in overview
        servers = children_of(demo.pid)
        assert len(servers) == 2 and not port_is_free(gateway_port) and not port_is_free(register_port)

        demo.send_signal(stop)
        demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()

    assert demo.returncode == 0
    assert not any(is_running(pid) for pid in servers)
    deadline = time.monotonic() + 10
    while not (port_is_free(gateway_port) and port_is_free(register_port)) and time.monotonic() < deadline:
        time.sleep(0.1)  # a closed listening socket is released by the kernel, not by the process
    assert port_is_free(gateway_port) and port_is_free(register_port)
