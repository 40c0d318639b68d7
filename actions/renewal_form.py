"""The renewal checklist form: pre-fill from a known licence, validate each answer,
summarise, and open a support case on confirmation."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import call
from actions.topics import buttons
from renewals import checklist as checks
from renewals.codes import find_activation_code
from renewals.formatting import format_date
from renewals.parsing import strip_lead_in

# Checklist items in the order the form asks them, with how the summary names them.
FIELDS: Dict[str, str] = {
    "company_name": "Company name",
    "address": "Address",
    "phone": "Telephone number",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "product": "Product",
    "platform": "Platform",
    "renewal_user_count": "Users",
    "licence_expiry": "Licence expiry date",
}
FORM_SLOTS = list(FIELDS) + ["renewal_confirmed"]
MAX_FAILURES = 3

WHY_NEEDED: Dict[str, str] = {
    "company_name": "Your reseller needs the company name to find the licence and issue the renewal in the right name.",
    "address": "The address goes on the renewed licence and the invoice, and helps the reseller confirm it's your licence.",
    "phone": "Your reseller may need to call to confirm the renewal or the price. It's only shared with them and the support team.",
    "contact_name": "So your reseller knows who to talk to about the renewal.",
    "contact_email": "The updated licence certificate is emailed there once the renewal is done.",
    "product": "The price and the licence depend on the exact product.",
    "platform": "Products are licensed per platform, so the reseller needs it to renew the right one.",
    "renewal_user_count": "Maintenance is priced per user; renewing fewer users than before is a downsize the reseller must receive in writing.",
    "licence_expiry": "Maintenance must be continuous, so the expiry date decides whether a lapsed period has to be paid too.",
}
# Words a customer uses for each item ("change the phone number").
FIELD_WORDS = [
    ("contact_email", r"e-?mail"),
    ("phone", r"phone|mobile|number to call|telephone|\bcall\b"),
    ("company_name", r"company|business|organi[sz]ation"),
    ("contact_name", r"contact|person|\bname\b"),
    ("address", r"address|street|postcode|suburb"),
    ("product", r"product|worry|apex|deep security|scanmail|imsva|portal"),
    ("platform", r"platform|windows|mac|linux|exchange|cloud"),
    ("renewal_user_count", r"users?|seats?|licences? count|how many"),
    ("licence_expiry", r"expir|date"),
]


def field_named(text: str) -> Optional[str]:
    lowered = (text or "").lower()
    for slot, pattern in FIELD_WORDS:
        if re.search(pattern, lowered):
            return slot
    return None


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def _mask_phone(phone: str) -> str:
    return f"…{phone[-3:]}"


def _mask_name(name: str) -> str:
    return " ".join(f"{part[:1]}." for part in name.split())


def _mask_address(address: str) -> str:
    return "…, " + address.rsplit(",", 1)[-1].strip() if "," in address else "…"


# What the summary shows of a value that came from the licence on file rather than
# from this chat: whoever knows an Activation Code must not learn the contact details.
MASKS = {"contact_email": _mask_email, "phone": _mask_phone, "contact_name": _mask_name, "address": _mask_address}


async def _licence(tracker: Tracker):
    code = tracker.get_slot("renewal_licence_code")
    return await call(lambda service: service.find_licence(code)) if code else None


class ActionStartRenewal(Action):
    def name(self) -> Text:
        return "action_start_renewal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SlotSet("renewal_confirmed", None), SlotSet("offer", None)]
        code = find_activation_code(tracker.latest_message.get("text") or "") or tracker.get_slot("activation_code")
        licence = await call(lambda service: service.find_licence(code)) if code else None
        if licence is None:
            dispatcher.utter_message(
                text="I'll collect the eight details your reseller needs to renew, then open a case so you don't "
                "have to type them again. You can ask a question or say stop at any time."
            )
            return events
        quoted_users = tracker.get_slot("user_count")
        users = int(quoted_users) if quoted_users and tracker.get_slot("quoted_code") == licence.activation_code else licence.users
        on_file = {
            "company_name": licence.company,
            "address": licence.address,
            "phone": licence.phone,
            "contact_name": licence.contact_name,
            "contact_email": licence.contact_email,
            "product": licence.product_code,
            "platform": licence.platform,
            "renewal_user_count": float(min(users, licence.users)),
            "licence_expiry": licence.expiry_date.isoformat(),
        }
        dispatcher.utter_message(
            text="I've filled in the renewal details we have on file for that licence. Please check them."
        )
        events.append(SlotSet("renewal_licence_code", licence.activation_code))
        events += [SlotSet(slot, value) for slot, value in on_file.items() if not tracker.get_slot(slot)]
        return events


class ValidateRenewalForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_renewal_form"

    def _failures(self, tracker: Tracker) -> Dict[str, int]:
        return dict(tracker.get_slot("form_failures") or {})

    def _accept(self, tracker: Tracker, slot: str, value: Any, **more: Any) -> Dict[Text, Any]:
        failures = self._failures(tracker)
        failures.pop(slot, None)
        return {slot: value, "form_failures": failures, **more}

    def _reject(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, reason: str) -> Dict[Text, Any]:
        failures = self._failures(tracker)
        failures[slot] = failures.get(slot, 0) + 1
        if failures[slot] >= MAX_FAILURES:
            dispatcher.utter_message(
                text=f"{reason}\n\nThat's the third try for the {FIELDS[slot].lower()}, so rather than keep asking: "
                "would you like a person from the support team to help? The other details you've given are kept.",
                buttons=buttons("human_handoff"),
            )
            # Setting requested_slot to None ends the form without a case.
            return {slot: None, "form_failures": failures, "requested_slot": None, "offer": "handoff"}
        dispatcher.utter_message(text=reason)
        return {slot: None, "form_failures": failures}

    def _check(self, dispatcher, tracker, slot: str, result: checks.FieldCheck, shown=lambda v: v) -> Dict[Text, Any]:
        if not result.ok:
            return self._reject(dispatcher, tracker, slot, result.reason)
        if result.notice:
            dispatcher.utter_message(text=result.notice)
        return self._accept(tracker, slot, shown(result.value))

    async def validate_company_name(self, value, dispatcher, tracker, domain):
        return self._check(dispatcher, tracker, "company_name", checks.validate_company_name(strip_lead_in(value)))

    async def validate_address(self, value, dispatcher, tracker, domain):
        return self._check(dispatcher, tracker, "address", checks.validate_address(strip_lead_in(value)))

    async def validate_phone(self, value, dispatcher, tracker, domain):
        return self._check(dispatcher, tracker, "phone", checks.validate_phone(value))

    async def validate_contact_name(self, value, dispatcher, tracker, domain):
        return self._check(dispatcher, tracker, "contact_name", checks.validate_contact_name(strip_lead_in(value)))

    async def validate_contact_email(self, value, dispatcher, tracker, domain):
        return self._check(dispatcher, tracker, "contact_email", checks.validate_email(value))

    async def validate_product(self, value, dispatcher, tracker, domain):
        match = await call(lambda service: service.match_product(value))
        if match is None:
            candidates = await call(lambda service: service.product_candidates(value))
            names = [await call(lambda service, c=c: service.product(c.product_code).name) for c in candidates]
            hint = f" Did you mean {' or '.join(names)}?" if names else ""
            return self._reject(
                dispatcher, tracker, "product",
                f"I couldn't match that to one of our products.{hint} Please type the product name, "
                "for example Worry-Free Business Security Advanced or Apex One.",
            )
        product = await call(lambda service: service.product(match.product_code))
        if not match.exact:
            dispatcher.utter_message(text=f"I've taken that as {product.name}. If that's not right, say \"change the product\".")
        platform = match.platform or (product.platforms[0] if len(product.platforms) == 1 else None)
        more = {"platform": platform} if platform else {}
        if tracker.get_slot("platform") and tracker.get_slot("platform") not in product.platforms:
            more.setdefault("platform", None)
        return self._accept(tracker, "product", product.code, **more)

    async def validate_platform(self, value, dispatcher, tracker, domain):
        product_code = tracker.get_slot("product")
        product = await call(lambda service: service.product(product_code)) if product_code else None
        platforms = product.platforms if product else []
        wanted = str(value or "").strip().lower()
        for platform in platforms:
            if platform.lower() in wanted or wanted in platform.lower() and len(wanted) >= 3:
                return self._accept(tracker, "platform", platform)
        return self._reject(
            dispatcher, tracker, "platform",
            f"{product.name if product else 'That product'} is available on {', '.join(platforms)}. Which one is it?",
        )

    async def validate_renewal_user_count(self, value, dispatcher, tracker, domain):
        licence = await _licence(tracker)
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        result = checks.validate_user_count(number, previous=licence.users if licence else None)
        if result.ok and result.notice:
            result = checks.FieldCheck(
                value=result.value,
                notice=result.notice + " A downsize must be confirmed to your reseller in writing, and a later "
                "increase would need an additional user purchase.",
            )
        return self._check(dispatcher, tracker, "renewal_user_count", result, shown=float)

    async def validate_licence_expiry(self, value, dispatcher, tracker, domain):
        result = await call(lambda service: service.validate_expiry(value))
        return self._check(dispatcher, tracker, "licence_expiry", result, shown=lambda d: d.isoformat())

    async def validate_renewal_confirmed(self, value, dispatcher, tracker, domain):
        if value == "yes":
            return {"renewal_confirmed": "yes"}
        slot = field_named(tracker.latest_message.get("text") or "")
        if slot is None:
            dispatcher.utter_message(
                text="Which detail would you like to change?",
                buttons=[{"title": label, "payload": f"change the {label.lower()}"} for label in FIELDS.values()],
            )
            return {"renewal_confirmed": None}
        cleared = {slot: None, "renewal_confirmed": None}
        if slot == "product":
            cleared["platform"] = None
        return cleared


QUESTIONS: Dict[str, str] = {
    "company_name": "What's the company name on the licence?",
    "address": "What's the company's address?",
    "phone": "What phone number should the reseller call? (for example 02 9555 0101 or 0412 345 678)",
    "contact_name": "Who is the contact person for this renewal?",
    "contact_email": "What's the contact's email address? The updated licence certificate will be sent there.",
    "product": "Which product is it, including the platform? (for example Worry-Free Business Security Advanced on Windows)",
    "renewal_user_count": "How many users should the renewal cover?",
    "licence_expiry": "When does the current licence expire? (day first, for example 29/10/2026)",
}


def _question_action(slot: str, question: str) -> type:
    """`action_ask_<slot>`: the form's question for one checklist item."""

    class AskForItem(Action):
        def name(self) -> Text:
            return f"action_ask_{slot}"

        async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
            dispatcher.utter_message(text=question)
            return []

    AskForItem.__name__ = f"ActionAsk_{slot}"
    return AskForItem


QUESTION_ACTIONS = [_question_action(slot, question) for slot, question in QUESTIONS.items()]


class ActionAskPlatform(Action):
    def name(self) -> Text:
        return "action_ask_platform"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        product_code = tracker.get_slot("product")
        product = await call(lambda service: service.product(product_code))
        dispatcher.utter_message(
            text=f"Which platform is your {product.name} on?",
            buttons=[{"title": p, "payload": p} for p in product.platforms],
        )
        return []


class ActionAskRenewalConfirmed(Action):
    """The summary of all eight items, with Confirm / Change."""

    def name(self) -> Text:
        return "action_ask_renewal_confirmed"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        licence = await _licence(tracker)
        # Compared as the form stores them (E.164 phone, lower-case email domain).
        on_file = {
            "address": checks.validate_address(licence.address).value,
            "phone": checks.validate_phone(licence.phone).value,
            "contact_name": checks.validate_contact_name(licence.contact_name).value,
            "contact_email": checks.validate_email(licence.contact_email).value,
        } if licence else {}
        product = await call(lambda service: service.product(tracker.get_slot("product")))
        lines = []
        for slot, label in FIELDS.items():
            value = tracker.get_slot(slot)
            if slot == "platform":
                continue
            if slot == "product":
                value = f"{product.name} ({tracker.get_slot('platform')})"
            elif slot == "renewal_user_count":
                value = f"{int(value)}"
                if licence and int(tracker.get_slot(slot)) < licence.users:
                    value += f" (a downsize from {licence.users}: confirm it to your reseller in writing)"
            elif slot == "licence_expiry":
                value = format_date(date.fromisoformat(value))
            elif slot in on_file and value == on_file[slot]:
                value = f"{MASKS[slot](value)} (on file)"
            lines.append(f"- {label}: {value}")
        dispatcher.utter_message(
            text="Here's what I'll send:\n" + "\n".join(lines) + "\n\nIs everything correct?",
            buttons=[
                {"title": "Confirm", "payload": "Confirm, those details are correct"},
                {"title": "Change something", "payload": "I need to change something"},
            ],
        )
        return []


class ActionSubmitRenewal(Action):
    def name(self) -> Text:
        return "action_submit_renewal"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        if tracker.get_slot("renewal_confirmed") != "yes":
            return []  # the form ended without confirmation (e.g. after three failed answers)
        licence = await _licence(tracker)
        checklist = checks.RenewalChecklist(
            company_name=tracker.get_slot("company_name"),
            address=tracker.get_slot("address"),
            phone=tracker.get_slot("phone"),
            contact_name=tracker.get_slot("contact_name"),
            contact_email=tracker.get_slot("contact_email"),
            product_code=tracker.get_slot("product"),
            platform=tracker.get_slot("platform"),
            user_count=int(tracker.get_slot("renewal_user_count")),
            licence_expiry=date.fromisoformat(tracker.get_slot("licence_expiry")),
        )
        channel = (tracker.get_latest_input_channel() or "unknown")
        case = await call(
            lambda service: service.open_renewal_case(checklist, tracker.sender_id, channel, licence=licence)
        )
        who = "Trend Micro Technical Support"
        if case.reseller_id:
            who = await call(lambda service: service.reseller_name(case.reseller_id)) or "Your reseller"
        dispatcher.utter_message(
            text=f"Done: your renewal case is {case.reference}. {who} will contact {checklist.contact_name} "
            f"about the renewal, and once it's processed the updated licence certificate will be emailed to "
            f"{checklist.contact_email}. Quote {case.reference} if you get in touch about it."
        )
        return [SlotSet("case_reference", case.reference), SlotSet("renewal_confirmed", None)]


class ActionCancelRenewal(Action):
    def name(self) -> Text:
        return "action_cancel_renewal"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text="OK, I've stopped the renewal request and discarded the details. Anything else I can help with?")
        return [SlotSet(slot, None) for slot in FORM_SLOTS] + [
            SlotSet("renewal_licence_code", None), SlotSet("form_failures", None),
            SlotSet("requested_slot", None), ActiveLoop(None),
        ]


class ActionExplainField(Action):
    def name(self) -> Text:
        return "action_explain_field"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        slot = field_named(tracker.latest_message.get("text") or "") or tracker.get_slot("requested_slot")
        if slot in WHY_NEEDED:
            dispatcher.utter_message(text=WHY_NEEDED[slot] + " Your details are only used for this renewal.")
        else:
            dispatcher.utter_message(
                text="Your reseller needs the eight checklist details to find your licence, price the renewal and "
                "send you the updated certificate. They're only used for this renewal."
            )
        return []
