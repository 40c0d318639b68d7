"""The renewal checklist, and the checks the chat form runs on each answer.

The source page lists what a reseller needs to renew a licence: company name,
address, telephone number, contact name, contact email, product name including
platform, user number and licence expiry date. The assistant gathers these in
the chat and opens a support case with them (renewals.cases).

Each `validate_*` helper takes what the customer typed and returns a
FieldCheck: the normalised value, or a reason to show the customer. Reasons
never repeat the value itself, so they are safe to log and to put in errors.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import Any, Generic, Optional, TypeVar
from zoneinfo import ZoneInfo

import phonenumbers

from renewals.clock import SYDNEY, Clock
from renewals.formatting import format_date
from renewals.parsing import (
    MAX_INPUT_LENGTH,
    find_date_spans,
    find_email_spans,
    find_phone_spans,
    parse_date,
    parse_positive_int,
    parse_user_count,
)
from renewals.pricelist import PriceList, Product
from renewals.regions import REGIONS

T = TypeVar("T")

# The most users one renewal covers; a larger count gets an answer that says so.
MAX_USER_COUNT = 100_000
# The rule on renewing fewer users, as the customer reads it wherever a downsize comes up.
DOWNSIZE_RULE = (
    "A downsize must be confirmed to your reseller in writing, and a later increase would need an "
    "additional user purchase."
)
# After this many failed answers to one item in a row, the customer is offered a person.
FAILED_ANSWERS_BEFORE_A_PERSON = 3
COMPANY_NAME_LENGTHS = (2, 200)
CONTACT_NAME_LENGTHS = (2, 100)
ADDRESS_LENGTHS = (8, 200)
MAX_EMAIL_LENGTH = 254
# An expiry date further from today than this is almost certainly a typo.
EXPIRY_WINDOW = timedelta(days=3653)  # ten years
# Reserved for documentation and testing (RFC 2606, RFC 6761) or private networks.
PLACEHOLDER_TLDS = frozenset(
    {"example", "localhost", "test", "invalid", "local", "localdomain", "internal", "lan"}
)
PLACEHOLDER_DOMAINS = frozenset({"example.com", "example.net", "example.org"})


@dataclass(frozen=True)
class FieldCheck(Generic[T]):
    """The outcome of checking one answer.

    `value` is the normalised answer when it is acceptable; otherwise `reason`
    says, for the customer, what is wrong. `notice` is set on an acceptable
    answer the customer should confirm (e.g. fewer users than before).
    """

    value: Optional[T] = None
    reason: Optional[str] = None
    notice: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def accepted(value: T, notice: Optional[str] = None) -> FieldCheck[T]:
    return FieldCheck(value=value, notice=notice)


def rejected(reason: str) -> FieldCheck[Any]:
    return FieldCheck(reason=reason)


@dataclass(frozen=True)
class RenewalChecklist:
    """What a reseller needs to renew. Every field may be missing while the chat gathers them.

    A renewal case needs all of them (see `validated`); a hand-off case may be
    opened with only some. Contact details are personal data and stay out of repr().
    """

    company_name: Optional[str] = None
    address: Optional[str] = field(default=None, repr=False)
    phone: Optional[str] = field(default=None, repr=False)  # E.164, e.g. "+61295550101"
    contact_name: Optional[str] = field(default=None, repr=False)
    contact_email: Optional[str] = field(default=None, repr=False)
    product_code: Optional[str] = None
    platform: Optional[str] = None
    user_count: Optional[int] = None
    licence_expiry: Optional[date] = None

    def missing_fields(self) -> tuple[str, ...]:
        """Names of the fields not given yet, in checklist order."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) in (None, ""))

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()

    def validated(
        self, today: date, price_list: Optional[PriceList] = None, recorded_phone: Optional[str] = None
    ) -> RenewalChecklist:
        """A normalised copy, complete and valid for a renewal case.

        Raises IncompleteChecklist naming missing fields, or InvalidChecklist
        with a reason per invalid field. With `price_list`, the product must be
        in it and the platform one of the product's (spelt as the price list does).
        `recorded_phone`, the licence's phone on file, is accepted as recorded.
        """
        missing = self.missing_fields()
        if missing:
            raise IncompleteChecklist(missing)
        problems: list[ChecklistProblem] = []
        values: dict[str, Any] = {}
        checks = {
            "company_name": lambda v: validate_company_name(v),
            "address": lambda v: validate_address(v),
            "phone": lambda v: (
                accepted(v) if recorded_phone and v == phone_on_file(recorded_phone) else validate_phone(v)
            ),
            "contact_name": lambda v: validate_contact_name(v),
            "contact_email": lambda v: validate_email(v),
            "user_count": lambda v: validate_user_count(v),
            "licence_expiry": lambda v: _check_expiry_date(v, today),
        }
        for name, check in checks.items():
            result = check(getattr(self, name))
            if result.ok:
                values[name] = result.value
            else:
                problems.append(ChecklistProblem(name, result.reason or f"{name} is not valid"))
        if price_list is not None:
            product = price_list.products.get(self.product_code or "")
            if product is None:
                problems.append(
                    ChecklistProblem("product_code", "That product isn't on the current price list.")
                )
            else:
                platform = product.platform_named(self.platform or "")
                if platform is None:
                    problems.append(
                        ChecklistProblem(
                            "platform", f"{product.name} is sold for {_joined(product.platforms)} only."
                        )
                    )
                else:
                    values["platform"] = platform
        if problems:
            raise InvalidChecklist(problems)
        return replace(self, **values)


CHECKLIST_FIELDS = tuple(f.name for f in fields(RenewalChecklist))
# How to name each field to the customer ("Please tell me the ...").
FIELD_LABELS = {
    "company_name": "company name",
    "address": "company address",
    "phone": "telephone number",
    "contact_name": "contact name",
    "contact_email": "contact email address",
    "product_code": "product",
    "platform": "platform",
    "user_count": "number of users",
    "licence_expiry": "licence expiry date",
}


@dataclass(frozen=True)
class ChecklistProblem:
    field: str
    reason: str  # for the customer; never contains the value

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class ChecklistError(ValueError):
    """The checklist can't open a renewal case. Messages name fields, never values."""


class IncompleteChecklist(ChecklistError):
    def __init__(self, missing: tuple[str, ...]):
        self.missing = tuple(missing)
        super().__init__("the renewal checklist is missing: " + ", ".join(self.missing))


class InvalidChecklist(ChecklistError):
    def __init__(self, problems: list[ChecklistProblem]):
        self.problems = tuple(problems)
        super().__init__(
            "the renewal checklist has invalid fields: " + "; ".join(str(p) for p in self.problems)
        )


# --------------------------------------------------------------------------
# Free-text answers
# --------------------------------------------------------------------------


def _clean(text: Any) -> Optional[str]:
    """`text` with control characters removed and whitespace collapsed; None if not a string."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return " ".join(text.split())


def _looks_like_email(text: str) -> bool:
    return bool(find_email_spans(text)) or bool(re.search(r"\S@\S", text))


# What an attempt at an item looks like, however mangled: "becATcoastlinerealty.com.au" is a failed
# email, "whats the weather doing this arvo" is no address at all.
_EMAIL_ATTEMPT = re.compile(r"@|\bat\b|\bdot\b|\.(com|net|org|au|nz|co|gov|edu)\b", re.IGNORECASE)
_MIN_PHONE_ATTEMPT_DIGITS = 6
_MAX_NAME_WORDS = 6


def offers_a_person(failed_answers: Optional[int]) -> bool:
    """Whether so many failed answers to one item call for the offer of a person."""
    return (failed_answers or 0) >= FAILED_ANSWERS_BEFORE_A_PERSON


def attempts_item(item: str, text: Any) -> bool:
    """Whether `text` reads as an attempt at the item's value (valid or not) rather than as something else.

    Used for a message the NLU calls off-topic while the form asks an item: an attempt is checked
    (and a failed one counts), anything else gets the off-topic answer and the item is asked again.
    """
    raw = _clean(text) or ""
    if not raw:
        return False
    if item == "contact_email":
        return bool(_EMAIL_ATTEMPT.search(raw)) and len(raw.split()) <= _MAX_NAME_WORDS
    if item == "phone":
        return sum(ch.isdigit() for ch in raw) >= _MIN_PHONE_ATTEMPT_DIGITS
    if item == "address":
        return any(ch.isdigit() for ch in raw)  # a street number, a PO Box or a postcode
    if item in ("company_name", "contact_name"):
        return len(raw.split()) <= _MAX_NAME_WORDS and not raw.rstrip().endswith("?")
    return True


# A street address, as opposed to a company name: a number with a street word, a PO Box, a unit or level,
# or an Australian state with its postcode ("Level 3, 50 Pitt Street, Sydney NSW 2000").
_ADDRESS_RE = re.compile(
    r"\b\d+[a-z]?(?:[/-]\d+)?,?\s+(?:[a-z'-]+\s+){0,3}(?:street|st|road|rd|avenue|ave|drive|dr|lane|ln|place|pl"
    r"|parade|pde|terrace|tce|crescent|cres|court|ct|highway|hwy|way|boulevard|blvd|close|circuit|cct|quay"
    r"|square|sq|esplanade|esp|grove|gr|mall)\b"
    r"|\b(?:po box|p\.o\. box|level|unit|shop|suite)\s*\d+"
    r"|\b(?:nsw|vic|qld|wa|sa|tas|act|nt)\s+\d{4}\b",
    re.IGNORECASE,
)


def looks_like_address(text: Any) -> bool:
    """Whether `text` reads as a street or postal address (an answer to the address, not the company)."""
    return bool(_ADDRESS_RE.search(_clean(text) or ""))


# "lodge a renewal for Waratah Civil Pty Ltd please": the company is named with the request.
_NAME = r"(?P<name>[A-Z0-9][\w&'\u2019.-]*(?:\s+[\w&'\u2019.()-]+){0,7}?)"
_NAME_END = r"\s*(?:[?.!,;]|\s+(?:please|pls|thanks|thank you|today|asap|now|can|could|and)\b|$)"
_COMPANY_IN_REQUEST = (
    re.compile(r"\brenew\w*\s+(?:[\w-]+\s+){0,3}?for\s+(?:the\s+(?=[A-Z]))?" + _NAME + _NAME_END),
    re.compile(
        r"\b(?i:company|business|organi[sz]ation)(?:\s+(?i:name))?\s*(?i:is|:|-)\s*" + _NAME + _NAME_END
    ),
)
_NOT_A_COMPANY = re.compile(
    r"^(?:us|me|my|our|the|this|that|it|them|another|next|a|an|\d+\s*(?:years?|yrs?|users?|seats?|months?))\b"
    r"|\b(?:worry|apex|deep security|scanmail|interscan|portalprotect|trend micro|windows|mac|linux"
    r"|licen[cs]e|maintenance|year|users?)\b",
    re.IGNORECASE,
)


def company_named_in_request(text: Any) -> Optional[str]:
    """The company a renewal request names ("renewal for St Andrew's Uniting Church please"), or None."""
    for pattern in _COMPANY_IN_REQUEST:
        match = pattern.search(_clean(text) or "")
        name = match.group("name").strip(" .") if match else ""
        if name and not _NOT_A_COMPANY.search(name) and not looks_like_address(name):
            return validate_company_name(name).value
    return None


def _joined(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def validate_company_name(text: Any) -> FieldCheck[str]:
    name = _clean(text)
    if not name:
        return rejected("Please tell me the company's name, as it appears on the licence.")
    if len(name) > MAX_INPUT_LENGTH or len(name) > COMPANY_NAME_LENGTHS[1]:
        return rejected(
            f"That company name is longer than {COMPANY_NAME_LENGTHS[1]} characters. Please shorten it."
        )
    if _looks_like_email(name):
        return rejected("That looks like an email address. What's the company's name?")
    if not any(ch.isalnum() for ch in name):
        return rejected("Please type the company's name in letters or digits.")
    if len(name) < COMPANY_NAME_LENGTHS[0]:
        return rejected("That company name looks too short. Please type it in full.")
    return accepted(name)


_NAME_CHARACTER_RE = re.compile(r"[^\W\d_]|[ .'\u2019-]")


def validate_contact_name(text: Any) -> FieldCheck[str]:
    name = _clean(text)
    if not name:
        return rejected("Please tell me the name of the person the reseller should contact.")
    if len(name) > CONTACT_NAME_LENGTHS[1]:
        return rejected(f"That name is longer than {CONTACT_NAME_LENGTHS[1]} characters. Please shorten it.")
    if _looks_like_email(name):
        return rejected("That looks like an email address. What's the contact person's name?")
    if any(ch.isdigit() for ch in name):
        return rejected("A name shouldn't contain digits. Please type the contact person's name.")
    if not all(_NAME_CHARACTER_RE.fullmatch(ch) for ch in name):
        return rejected("Please use only letters, spaces, hyphens and apostrophes in the name.")
    if sum(ch.isalpha() for ch in name) < CONTACT_NAME_LENGTHS[0]:
        return rejected("That name looks too short. Please type the contact person's full name.")
    return accepted(name)


def validate_address(text: Any) -> FieldCheck[str]:
    address = _clean(text)
    if not address:
        return rejected("Please tell me the company's street address.")
    if len(address) > ADDRESS_LENGTHS[1]:
        return rejected(f"That address is longer than {ADDRESS_LENGTHS[1]} characters. Please shorten it.")
    if _looks_like_email(address):
        return rejected("That looks like an email address. What's the company's street address?")
    address = address.strip(" ,;")
    if not any(ch.isalpha() for ch in address):
        return rejected("Please include the street name and the suburb or town.")
    if len(address) < ADDRESS_LENGTHS[0]:
        return rejected(
            "That address looks too short. Please include the street, suburb or town, and postcode."
        )
    return accepted(address)


def validate_email(text: Any) -> FieldCheck[str]:
    """A syntactically valid address with a plausible domain; the domain is lower-cased."""
    raw = _clean(text)
    if not raw:
        return rejected("Please type the contact's email address, like name@company.com.au.")
    if len(raw) > MAX_INPUT_LENGTH:
        return rejected("That's too long to be an email address. Please type just the address.")
    found: dict[str, str] = {}
    for span in find_email_spans(raw):
        found.setdefault(span.value.casefold(), span.value)
    if len(found) > 1:
        return rejected(
            "I found more than one email address. Please type just the one the reseller should use."
        )
    if found:
        address = next(iter(found.values()))
        domain = address.rsplit("@", 1)[1]
        if _is_placeholder_domain(domain):
            return rejected(
                "That looks like an example address. Please give the real address the reseller should write "
                "to."
            )
        if len(address) > MAX_EMAIL_LENGTH:
            return rejected("That email address is too long. Please check it and type it again.")
        return accepted(address)
    return rejected(_email_problem(raw))


def _is_placeholder_domain(domain: str) -> bool:
    labels = domain.split(".")
    return labels[-1] in PLACEHOLDER_TLDS or ".".join(labels[-2:]) in PLACEHOLDER_DOMAINS


def _email_problem(raw: str) -> str:
    if "@" not in raw:
        return "That doesn't look like an email address: it needs an @, like name@company.com.au."
    if re.search(r"\s@|@\s", raw):
        return "Email addresses can't contain spaces. Please type it again without spaces."
    domain = raw.split("@", 1)[1].split(" ")[0].rstrip(".,;:!?)>")
    if "@" in domain:
        return "An email address has only one @. Please type just one address."
    if "." not in domain:
        return "The part after the @ should be a domain such as company.com.au."
    tld = domain.rsplit(".", 1)[1]
    if not re.fullmatch(r"[A-Za-z]{2,24}", tld):
        return "The address should end with a domain ending such as .com or .com.au."
    return "That email address doesn't look right. Please check it and type it again."


# Phone numbers as customers of each region write them, for questions and hints.
_PHONE_EXAMPLES = {"AU": ("02 9555 0101", "0412 345 678"), "NZ": ("09 555 0188", "021 555 0188")}


def phone_examples(region: Optional[str]) -> str:
    """ "02 9555 0101 or 0412 345 678" for Australia, New Zealand's for NZ, both when it is unknown."""
    if region in _PHONE_EXAMPLES:
        return " or ".join(_PHONE_EXAMPLES[region])
    return f"{phone_examples('AU')}, or in New Zealand {phone_examples('NZ')}"


def validate_phone(text: Any, default_region: str = "AU") -> FieldCheck[str]:
    """An Australian or New Zealand number in any common format, as E.164 ("+61295550101").

    A number without a country code is read in `default_region` first; the hints give its examples.
    """
    landline, mobile = _PHONE_EXAMPLES.get(default_region, _PHONE_EXAMPLES["AU"])
    raw = _clean(text)
    if not raw:
        return rejected(f"Please type a phone number, like {landline} or {mobile}.")
    numbers = list(dict.fromkeys(span.value for span in find_phone_spans(raw, default_region)))
    if len(numbers) > 1:
        return rejected(
            "I found more than one phone number. Please type just the one the reseller should call."
        )
    if numbers:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(numbers[0]))
        if region not in REGIONS:
            return rejected("Please give an Australian or New Zealand phone number.")
        return accepted(numbers[0])
    digits = sum(ch.isdigit() for ch in raw)
    if digits == 0:
        return rejected(
            f"That doesn't look like a phone number. Please include the area code, like {landline}, "
            f"or give a mobile number like {mobile}."
        )
    if digits < 8:
        return rejected(f"That number looks too short. Please include the area code, like {landline}.")
    if digits > 15:
        return rejected("That number looks too long. Please type just one phone number.")
    return rejected(
        "I couldn't recognise that as an Australian or New Zealand phone number. "
        "Please check it, including the area code."
    )


def phone_on_file(raw: str) -> str:
    """A licence record's phone number in the form the chat form stores (E.164). A record is kept as
    it was imported, even where the numbering plan would not allocate it."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(raw, "AU"), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return raw


def validate_user_count(text: Any, previous: Optional[int] = None) -> FieldCheck[int]:
    """A whole number of users from 1 to 100,000.

    With `previous` (the user count on the current licence), a smaller count
    is accepted with a notice saying it is a downsize, for the customer to confirm.
    """
    count: Optional[int]
    if isinstance(text, bool):
        count = None
    elif isinstance(text, int):
        count = text
        if count < 1:
            return rejected("The licence needs at least 1 user.")
    else:
        raw = _clean(text)
        if not raw:
            return rejected("Please tell me how many users the renewal should cover.")
        count = parse_positive_int(raw, max_value=10**9) or parse_user_count(raw)
        if count is None:
            return rejected(_user_count_problem(raw))
    if count is None:
        return rejected("Please give the number of users as a whole number, like 25.")
    if count > MAX_USER_COUNT:
        return rejected(
            f"That's more than {MAX_USER_COUNT:,} users. Please check the number; "
            "for larger deployments Technical Support will help you directly."
        )
    if previous is not None and count < previous:
        return accepted(
            count,
            notice=(
                f"That's {previous - count:,} fewer than the {previous:,} users on your current licence, "
                f"so the renewal would cover only {count:,}. {DOWNSIZE_RULE} Is that right?"
            ),
        )
    return accepted(count)


def _user_count_problem(raw: str) -> str:
    if re.fullmatch(r"-\s*[0-9][0-9,]*(\s*users?)?", raw, re.IGNORECASE):
        return "The number of users can't be negative."
    if re.fullmatch(r"0+(\s*users?)?", raw, re.IGNORECASE):
        return "The licence needs at least 1 user."
    if re.fullmatch(r"[0-9]*[.,][0-9]+(\s*users?)?", raw, re.IGNORECASE):
        return "Please give a whole number of users, like 25."
    return "I couldn't read a number of users there. Please give it as a number, like 25."


def validate_expiry(text: Any, clock: Clock, zone: ZoneInfo = SYDNEY) -> FieldCheck[date]:
    """The licence's expiry date, written day first ("29/10/2026", "29 October 2026", "next Friday").

    Past dates are fine (a lapsed licence); dates more than ten years from today are refused as typos.
    Today is the date in `zone`, the licence's time zone when it is known.
    """
    today = clock.today(zone)
    if isinstance(text, date):
        return _check_expiry_date(text, today)
    raw = _clean(text)
    if not raw:
        return rejected("Please tell me the licence's expiry date, like 29/10/2026.")
    expiry = parse_date(raw, today)
    if expiry is None:
        if any(span.value is None for span in find_date_spans(raw, today, include_invalid=True)):
            return rejected(
                "That date doesn't exist. Please check the day and the month (day first, like 29/10/2026)."
            )
        return rejected(
            "I couldn't read that as a date. Please write it day first, like 29/10/2026 or 29 October 2026."
        )
    if _DAY_AND_MONTH_ONLY.search(raw) and not _HAS_YEAR.search(raw):
        # "29 October": parse_date takes the next one, but an expiry is most often behind us.
        expiry = _nearest_expiry(expiry, today, past=bool(_PAST_EXPIRY.search(raw)))
        checked = _check_expiry_date(expiry, today)
        if checked.value is None:
            return checked
        return accepted(checked.value, notice=f"I've taken that as {format_date(expiry)}.")
    return _check_expiry_date(expiry, today)


# A day and a month name with no year: "29 October", "Oct 29".
_DAY_AND_MONTH_ONLY = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\s+\d{1,2}\b",
    re.IGNORECASE,
)
_HAS_YEAR = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
# "it expired on", "lapsed", "ran out", "finished": the date is behind us.
_PAST_EXPIRY = re.compile(r"\b(expired|lapsed|ran out|run out|finished|ended|was)\b", re.IGNORECASE)


def _nearest_expiry(parsed: date, today: date, past: bool) -> date:
    """The same day and month in the year that puts it nearest `today`, or the latest on or before
    `today` when the customer says it has already expired."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(parsed.replace(year=year))
        except ValueError:  # 29 February
            continue
    if past:
        behind = [day for day in candidates if day <= today]
        if behind:
            return max(behind)
    return min(candidates, key=lambda day: abs((day - today).days))


def _check_expiry_date(expiry: Any, today: date) -> FieldCheck[date]:
    if not isinstance(expiry, date):
        return rejected("Please tell me the licence's expiry date, like 29/10/2026.")
    if expiry < today - EXPIRY_WINDOW:
        return rejected("That's more than ten years ago. Please check the expiry date on your licence.")
    if expiry > today + EXPIRY_WINDOW:
        return rejected("That's more than ten years away. Please check the expiry date on your licence.")
    return accepted(expiry)


# --------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------

MATCH_THRESHOLD = 0.6  # below this, nothing plausible was named
AMBIGUITY_MARGIN = 0.05  # the best must beat the next product by this much
_FUZZY_TOKEN_RATIO = 0.8
_UNKNOWN_TOKEN_WEIGHT = 0.5  # words no product uses count against a match, but less

_NUMBER_WORDS = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
    "10": "ten",
}
_STOPWORDS = frozenset(
    """a an and the for on of in with to my our we i it its is are am using use uses run runs running
    version edition licence license licences licenses renew renewal renewing please need want would like
    trend micro trendmicro product subscription software""".split()
)
# Other words customers use for the price list's platforms.
_PLATFORM_ALIASES = {
    "windows": {"windows", "win", "pc", "pcs"},
    "mac": {"mac", "macs", "macos", "osx", "macintosh", "apple", "macbook", "macbooks"},
    "linux": {"linux", "unix", "ubuntu", "redhat", "rhel", "debian"},
    "cloud": {"cloud", "hosted", "saas"},
    "microsoft exchange": {"exchange"},
}


@dataclass(frozen=True)
class ProductMatch:
    product_code: str
    platform: Optional[str]  # None when the text named no platform of this product (or several)
    score: float  # 0..1; 1 when the product was named exactly
    exact: bool  # False: confirm with the customer ("Did you mean ...?")


def _tokens(text: str) -> list[str]:
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())
    return [_NUMBER_WORDS.get(word, word) for word in words]


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 3 and longer.startswith(shorter):
        return 0.9  # "adv" for "advanced", "sec" for "security"
    if len(shorter) < 4:
        return 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    return ratio if ratio >= _FUZZY_TOKEN_RATIO else 0.0


def _best(token: str, vocabulary) -> float:
    return max((_similarity(token, word) for word in vocabulary), default=0.0)


def _platform_words(platform: str) -> set[str]:
    return _PLATFORM_ALIASES.get(platform.casefold(), set(_tokens(platform)) - {"microsoft"})


def rank_products(text: Any, price_list: PriceList) -> list[ProductMatch]:
    """Every product the text might name, best first (score above zero)."""
    raw = _clean(text)
    if not raw or len(raw) > MAX_INPUT_LENGTH:
        return []
    products = list(price_list.products.values())
    vocabularies = {p.code: _vocabulary(p) for p in products}
    known = set().union(*vocabularies.values())
    for product in products:
        for platform in product.platforms:
            known |= _platform_words(platform)
    query = [t for t in _joined_compounds(_tokens(raw), known) if t not in _STOPWORDS]
    if not query:
        return []
    # A word many products share ("security") says little about which one is meant.
    distinctiveness = {
        token: 1 - (max(1, sum(_best(token, v) > 0 for v in vocabularies.values())) - 1) / len(products)
        for token in query
    }
    context = _Query(query, known - _STOPWORDS, distinctiveness)
    matches = [_score(product, vocabularies[product.code], context) for product in products]
    return sorted((m for m in matches if m.score > 0), key=lambda m: (-m.score, m.product_code))


@dataclass(frozen=True)
class _Query:
    tokens: list[str]
    known: set[str]  # every word some product or platform uses
    distinctiveness: dict[str, float]  # 1 when only one product uses the word


def _vocabulary(product: Product) -> set[str]:
    return {t for t in _tokens(product.name) + _tokens(product.code) if t not in _STOPWORDS}


def _joined_compounds(tokens: list[str], known: set[str]) -> list[str]:
    """ "portal protect" -> "portalprotect" when the price list writes it as one word."""
    joined: list[str] = []
    index = 0
    while index < len(tokens):
        if index + 1 < len(tokens) and tokens[index] + tokens[index + 1] in known:
            joined.append(tokens[index] + tokens[index + 1])
            index += 2
        else:
            joined.append(tokens[index])
            index += 1
    return joined


def _score(product: Product, vocabulary: set[str], query: _Query) -> ProductMatch:
    name = [t for t in _tokens(product.name) if t not in _STOPWORDS]
    code = _tokens(product.code)
    mentioned = []
    platform_tokens = set()
    for platform in product.platforms:
        words = _platform_words(platform)
        hits = {q for q in query.tokens if q not in vocabulary and _best(q, words) >= 0.85}
        if hits:
            mentioned.append(platform)
            platform_tokens |= hits
    scoring = [q for q in query.tokens if q not in platform_tokens]
    if not scoring:
        return ProductMatch(product.code, None, 0.0, False)
    total = weight = 0.0
    for token in scoring:
        similarity = _best(token, vocabulary)
        token_weight = 1.0 if _best(token, query.known) > 0 else _UNKNOWN_TOKEN_WEIGHT
        total += similarity * token_weight
        weight += token_weight
    precision = total / weight
    if precision == 0:
        return ProductMatch(product.code, None, 0.0, False)
    coverage = max(
        sum(_best(word, scoring) > 0 for word in tokens) / len(tokens) for tokens in (name, code) if tokens
    )
    joined = " ".join(scoring)
    resemblance = max(
        SequenceMatcher(None, joined, " ".join(tokens)).ratio() for tokens in (name, code) if tokens
    )
    distinctiveness = max(query.distinctiveness[t] for t in scoring if _best(t, vocabulary) > 0)
    score = (0.6 * precision + 0.25 * coverage + 0.15 * resemblance) * distinctiveness
    exact = precision == 1.0 and coverage == 1.0 and all(_best(t, vocabulary) == 1.0 for t in scoring)
    named_platform = mentioned[0] if len(mentioned) == 1 else None
    return ProductMatch(product.code, named_platform, round(score, 3), exact)


def match_product(text: Any, price_list: PriceList) -> Optional[ProductMatch]:
    """The product (and platform, if named) the customer most plausibly means, or None.

    Tolerates typos, missing words and codes: "worry free advanced", "apex 1",
    "deep securty on linux", "WFBS-ADV". None when nothing plausible matches or
    when two products match about equally well ("worry free": which one?);
    `rank_products` then gives the candidates to offer. Confirm a match that is
    not `exact` with the customer.
    """
    ranked = rank_products(text, price_list)
    if not ranked or ranked[0].score < MATCH_THRESHOLD:
        return None
    if len(ranked) > 1 and ranked[0].score - ranked[1].score < AMBIGUITY_MARGIN:
        return None
    return ranked[0]


# Words a customer uses for each checklist item ("change the phone number"), keyed by the
# chat form's item names; the first item whose words appear wins.
_ITEM_WORDS = (
    ("contact_email", r"e-?mail"),
    ("phone", r"phone|mobile|number to call|telephone|\bcall\b"),
    ("company_name", r"company|business|organi[sz]ation"),
    ("contact_name", r"contact|person|\bname\b"),
    ("address", r"address|street|postcode|suburb"),
    ("product", r"product|worry|apex|deep security|scanmail|imsva|portal"),
    ("platform", r"platform|windows|mac|linux|exchange|cloud"),
    ("renewal_user_count", r"users?|seats?|licences? count|user count|how many"),
    ("licence_expiry", r"expir|date"),
)
_STATED_VALUE_RE = re.compile(
    r"(?:\b(?:should (?:be|say|read)|is (?:now|actually|really)|is|are|to|it's|its)|=|:)"
    r"\s+(?=(?P<value>\S.*)$)",
    re.IGNORECASE,
)
# "the phone is wrong" names an item and a problem, not a new value.
_PROBLEM_RE = re.compile(
    r"(?:wrong|incorrect|not right|out of date|old|misspelt|misspelled|a typo)\b", re.IGNORECASE
)


def item_named(text: Any) -> Optional[str]:
    """The chat form's item that `text` talks about ("the phone is wrong": "phone"), or None."""
    lowered = str(text or "").lower()
    for item, pattern in _ITEM_WORDS:
        if re.search(pattern, lowered):
            return item
    return None


def stated_value(text: Any, item: str) -> Optional[str]:
    """The new value for `item` in a correction ("change the company name to Acme Pty Ltd":
    "Acme Pty Ltd"), or None when it gives none ("the phone number is wrong")."""
    text = str(text or "").strip()
    named = re.search(dict(_ITEM_WORDS)[item], text, re.IGNORECASE)
    after = text[named.end() :] if named else text
    for match in _STATED_VALUE_RE.finditer(after):
        value = match.group("value").strip().rstrip(".!").strip()
        if value and not _PROBLEM_RE.match(value):
            return value
    return None


def display_phone(e164: str) -> str:
    """A checked phone number as people write it in its country: "+61412555987" is "0412 555 987"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
