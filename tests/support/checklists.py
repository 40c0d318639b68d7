"""A complete renewal checklist for a demo licence, as the form would have gathered it."""

from renewals.checklist import RenewalChecklist


def checklist_for(licence) -> RenewalChecklist:
    """The licence's own product, users and expiry, with Jordan Quill as the contact."""
    return RenewalChecklist(
        company_name=licence.company,
        address="16 King Street, Perth WA 6000",
        phone="+61412345678",
        contact_name="Jordan Quill",
        contact_email="jordan.quill@quokkatravel.com.au",
        product_code=licence.product_code,
        platform=licence.platform,
        user_count=licence.users,
        licence_expiry=licence.expiry_date,
    )
