"""The demo's renewal notices on 28 November 2026 (RENEWALS_TODAY), for the notice tests."""

from __future__ import annotations

import csv

from tests.support.renewals_data import DEMO_DIR

# 30 days or fewer left: the expiry notice.
EXPIRING_COMPANIES = {"Jacaranda Schools Trust", "Nullarbor Mining Services"}
# Already lapsed, no notice yet: the lapsed notice.
LAPSED_COMPANIES = {
    "Opal Financial Planning",
    "Platypus Software",
    "Quokka Travel",
    "Redgum Furniture",
    "Saltbush Veterinary Clinic",
    "Wattle Community Health",
    "Aoraki Engineering",
    "Bellbird Pharmacy",
    "Coromandel Boatworks",
    "Fiordland Tours",
    "Rimu Timber Co",
    "Tui Accounting Services",
}
NOTICED_COMPANIES = EXPIRING_COMPANIES | LAPSED_COMPANIES
# `renewal_notice_sent_on` in the licences CSV: no notice from the job.
NOTICED_BEFORE_IMPORT = {
    "Ironbark Construction",
    "Kookaburra Media",
    "Lyrebird Insurance Brokers",
    "Mallee Agricultural Supplies",
    "Pohutukawa Property Management",
}

with (DEMO_DIR / "licenses.csv").open(newline="") as _file:
    DEMO_LICENCES = {row["company"]: row for row in csv.DictReader(_file)}
