"""Importing files: all rows or none, every problem reported by line, re-imports update in place."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from renewals.importers import (
    ImportProblem,
    ImportRejected,
    import_licences,
    import_price_list,
    import_resellers,
    load_demo,
)
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.renewals_data import DEMO_DIR

DEMO_LICENCE_LINES = (DEMO_DIR / "licenses.csv").read_text().splitlines()
DEMO_RESELLER_LINES = (DEMO_DIR / "resellers.csv").read_text().splitlines()
QUOKKA_CODE = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def licence_line(line_number: int, **changes: str) -> str:
    """Demo licences.csv line `line_number` (header = 1) with some cells replaced."""
    header = DEMO_LICENCE_LINES[0].split(",")
    cells = next(csv.reader([DEMO_LICENCE_LINES[line_number - 1]]))
    for name, value in changes.items():
        cells[header.index(name)] = value
    return ",".join(f'"{cell}"' if "," in cell else cell for cell in cells)


def rejected_problems(run) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        run()
    return [str(problem) for problem in rejected.value.problems]


@pytest.fixture
def with_resellers_and_prices(engine):
    with UnitOfWork(engine) as uow:
        import_resellers(uow, DEMO_DIR / "resellers.csv")
        import_price_list(uow, DEMO_DIR / "pricing.yml")
    return engine


def licence_count(engine) -> int:
    with UnitOfWork(engine) as uow:
        return uow.licences.count()


def test_demo_files_import_completely(engine):
    with UnitOfWork(engine) as uow:
        assert import_resellers(uow, DEMO_DIR / "resellers.csv") == 5
        assert import_price_list(uow, DEMO_DIR / "pricing.yml").version == 1
        assert import_licences(uow, DEMO_DIR / "licenses.csv") == 30

    with UnitOfWork(engine) as uow:
        quokka = uow.licences.get(QUOKKA_CODE)
        assert (quokka.company, quokka.users, quokka.reseller_id) == ("Quokka Travel", 50, "R-AU-002")
        assert uow.licences.get("DS-TEB5-6QTU4-WLSYG-N4QJV-MVGTP-6FLYA").reseller_id is None
        assert (
            uow.licences.get("WS-QAV5-EQ9YB-Y8GHH-RCF75-R2H4C-E9H5K").renewal_notice_sent_on.isoformat()
            == "2026-11-28"
        )
        assert uow.licences.get("WV-2MGL-LFHWH-MAYFW-P54LC-W8EM2-L8D5Z").internet_facing is False


def test_every_bad_licence_row_is_reported_by_line_and_nothing_is_imported(
    with_resellers_and_prices, tmp_path
):
    lines = [
        DEMO_LICENCE_LINES[0],
        DEMO_LICENCE_LINES[1],  # line 2: fine
        licence_line(3, region="AUS", users="0"),
        licence_line(4, activation_code="AO-R63A-E6L9E-XEMED-E7937-9G2KP"),
        licence_line(5, start_date="2026-03-04", expiry_date="2026-03-04"),
        licence_line(6, product_code="OFFICESCAN"),
        licence_line(7, platform="Linux", reseller_id="R-AU-999"),
        licence_line(8, activation_code="WS-G9UA-792M3-GDSPF-83P5W-Y58NR-KWS7W"),
        licence_line(
            9, internet_facing="maybe", renewal_notice_sent_on="28/11/2026", expiry_date="next year"
        ),
        licence_line(10, contact_email="", phone=" "),
        licence_line(
            18, activation_code="ws zhq7 9wpk9 upnrr jjjw3 lxph8 s7uhd"
        ),  # fine: any case and spacing
        licence_line(18),  # Quokka Travel again
        licence_line(12, users="12.5"),
    ]
    path = write(tmp_path / "licences.csv", lines)

    with UnitOfWork(with_resellers_and_prices) as uow:
        problems = rejected_problems(lambda: import_licences(uow, path))

    assert problems == [
        "line 3: region: must be one of AU, NZ",
        "line 3: users: must be a whole number of at least 1",
        "line 4: activation_code: must be a well-formed Activation Code "
        "(XX-XXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)",
        "line 5: expiry_date: must be after start_date",
        "line 6: product_code: is not in the active price list",
        "line 7: platform: must be one of Windows for product SMEX",
        "line 7: reseller_id: is not a known reseller: import resellers first",
        "line 8: activation_code: must start with IM for product IMSVA",
        "line 9: expiry_date: must be a date written YYYY-MM-DD",
        "line 9: internet_facing: must be true or false",
        "line 9: renewal_notice_sent_on: must be a date written YYYY-MM-DD",
        "line 10: contact_email: is required",
        "line 10: phone: is required",
        "line 12: activation_code: same as line 11",
        "line 13: users: must be a whole number of at least 1",
    ]
    assert licence_count(with_resellers_and_prices) == 0


def test_problems_never_repeat_what_was_in_the_cell(with_resellers_and_prices, tmp_path):
    path = write(
        tmp_path / "licences.csv",
        [
            DEMO_LICENCE_LINES[0],
            licence_line(2, contact_email="not-an-address-jane@example.com", phone="", users="Jane Citizen"),
        ],
    )

    with pytest.raises(ImportRejected) as rejected:
        with UnitOfWork(with_resellers_and_prices) as uow:
            import_licences(uow, path)

    shown = str(rejected.value) + " ".join(str(problem) for problem in rejected.value.problems)
    assert "Jane" not in shown and "example.com" not in shown


def test_a_missing_column_is_reported_on_the_header_line(with_resellers_and_prices, tmp_path):
    header = DEMO_LICENCE_LINES[0].replace("contact_email,", "")
    path = write(tmp_path / "licences.csv", [header])

    with UnitOfWork(with_resellers_and_prices) as uow:
        assert rejected_problems(lambda: import_licences(uow, path)) == [
            "line 1: contact_email: column is missing from the header"
        ]


def test_line_numbers_count_file_lines_when_a_quoted_cell_spans_two(with_resellers_and_prices, tmp_path):
    two_line_address = licence_line(2).replace(
        '"231 Queen Street, Sydney NSW 2000"', '"231 Queen Street\nSydney NSW 2000"'
    )
    path = write(
        tmp_path / "licences.csv", [DEMO_LICENCE_LINES[0], two_line_address, "", licence_line(3, users="-1")]
    )

    with UnitOfWork(with_resellers_and_prices) as uow:
        assert rejected_problems(lambda: import_licences(uow, path)) == [
            "line 5: users: must be a whole number of at least 1"
        ]


def test_a_row_with_the_wrong_number_of_cells_is_reported(with_resellers_and_prices, tmp_path):
    path = write(
        tmp_path / "licences.csv",
        [DEMO_LICENCE_LINES[0], "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD,Quokka Travel"],
    )

    with UnitOfWork(with_resellers_and_prices) as uow:
        assert rejected_problems(lambda: import_licences(uow, path)) == [
            "line 2: row: has 2 fields but the header has 15"
        ]


def test_licences_need_a_price_list_first(engine):
    with UnitOfWork(engine) as uow:
        assert rejected_problems(lambda: import_licences(uow, DEMO_DIR / "licenses.csv")) == [
            "product_code: no price list imported yet: import one first"
        ]


def test_reimporting_licences_updates_rows_instead_of_duplicating_them(with_resellers_and_prices, tmp_path):
    with UnitOfWork(with_resellers_and_prices) as uow:
        import_licences(uow, DEMO_DIR / "licenses.csv")
    renewed = [
        licence_line(n, expiry_date="2027-10-29", users="40") if n == 18 else line
        for n, line in enumerate(DEMO_LICENCE_LINES, 1)
    ]

    with UnitOfWork(with_resellers_and_prices) as uow:
        assert import_licences(uow, DEMO_DIR / "licenses.csv") == 30
        assert import_licences(uow, write(tmp_path / "renewed.csv", renewed)) == 30

    with UnitOfWork(with_resellers_and_prices) as uow:
        assert uow.licences.count() == 30
        quokka = uow.licences.get(QUOKKA_CODE)
        assert (quokka.users, quokka.expiry_date.isoformat()) == (40, "2027-10-29")


def test_every_bad_reseller_row_is_reported_and_nothing_is_imported(engine, tmp_path):
    lines = list(DEMO_RESELLER_LINES)
    lines[2] = lines[2].replace(",AU,", ",OZ,")
    lines[3] = lines[3].replace("sales@outbacknet.example", "")
    lines[5] = lines[5].replace("R-NZ-002", "R-NZ-001")
    path = write(tmp_path / "resellers.csv", lines)

    with UnitOfWork(engine) as uow:
        assert rejected_problems(lambda: import_resellers(uow, path)) == [
            "line 3: region: must be one of AU, NZ",
            "line 4: email: is required",
            "line 6: reseller_id: same as line 5",
        ]
    with UnitOfWork(engine) as uow:
        assert uow.resellers.ids() == set()


def test_reimporting_resellers_is_idempotent(engine):
    with UnitOfWork(engine) as uow:
        import_resellers(uow, DEMO_DIR / "resellers.csv")
        import_resellers(uow, DEMO_DIR / "resellers.csv")

    with UnitOfWork(engine) as uow:
        assert len(uow.resellers.list()) == 5


def test_importing_a_changed_price_list_makes_it_active(engine, tmp_path):
    data = yaml.safe_load((DEMO_DIR / "pricing.yml").read_text())
    data["products"][0]["annual_rate_per_user"]["AU"][1] = "40.00"
    dearer = tmp_path / "pricing.yml"
    dearer.write_text(yaml.safe_dump(data))

    with UnitOfWork(engine) as uow:
        first = import_price_list(uow, DEMO_DIR / "pricing.yml")
        again = import_price_list(uow, DEMO_DIR / "pricing.yml")
        second = import_price_list(uow, dearer)

    assert (first.version, first.replaced) == (1, True)
    assert (again.version, again.replaced) == (1, False)
    assert (second.version, second.replaced) == (2, True)
    with UnitOfWork(engine) as uow:
        assert str(uow.price_lists.active().rate("WFBS-STD", "AU", 50)) == "40.00"


def test_a_price_list_without_a_product_that_licences_use_is_refused(with_resellers_and_prices, tmp_path):
    with UnitOfWork(with_resellers_and_prices) as uow:
        import_licences(uow, DEMO_DIR / "licenses.csv")
    data = yaml.safe_load((DEMO_DIR / "pricing.yml").read_text())
    data["products"] = [product for product in data["products"] if product["code"] not in ("SMEX", "DSEC")]
    path = tmp_path / "pricing.yml"
    path.write_text(yaml.safe_dump(data))

    with UnitOfWork(with_resellers_and_prices) as uow:
        assert rejected_problems(lambda: import_price_list(uow, path)) == [
            "products: DSEC is missing but licences use it",
            "products: SMEX is missing but licences use it",
        ]
    with UnitOfWork(with_resellers_and_prices) as uow:
        assert uow.price_lists.active_version() == 1


def test_an_invalid_price_list_file_is_rejected_with_every_problem(engine, tmp_path):
    path = tmp_path / "pricing.yml"
    path.write_text("currency: {AU: AUD, NZ: NZD}\ngst_rate: {AU: '0.10', NZ: '0.15'}\ndays_per_year: 365\n")

    with UnitOfWork(engine) as uow:
        assert rejected_problems(lambda: import_price_list(uow, path)) == [
            "user_bands: must be a non-empty list of {min, max} bands",
            "products: must be a non-empty list",
        ]


def test_files_that_are_not_utf8_text_are_rejected(engine, tmp_path):
    latin1 = tmp_path / "resellers.csv"
    latin1.write_bytes(DEMO_DIR.joinpath("resellers.csv").read_bytes().replace(b"Southern", b"S\xf6uthern"))
    binary_yaml = tmp_path / "pricing.yml"
    binary_yaml.write_bytes(b"\xff\xfe\x00currency")

    with UnitOfWork(engine) as uow:
        assert rejected_problems(lambda: import_resellers(uow, latin1)) == ["file: is not a UTF-8 CSV file"]
        assert rejected_problems(lambda: import_price_list(uow, binary_yaml)) == [
            "file: is not a UTF-8 YAML file"
        ]


def test_import_problem_without_a_line_reads_naturally():
    assert (
        str(ImportProblem(None, "products", "must be a non-empty list"))
        == "products: must be a non-empty list"
    )


def test_demo_loads_once_and_never_over_existing_licences(engine):
    first = load_demo(engine, DEMO_DIR)
    second = load_demo(engine, DEMO_DIR)

    assert (first.loaded, first.licence_count) == (True, 30)
    assert (second.loaded, second.licence_count) == (False, 30)
    with UnitOfWork(engine) as uow:
        assert uow.price_lists.active_version() == 1
        assert len(uow.resellers.list()) == 5


def test_a_reseller_import_never_moves_another_resellers_slack_link(with_resellers_and_prices, tmp_path):
    # R-AU-002's row claims R-AU-001's Slack workspace (T01SCIT): `slack link` refuses that without --move.
    lines = list(DEMO_RESELLER_LINES)
    lines[2] = lines[2].replace("T02HARB", "T01SCIT")
    path = write(tmp_path / "resellers.csv", [lines[0], lines[2]])
    with UnitOfWork(with_resellers_and_prices) as uow:
        problems = rejected_problems(lambda: import_resellers(uow, path))
    assert problems == [
        "line 2: slack_team_id: is linked to R-AU-001; unlink it first (python -m renewals slack unlink) "
        "or link it with --move"
    ]
    with UnitOfWork(with_resellers_and_prices) as uow:
        assert uow.slack_links.get("team", "T01SCIT").reseller_id == "R-AU-001"
