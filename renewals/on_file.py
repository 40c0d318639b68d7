"""The renewal checklist pre-filled from the licence on file, and what may be shown of it.

Whoever knows an Activation Code may renew that licence, but must not learn its contact details from the
chat: a detail that came from the licence on file is shown masked ("j…@acmewidgets.com.au", "…987",
"J. Q.", "…, Parramatta NSW 2150"), and the confirmation names "the contact on file".
"""

from __future__ import annotations

from typing import Callable, Optional

from renewals import checklist as checks
from renewals.checklist import RenewalChecklist
from renewals.licences import Licence


def prefilled(licence: Licence, quoted_users: Optional[int] = None) -> RenewalChecklist:
    """The checklist as the licence on file fills it. The user count is the one just quoted for this
    licence, if any, but never more than the licence has (more users are a new purchase, not a renewal)."""
    users = licence.users if quoted_users is None else min(quoted_users, licence.users)
    return RenewalChecklist(
        company_name=licence.company,
        address=licence.address,
        phone=checks.phone_on_file(licence.phone),
        contact_name=licence.contact_name,
        contact_email=licence.contact_email,
        product_code=licence.product_code,
        platform=licence.platform,
        user_count=users,
        licence_expiry=licence.expiry_date,
    )


def contact_details(licence: Optional[Licence]) -> dict[str, Optional[str]]:
    """The licence's contact details as the checklist stores them once checked (E.164 phone, lower-case
    email domain), keyed by checklist field: a value equal to one of these came from the record."""
    if licence is None:
        return {}
    return {
        "address": checks.validate_address(licence.address).value,
        "phone": checks.phone_on_file(licence.phone),
        "contact_name": checks.validate_contact_name(licence.contact_name).value,
        "contact_email": checks.validate_email(licence.contact_email).value,
    }


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def _mask_phone(phone: str) -> str:
    return f"…{phone[-3:]}"


def _mask_name(name: str) -> str:
    return " ".join(f"{part[:1]}." for part in name.split())


def _mask_address(address: str) -> str:
    return "…, " + address.rsplit(",", 1)[-1].strip() if "," in address else "…"


_MASKS: dict[str, Callable[[str], str]] = {
    "contact_email": _mask_email,
    "phone": _mask_phone,
    "contact_name": _mask_name,
    "address": _mask_address,
}


def masked(field: str, value: str) -> str:
    """What may be shown of a contact detail that came from the licence on file."""
    return _MASKS[field](value)
