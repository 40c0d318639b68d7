"""Importing resellers, price lists and licences from files.

Each import checks the whole file first and imports nothing unless every row
is valid, so a bad file never leaves half its rows behind. Re-importing a file
updates the records it names rather than duplicating them. Problems name the
line, the column and the reason, never the value: cells hold personal data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

from sqlalchemy.engine import Engine

from renewals.codes import normalise_activation_code
from renewals.licences import Licence
from renewals.pricelist import PriceList, PriceListError, load_price_list
from renewals.regions import REGIONS
from renewals.resellers import TEAM, USER, InvalidSlackId, Reseller, SlackLink, slack_id
from renewals.storage.db import PROJECT_ROOT, migrate
from renewals.storage.unit_of_work import UnitOfWork

DEMO_DIR = PROJECT_ROOT / "demo"
LICENCE_COLUMNS = (
    "activation_code",
    "company",
    "address",
    "region",
    "contact_name",
    "contact_email",
    "phone",
    "product_code",
    "platform",
    "users",
    "start_date",
    "expiry_date",
    "reseller_id",
    "internet_facing",
    "renewal_notice_sent_on",
)
OPTIONAL_LICENCE_COLUMNS = ("reseller_id", "renewal_notice_sent_on")
RESELLER_COLUMNS = (
    "reseller_id",
    "name",
    "region",
    "email",
    "phone",
    "slack_team_id",
    "slack_user_id",
    "slack_channel_id",
)
OPTIONAL_RESELLER_COLUMNS = ("slack_team_id", "slack_user_id", "slack_channel_id")
_TRUE_WORDS = ("true", "yes", "1")
_FALSE_WORDS = ("false", "no", "0")

Parsed = TypeVar("Parsed")


@dataclass(frozen=True)
class ImportProblem:
    line: Optional[int]  # file line (header = 1); None for a problem with the file as a whole
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.reason}"


class ImportRejected(Exception):
    """Nothing was imported; `problems` lists every problem found."""

    def __init__(self, source: Path, problems: list[ImportProblem]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__(f"{source.name}: {len(self.problems)} problem(s), nothing imported")


@dataclass(frozen=True)
class PriceListImport:
    version: int
    replaced: bool  # False when the file matched the active price list already


def import_resellers(uow: UnitOfWork, path: Path) -> int:
    """Upsert every reseller in the CSV file; returns how many rows were imported.

    `slack_team_id` and `slack_user_id` link that Slack workspace and that Slack
    user to the reseller (renewals.resellers); links the file does not name are
    kept (remove them with `python -m renewals slack unlink`). An id linked to
    another reseller is refused, as `slack link` refuses it without --move.
    """
    records = _read_csv(path, RESELLER_COLUMNS, OPTIONAL_RESELLER_COLUMNS, _ResellerRow(uow.slack_links.get))
    for reseller, links in records:
        uow.resellers.save(reseller)
        for link in links:
            uow.slack_links.save(link)
    return len(records)


def import_licences(uow: UnitOfWork, path: Path) -> int:
    """Upsert every licence in the CSV file; returns how many rows were imported.

    Products are checked against the active price list and resellers against
    those already imported, so import those first.
    """
    price_list = uow.price_lists.active()
    if price_list is None:
        raise ImportRejected(
            path, [ImportProblem(None, "product_code", "no price list imported yet: import one first")]
        )
    records = _read_csv(
        path, LICENCE_COLUMNS, OPTIONAL_LICENCE_COLUMNS, _LicenceRow(price_list, uow.resellers.ids())
    )
    for licence in records:
        uow.licences.save(licence)
    return len(records)


def import_price_list(uow: UnitOfWork, path: Path) -> PriceListImport:
    """Make the price list in the YAML file the active one."""
    try:
        price_list = load_price_list(path)
    except PriceListError as error:
        raise ImportRejected(path, [ImportProblem(None, p.field, p.reason) for p in error.problems]) from None
    missing = sorted(uow.licences.product_codes_in_use() - set(price_list.products))
    if missing:
        raise ImportRejected(
            path,
            [ImportProblem(None, "products", f"{code} is missing but licences use it") for code in missing],
        )
    previous_version = uow.price_lists.active_version()
    version = uow.price_lists.replace_active(price_list)
    return PriceListImport(version=version, replaced=version != previous_version)


@dataclass(frozen=True)
class DemoLoad:
    loaded: bool  # False when the database already had licences
    licence_count: int  # licences in the database afterwards


def load_demo(engine: Engine, directory: Path = DEMO_DIR) -> DemoLoad:
    """Migrate, then load the demo resellers, price list and licences into an empty database.

    A database that already has licences is left alone, so running this twice is harmless
    and never overwrites real data with the demo's.
    """
    migrate(engine)
    with UnitOfWork(engine) as uow:
        existing = uow.licences.count()
        if existing:
            return DemoLoad(loaded=False, licence_count=existing)
        import_resellers(uow, directory / "resellers.csv")
        import_price_list(uow, directory / "pricing.yml")
        count = import_licences(uow, directory / "licenses.csv")
    return DemoLoad(loaded=True, licence_count=count)


def _read_csv(path: Path, columns: tuple[str, ...], optional: tuple[str, ...], row_parser) -> list:
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return _parse_csv(path, csv.reader(stream), columns, optional, row_parser)
    except (UnicodeDecodeError, csv.Error):
        raise ImportRejected(path, [ImportProblem(None, "file", "is not a UTF-8 CSV file")]) from None


def _parse_csv(path: Path, reader, columns: tuple[str, ...], optional: tuple[str, ...], row_parser) -> list:
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in columns if name not in header and name not in optional]
    if missing:
        raise ImportRejected(
            path, [ImportProblem(1, name, "column is missing from the header") for name in missing]
        )
    problems: list[ImportProblem] = []
    records = []
    for line, cells in _rows_with_line_numbers(reader):
        if len(cells) != len(header):
            problems.append(
                ImportProblem(line, "row", f"has {len(cells)} fields but the header has {len(header)}")
            )
            continue
        row = _Row(line, dict(zip(header, (cell.strip() for cell in cells))), problems)
        record = row_parser(row)
        if record is not None:
            records.append(record)
    if problems:
        raise ImportRejected(path, problems)
    return records


def _rows_with_line_numbers(reader) -> Iterator[tuple[int, list[str]]]:
    # A quoted cell may span lines, so a row starts on the line after the previous row ended.
    next_line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield next_line, cells
        next_line = reader.line_num + 1


class _Row:
    """One CSV row's cells, collecting problems instead of stopping at the first."""

    def __init__(self, line: int, cells: dict[str, str], problems: list[ImportProblem]):
        self.line = line
        self.cells = cells
        self.problems = problems
        self.problems_before = len(problems)

    def problem(self, field: str, reason: str) -> None:
        self.problems.append(ImportProblem(self.line, field, reason))

    def build(self, record_type: Callable[..., Parsed], **values: Any) -> Optional[Parsed]:
        """The record, built only from a row with no problem: a row with one is reported, never imported."""
        return record_type(**values) if len(self.problems) == self.problems_before else None

    def optional(self, field: str) -> Optional[str]:
        return self.cells.get(field) or None

    def required(self, field: str) -> Optional[str]:
        value = self.optional(field)
        if value is None:
            self.problem(field, "is required")
        return value

    def parsed(
        self, field: str, parse: Callable[[str], Parsed], expected: str, required: bool = True
    ) -> Optional[Parsed]:
        text = self.required(field) if required else self.optional(field)
        if text is None:
            return None
        try:
            return parse(text)
        except ValueError:
            self.problem(field, f"must be {expected}")
            return None

    def region(self) -> Optional[str]:
        return self.parsed("region", _region, f"one of {', '.join(REGIONS)}")

    def unique(self, field: str, value: Optional[str], seen: dict[str, int]) -> None:
        if value is None:
            return
        if value in seen:
            self.problem(field, f"same as line {seen[value]}")
        else:
            seen[value] = self.line


class _ResellerRow:
    def __init__(self, linked: Callable[[str, str], Optional[SlackLink]]) -> None:
        self.linked = linked  # (kind, Slack id) -> its current link
        self.seen_ids: dict[str, int] = {}
        self.seen_slack_ids: dict[str, dict[str, int]] = {USER: {}, TEAM: {}}

    def __call__(self, row: _Row) -> Optional[tuple[Reseller, list[SlackLink]]]:
        reseller_id = row.required("reseller_id")
        row.unique("reseller_id", reseller_id, self.seen_ids)
        links = []
        for kind, column in ((TEAM, "slack_team_id"), (USER, "slack_user_id")):
            value = row.parsed(column, partial(_slack_id, kind), f"a Slack {kind} id", required=False)
            row.unique(column, value, self.seen_slack_ids[kind])
            if value is None or reseller_id is None:
                continue
            current = self.linked(kind, value)
            if current is not None and current.reseller_id != reseller_id:
                row.problem(
                    column,
                    f"is linked to {current.reseller_id}; unlink it first "
                    "(python -m renewals slack unlink) or link it with --move",
                )
            links.append(SlackLink(kind=kind, slack_id=value, reseller_id=reseller_id))
        reseller = row.build(
            Reseller,
            reseller_id=reseller_id,
            name=row.required("name"),
            region=row.region(),
            email=row.required("email"),
            phone=row.required("phone"),
            slack_channel_id=row.parsed(
                "slack_channel_id",
                lambda text: _slack_id("channel", text),
                "a Slack channel id",
                required=False,
            ),
        )
        return (reseller, links) if reseller is not None else None


class _LicenceRow:
    def __init__(self, price_list: PriceList, reseller_ids: set[str]):
        self.price_list = price_list
        self.reseller_ids = reseller_ids
        self.seen_codes: dict[str, int] = {}

    def __call__(self, row: _Row) -> Optional[Licence]:
        product = None
        product_code = row.required("product_code")
        if product_code is not None:
            product = self.price_list.products.get(product_code)
            if product is None:
                row.problem("product_code", "is not in the active price list")

        activation_code = row.parsed(
            "activation_code",
            _activation_code,
            "a well-formed Activation Code (XX-XXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)",
        )
        if (
            activation_code is not None
            and product is not None
            and activation_code[:2] != product.activation_code_prefix
        ):
            row.problem(
                "activation_code",
                f"must start with {product.activation_code_prefix} for product {product.code}",
            )
        row.unique("activation_code", activation_code, self.seen_codes)

        platform = row.required("platform")
        if platform is not None and product is not None:
            platform = product.platform_named(platform)
            if platform is None:
                row.problem(
                    "platform", f"must be one of {', '.join(product.platforms)} for product {product.code}"
                )

        start_date = row.parsed("start_date", date.fromisoformat, "a date written YYYY-MM-DD")
        expiry_date = row.parsed("expiry_date", date.fromisoformat, "a date written YYYY-MM-DD")
        if start_date is not None and expiry_date is not None and expiry_date <= start_date:
            row.problem("expiry_date", "must be after start_date")

        reseller_id = row.optional("reseller_id")
        if reseller_id is not None and reseller_id not in self.reseller_ids:
            row.problem("reseller_id", "is not a known reseller: import resellers first")

        return row.build(
            Licence,
            activation_code=activation_code,
            company=row.required("company"),
            address=row.required("address"),
            region=row.region(),
            contact_name=row.required("contact_name"),
            contact_email=row.required("contact_email"),
            phone=row.required("phone"),
            product_code=product_code,
            platform=platform,
            users=row.parsed("users", _positive_int, "a whole number of at least 1"),
            start_date=start_date,
            expiry_date=expiry_date,
            reseller_id=reseller_id,
            internet_facing=row.parsed("internet_facing", _boolean, "true or false"),
            renewal_notice_sent_on=row.parsed(
                "renewal_notice_sent_on", date.fromisoformat, "a date written YYYY-MM-DD", required=False
            ),
        )


def _activation_code(text: str) -> str:
    code = normalise_activation_code(text)
    if code is None:
        raise ValueError("not an Activation Code")
    return code


def _slack_id(kind: str, text: str) -> str:
    try:
        return slack_id(kind, text)
    except InvalidSlackId as error:
        raise ValueError(str(error)) from None


def _region(text: str) -> str:
    region = text.upper()
    if region not in REGIONS:
        raise ValueError("unknown region")
    return region


def _positive_int(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError("not a positive whole number")
    return int(text)


def _boolean(text: str) -> bool:
    word = text.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValueError("not a boolean")
