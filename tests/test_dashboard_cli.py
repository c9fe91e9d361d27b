"""The ``neuromod dashboard`` command: registration, options, loopback warning, server choice."""
import subprocess
import sys

import pytest

from dashboard import cli
from sim.cli import build_parser, main


@pytest.fixture(autouse=True)
def _ports_are_free(monkeypatch):
    """These tests fake the server on fixed ports (8050, 8123...) that another program on a
    shared machine may hold, and on ::1, which a machine may lack: the port check answers
    "free" here (tests/test_cli_habits.py checks a busy port for real)."""
    monkeypatch.setattr(cli, "listen_problem", lambda host, port: None)


def test_dashboard_command_is_registered_with_its_defaults():
    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port, args.workers, args.public) == (None, 8050, 1, False)
    assert args.func is cli.cmd_dashboard


def test_registering_the_command_does_not_import_dash():
    code = ("import sys; from sim.cli import build_parser; build_parser(); "
            "print('dash' in sys.modules, 'plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("argv, message", [
    (["dashboard", "--port", "99999"], "port=99999 is outside 0..65535"),
    (["dashboard", "--workers", "0"], f"workers=0 is outside 1..{cli.MAX_WORKERS}"),
    (["dashboard", "--workers", "100000"],
     f"workers=100000 is outside 1..{cli.MAX_WORKERS}"),
    (["dashboard", "--port", "http"], "port='http' is not a whole number"),
])
def test_bad_options_are_refused_without_a_traceback(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.1.1", True),
    ("0.0.0.0", False), ("192.168.1.20", False), ("::", False), ("lab-server", False),
])
def test_loopback_hosts(host, loopback):
    assert cli.is_loopback(host) is loopback


def test_printed_url_is_one_a_browser_can_open():
    assert cli.display_url("127.0.0.1", 8050) == "http://127.0.0.1:8050/"
    assert cli.display_url("0.0.0.0", 9000) == "http://127.0.0.1:9000/"
    assert cli.display_url("::1", 8050) == "http://[::1]:8050/"


def _fake_waitress(monkeypatch):
    import waitress

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append(kw))
    return calls


def test_default_serves_with_waitress_on_loopback_and_prints_the_url(monkeypatch, capsys):
    calls = _fake_waitress(monkeypatch)
    assert main(["dashboard", "--port", "8123"]) == 0
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:8123/" in out and "WARNING" not in err
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8123


def test_the_default_server_holds_a_lecture_hall_of_connections(monkeypatch, capsys):
    """Each of 200 browsers keeps about 6 connections: the server must accept them all (and
    watch descriptors above 1023, which select() cannot)."""
    calls = _fake_waitress(monkeypatch)
    assert main(["dashboard", "--public"]) == 0
    kw = calls[0]
    assert kw["connection_limit"] >= 200 * 6 and kw["asyncore_use_poll"] is True
    assert kw["channel_timeout"] <= 60 and kw["threads"] >= 4
    assert "sized for 300 browsers" in capsys.readouterr().out


def test_a_public_host_warns_that_others_can_connect(monkeypatch, capsys):
    calls = _fake_waitress(monkeypatch)
    assert main(["dashboard", "--host", "0.0.0.0", "--public"]) == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "reachable by others" in err
    assert calls[0]["host"] == "0.0.0.0"


def test_public_alone_binds_every_interface_and_warns(monkeypatch, capsys):
    calls = _fake_waitress(monkeypatch)
    assert main(["dashboard", "--public", "--port", "8125"]) == 0
    _out, err = capsys.readouterr()
    assert "WARNING" in err and calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 8125


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "lab-server"])
def test_a_public_host_without_public_is_refused_and_nothing_is_served(host, monkeypatch,
                                                                        capsys):
    calls = _fake_waitress(monkeypatch)
    monkeypatch.setattr(cli.os, "execv", lambda *a: calls.append(a))
    for workers in ("1", "2"):
        assert main(["dashboard", "--host", host, "--workers", workers]) == 2
    err = capsys.readouterr().err
    assert f"--host {host} would let others on the network reach the dashboard" in err
    assert "--public" in err and "Traceback" not in err
    assert calls == []


def test_a_loopback_host_needs_no_flag(monkeypatch, capsys):
    calls = _fake_waitress(monkeypatch)
    assert main(["dashboard", "--host", "::1"]) == 0
    assert calls[0]["host"] == "::1" and "WARNING" not in capsys.readouterr().err


def test_several_workers_run_gunicorn(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(cli.os, "execv", lambda exe, argv: seen.append(argv))
    assert main(["dashboard", "--workers", "3", "--port", "8124"]) == 0
    argv = seen[0]
    assert argv[1:3] == ["-m", "gunicorn"] and argv[-1] == "dashboard.app:server"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8124"
    # each worker reads requests and writes answers without holding a thread (waitress)
    assert argv[argv.index("--worker-class") + 1] == "dashboard.serving.WaitressWorker"
    assert int(argv[argv.index("--worker-connections") + 1]) >= 200 * 6
    out = capsys.readouterr().out
    assert "gunicorn, 3 workers" in out and "sized for 300 browsers" in out


def test_several_workers_on_a_public_interface(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(cli.os, "execv", lambda exe, argv: seen.append(argv))
    assert main(["dashboard", "--workers", "2", "--public", "--port", "8126"]) == 0
    assert seen[0][seen[0].index("--bind") + 1] == "0.0.0.0:8126"
    assert "WARNING" in capsys.readouterr().err


def test_a_public_server_tells_the_address_students_type(monkeypatch):
    monkeypatch.setattr(cli, "lan_address", lambda: "192.168.1.20")
    assert cli.students_line("0.0.0.0", 8050) == "students: open http://192.168.1.20:8050/"
    assert cli.students_line("127.0.0.1", 8050) == ""  # this computer only: nothing to tell
    monkeypatch.setattr(cli, "lan_address", lambda: None)
    assert "no network address found" in cli.students_line("0.0.0.0", 8050)


def test_the_network_address_is_not_loopback():
    addr = cli.lan_address()
    assert addr is None or not addr.startswith("127.")
