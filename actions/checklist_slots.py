"""The renewal checklist as the form's slots hold it, both ways (one table maps slots to items)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any, Dict, Optional

from rasa_sdk import Tracker

from renewals.checklist import RenewalChecklist

# Checklist field -> form slot, where the names differ.
SLOT_OF_FIELD = {"product_code": "product", "user_count": "renewal_user_count"}


def _slot(field_name: str) -> str:
    return SLOT_OF_FIELD.get(field_name, field_name)


def _number(value: Any) -> Optional[int]:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _day(value: Any) -> Optional[date]:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def gathered_checklist(tracker: Tracker) -> RenewalChecklist:
    """The checklist items filled in so far (unchecked; the domain keeps the valid ones)."""
    values = {f.name: tracker.get_slot(_slot(f.name)) for f in fields(RenewalChecklist)}
    values["user_count"] = _number(values["user_count"])
    values["licence_expiry"] = _day(values["licence_expiry"])
    return RenewalChecklist(**values)


def slot_values(checklist: RenewalChecklist) -> Dict[str, Any]:
    """The slots a checklist fills, as Rasa stores them (a float user count, an ISO date); None left out."""
    values = {_slot(f.name): getattr(checklist, f.name) for f in fields(RenewalChecklist)}
    if values["renewal_user_count"] is not None:
        values["renewal_user_count"] = float(values["renewal_user_count"])
    if values["licence_expiry"] is not None:
        values["licence_expiry"] = values["licence_expiry"].isoformat()
    return {slot: value for slot, value in values.items() if value is not None}
