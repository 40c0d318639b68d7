"""Set up the renewals database: migrate it and import resellers, price lists and licences.

DATABASE_URL selects the database (default: the SQLite file var/renewals.db).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from renewals.db import database_url_from_env, make_engine, migrate, schema_is_current
from renewals.importers import (
    DEMO_DIR,
    ImportRejected,
    import_licences,
    import_price_list,
    import_resellers,
    load_demo,
)
from renewals.unit_of_work import UnitOfWork


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    engine = make_engine(database_url_from_env())
    try:
        return args.command(engine, args)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            print(f"{rejected.source.name}: {problem}", file=sys.stderr)
        print(f"{rejected.source.name}: nothing imported ({len(rejected.problems)} problem(s)).", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m renewals", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    command = commands.add_parser("migrate", help="create or upgrade the database schema")
    command.set_defaults(command=_migrate)

    for name, run, what in (
        ("import-resellers", _import_resellers, "resellers CSV"),
        ("import-price-list", _import_price_list, "price list YAML"),
        ("import-licences", _import_licences, "licences CSV"),
    ):
        command = commands.add_parser(name, help=f"check and import a {what} (all rows or none)")
        command.add_argument("file", type=Path)
        command.set_defaults(command=run)

    command = commands.add_parser("load-demo", help="migrate and load the demo data into an empty database")
    command.add_argument("directory", type=Path, nargs="?", default=DEMO_DIR)
    command.set_defaults(command=_load_demo)
    return parser


def _migrate(engine, args) -> int:
    migrate(engine)
    print("Database schema is up to date.")
    return 0


def _import_resellers(engine, args) -> int:
    return _import(engine, args.file, lambda uow: f"Imported {import_resellers(uow, args.file)} resellers.")


def _import_licences(engine, args) -> int:
    return _import(engine, args.file, lambda uow: f"Imported {import_licences(uow, args.file)} licences.")


def _import_price_list(engine, args) -> int:
    def run(uow) -> str:
        result = import_price_list(uow, args.file)
        if result.replaced:
            return f"Imported price list version {result.version}; it is now the active price list."
        return f"Price list unchanged: version {result.version} is still active."

    return _import(engine, args.file, run)


def _import(engine, file: Path, run) -> int:
    if not file.is_file():
        print(f"{file}: no such file.", file=sys.stderr)
        return 1
    if not schema_is_current(engine):
        print("The database schema is not up to date: run `python -m renewals migrate` first.", file=sys.stderr)
        return 1
    with UnitOfWork(engine) as uow:
        message = run(uow)
    print(message)
    return 0


def _load_demo(engine, args) -> int:
    result = load_demo(engine, args.directory)
    if result.loaded:
        print(f"Loaded the demo data from {args.directory}: {result.licence_count} licences.")
    else:
        print(f"The database already has {result.licence_count} licences; demo data not loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
