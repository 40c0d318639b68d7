"""`python -m renewals`: migrate, import files and load the demo, with exit codes for scripts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from renewals.cli.main import main
from renewals.storage.db import PROJECT_ROOT
from tests.support.renewals_data import DEMO_DIR


@pytest.fixture
def database(monkeypatch, sqlite_url):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return sqlite_url


def test_importing_the_demo_files_step_by_step(database, capsys):
    assert main(["migrate"]) == 0
    assert main(["import-resellers", str(DEMO_DIR / "resellers.csv")]) == 0
    assert main(["import-price-list", str(DEMO_DIR / "pricing.yml")]) == 0
    assert main(["import-price-list", str(DEMO_DIR / "pricing.yml")]) == 0
    assert main(["import-licences", str(DEMO_DIR / "licenses.csv")]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "Database schema is up to date.",
        "Imported 5 resellers.",
        "Imported price list version 1; it is now the active price list.",
        "Price list unchanged: version 1 is still active.",
        "Imported 30 licences.",
    ]


def test_a_rejected_file_exits_1_and_lists_every_problem_by_line(database, tmp_path, capsys):
    main(["migrate"])
    bad = tmp_path / "resellers.csv"
    bad.write_text(
        "reseller_id,name,region,email,phone\n"
        "R-AU-001,Southern Cross IT Solutions,AU,,+61 2 9555 0101\n"
        "R-AU-002,Harbour Systems Pty Ltd,UK,renewals@harboursys.example,+61 3 9555 0202\n"
    )

    assert main(["import-resellers", str(bad)]) == 1

    assert capsys.readouterr().err.splitlines() == [
        "resellers.csv: line 2: email: is required",
        "resellers.csv: line 3: region: must be one of AU, NZ",
        "resellers.csv: nothing imported (2 problem(s)).",
    ]


def test_imports_refuse_an_unmigrated_database(database, capsys):
    assert main(["import-resellers", str(DEMO_DIR / "resellers.csv")]) == 1

    assert "run `python -m renewals migrate` first" in capsys.readouterr().err


def test_importing_a_missing_file_exits_1(database, tmp_path, capsys):
    main(["migrate"])

    assert main(["import-licences", str(tmp_path / "nowhere.csv")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_load_demo_twice_loads_once(database, capsys):
    assert main(["load-demo"]) == 0
    assert main(["load-demo", str(DEMO_DIR)]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(": 30 licences.")
    assert out[1] == "The database already has 30 licences; demo data not loaded."


def test_runs_as_python_dash_m_renewals(sqlite_url):
    environment = {**os.environ, "DATABASE_URL": sqlite_url}

    result = subprocess.run(
        [sys.executable, "-m", "renewals", "load-demo"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "30 licences" in result.stdout
