"""The renewal checklist form: pre-fill from a known licence, validate each answer,
summarise, and open a support case on confirmation."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import reseller_replies
from actions.backend import call
from actions.checklist_slots import gathered_checklist, slot_values
from actions.conversation import (
    HANDOFF,
    MIN_QUOTE_RUNNER_UP,
    PRICE_WORDS,
    QUOTE_INTENTS,
    acted_this_turn,
    faq_selection,
    guesses,
    latest_intent,
    latest_text,
    open_question,
    value_before_latest_message,
)
from actions.handoff import hand_over
from actions.licences import QUOTE, LicenceConversation
from actions.sender import acting_reseller
from actions.topics import buttons
from renewals import checklist as checks
from renewals import on_file as on_file_checklist
from renewals.answers import opening_yes_or_no, yes_or_no
from renewals.codes import find_activation_code
from renewals.formatting import format_date
from renewals.licences import Licence
from renewals.parsing import strip_lead_in, text_beside
from renewals.regions import region_of_address
from renewals.reseller_access import NotYourCustomer

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
log = logging.getLogger(__name__)

CASE_NOT_OPENED = (
    "Sorry, something went wrong on our side and I couldn't open your renewal case just now. Nothing was "
    "sent, and the details you gave are kept in this chat. Would you like a person from the support team "
    "to take it from here?"
)
# Items answered in the customer's own words, with little to check: any reply can be one.
FREE_TEXT_ITEMS = ("company_name", "address", "contact_name")
# A reply that asks rather than answers: "does this apply in nz?", "what do you need all that for".
# (Four words at least after a question word: "Will Smith" is a name.)
LOOKS_LIKE_A_QUESTION = re.compile(
    r"\?\s*$|^(what|why|how|does|do|is|are|can|could|when|who|which|will|should)\b(\s+\S+){3,}", re.IGNORECASE
)
# "I need to change something", "one of them is wrong".
WANTS_A_CHANGE = re.compile(r"\b(chang\w*|edit|fix|wrong|update|incorrect|mistake)\b", re.IGNORECASE)
# `correcting` while the customer picks which item to change.
PICK = "?"
# How the form ended (`renewal_confirmed`): confirmed, or left early for a person.
CONFIRMED, HANDED_OVER = "yes", "handoff"

WHY_NEEDED: Dict[str, str] = {
    "company_name": "Your reseller needs the company name to find the licence and issue the renewal in the "
    "right name.",
    "address": "The address goes on the renewed licence and the invoice, and helps the reseller confirm "
    "it's your licence.",
    "phone": "Your reseller may need to call to confirm the renewal or the price. It's only shared with "
    "them and the support team.",
    "contact_name": "So your reseller knows who to talk to about the renewal.",
    "contact_email": "The updated licence certificate is emailed there once the renewal is done.",
    "product": "The price and the licence depend on the exact product.",
    "platform": "Products are licensed per platform, so the reseller needs it to renew the right one.",
    "renewal_user_count": f"Maintenance is priced per user. {checks.DOWNSIZE_RULE}",
    "licence_expiry": "Maintenance must be continuous, so the expiry date decides whether a lapsed period "
    "has to be paid too.",
}


async def _licence(tracker: Tracker):
    code = tracker.get_slot("renewal_licence_code")
    return await call(lambda service: service.find_licence(code)) if code else None


class ActionStartRenewal(Action):
    def name(self) -> Text:
        return "action_start_renewal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SlotSet("renewal_confirmed", None), SlotSet("offer", None)]
        code = find_activation_code(tracker.latest_message.get("text") or "") or tracker.get_slot(
            "activation_code"
        )
        _, reseller = await acting_reseller(tracker)
        licence: Optional[Licence]
        try:
            if reseller is not None and code:
                # In Slack a reseller renews their own customers only: another's gets the same refusal as
                # a look-up, and no checklist (a summary would show that customer's details).
                reseller_id = reseller.reseller_id
                licence = await call(lambda service: service.reseller_licence(reseller_id, code))
            else:
                licence = await call(lambda service: service.find_licence(code)) if code else None
        except NotYourCustomer:
            assert reseller is not None  # only a reseller's look-up refuses
            dispatcher.utter_message(text=reseller_replies.not_your_customer(reseller))
            return events + [SlotSet("activation_code", None), FollowupAction("action_listen")]
        except Exception as error:  # the database is unavailable: collect the details from scratch
            log.error("Could not read the licence for a renewal: %s", type(error).__name__)
            licence = None
        if licence is None:
            intro = (
                f"I'll collect the {len(FIELDS)} details your reseller needs to renew, then open a case "
                "so you don't have to type them again. You can ask a question or say stop at any time."
            )
            company = checks.company_named_in_request(tracker.latest_message.get("text"))
            if company and not tracker.get_slot("company_name"):
                # "lodge a renewal for Waratah Civil Pty Ltd please": the first item is answered already.
                intro += f" I've noted the company name: {company}."
                events.append(SlotSet("company_name", company))
            dispatcher.utter_message(text=intro)
            return events
        quoted = tracker.get_slot("user_count")
        quoted_users = (
            int(quoted) if quoted and tracker.get_slot("quoted_code") == licence.activation_code else None
        )
        on_file = slot_values(on_file_checklist.prefilled(licence, quoted_users))
        dispatcher.utter_message(
            text="I've filled in the renewal details we have on file for that licence. Please check them."
        )
        events.append(SlotSet("renewal_licence_code", licence.activation_code))
        events += [SlotSet(slot, value) for slot, value in on_file.items() if not tracker.get_slot(slot)]
        return events


def _shown(slot: str, value: Any) -> str:
    """A checked value as the customer reads it back."""
    if slot == "phone":
        return checks.display_phone(value)
    if slot == "renewal_user_count":
        return str(int(value))
    if slot == "licence_expiry":
        return format_date(date.fromisoformat(value))
    return str(value)


# "need to lodge a renewal, no code handy", "I want to renew that one too": asks for the renewal to be done,
# whatever else the NLU saw in it. "how do I lodge a renewal" asks how renewing works instead.
LODGES_A_RENEWAL = re.compile(
    r"^(?!\s*(how|where|who|what|when|why|do|does|did|is|are|should|will|would|must)\b)(?!.*\?\s*$).*("
    r"\b(lodge|start|submit|begin|put\s+through|kick\s+off)\b(\s+\w+){0,3}\s+(renew\w*|re-new\w*)\b"
    r"|\b(want|wanna|need|like|keen|ready)\s+(to\s+)?renew\b"
    r"|\b(please|pls|plz)\s+renew\b|\brenew\s+(it|that|this|them|us|ours)\b(\s+\w+)?\s+(please|pls|plz|now|too)\b"
    # "get the renewal sorted now while I'm thinking about it, please lodge it for us"
    r"|\b(renew\w*|re-new\w*)\b.*\b(lodge|submit|put\s+through|process)\s+(it|that|this|one)\b)",
    re.IGNORECASE,
)


def asks_the_price(tracker: Tracker) -> bool:
    """A price question, even one the NLU was unsure of: "before I confirm, whats the total going to be?"."""
    if latest_intent(tracker) in QUOTE_INTENTS:
        return True
    return bool(PRICE_WORDS.search(latest_text(tracker))) and any(
        name in QUOTE_INTENTS and confidence >= MIN_QUOTE_RUNNER_UP
        for name, confidence in guesses(tracker)[:3]
    )


BACK_TO_THE_SUMMARY = "Back to your renewal: is everything in the summary correct?"


async def start_renewal(dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
    """Start the checklist for a request the rules did not route here (an unsure or a reseller's intent)."""
    started = await ActionStartRenewal().run(dispatcher, tracker, domain)
    return started + [FollowupAction("renewal_form")]


class ValidateRenewalForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_renewal_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        # The item the customer asked to change is asked next, whatever the order.
        correcting = tracker.get_slot("correcting")
        if correcting in domain_slots:
            return [correcting] + [slot for slot in domain_slots if slot != correcting]
        return domain_slots

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        requested = tracker.get_slot("requested_slot")
        off_topic = latest_intent(tracker) == "out_of_scope"
        if requested not in tracker.slots_to_validate():
            # Nothing was taken from the message: its intent kept it out of every item's mapping.
            off_topic = off_topic and not tracker.slots_to_validate()
            if requested in FIELDS and off_topic and checks.attempts_item(requested, latest_text(tracker)):
                # "becATcoastlinerealty.com.au": a failed email, not an off-topic question.
                validated = await getattr(self, f"validate_{requested}")(
                    latest_text(tracker), dispatcher, tracker, domain
                )
                return [SlotSet(name, value) for name, value in validated.items()] + [
                    SlotSet("requested_slot", requested)
                ]
            if requested in FIELDS and off_topic and not acted_this_turn(tracker, "utter_out_of_scope"):
                dispatcher.utter_message(response="utter_out_of_scope")  # then the item is asked again
            # The form resumes after a digression (an FAQ answer, a correction): ask afresh.
            if tracker.get_slot("correcting") == PICK:
                tracker.slots["correcting"] = None
                return [SlotSet("correcting", None)] + await super().run(dispatcher, tracker, domain)
            return await super().run(dispatcher, tracker, domain)
        if (
            requested in FREE_TEXT_ITEMS
            and off_topic
            and not checks.attempts_item(requested, latest_text(tracker))
        ):
            # "whats the weather doing in brissy this arvo" while the address is asked is not an address.
            dispatcher.utter_message(response="utter_out_of_scope")
            return [SlotSet(requested, None), SlotSet("requested_slot", requested)]
        answered = self._answer_to_open_question(dispatcher, tracker, requested)
        if answered is None:
            answered = await self._correction_of_another_item(dispatcher, tracker, domain, requested)
        if answered is None:
            answered = self._question_for_an_answer(dispatcher, tracker, requested)
        if answered is not None:
            return answered
        return await super().run(dispatcher, tracker, domain)

    def _answer_to_open_question(
        self, dispatcher, tracker: Tracker, requested: str
    ) -> Optional[List[Dict[Text, Any]]]:
        """Events for a reply that answers what the assistant asked instead of the checklist
        question (a yes or no, or the item to change), or None for an ordinary answer."""
        text = latest_text(tracker)
        # The requested item was filled with this reply's text; it is not its value.
        keep_asking = [SlotSet(requested, None), SlotSet("requested_slot", requested)]
        if tracker.get_slot("correcting") == PICK:
            return self._picked_item(dispatcher, tracker, requested)
        if tracker.latest_message.get("entities"):
            return None  # "yeah nah, it's 03 555 0142" gives a value: an answer, not a no
        question = open_question(tracker)
        answer = (
            opening_yes_or_no(text) if question == HANDOFF and len(text.split()) <= 4 else yes_or_no(text)
        )
        if answer is None and question == HANDOFF and latest_intent(tracker) in ("affirm", "deny"):
            answer = latest_intent(tracker) == "affirm"  # "yes please, get me someone"
        if answer is None:
            return None
        if question == HANDOFF:
            if answer:
                return [
                    SlotSet("renewal_confirmed", HANDED_OVER),
                    SlotSet("requested_slot", None),
                    SlotSet("offer", None),
                ]
            dispatcher.utter_message(text="No problem, let's carry on.")
            return keep_asking + [SlotSet("offer", None)]
        if requested == "renewal_confirmed":
            return None  # a yes or no to the summary: validate_renewal_confirmed reads it
        dispatcher.utter_message(
            text=f"I need the {FIELDS[requested].lower()} here. If you'd rather not go on, say stop."
        )
        return keep_asking

    def _question_for_an_answer(self, dispatcher, tracker: Tracker, requested: str):
        """ "does this apply in nz?" while the address is asked: a question, not an answer. It is answered
        when the FAQ topic is clear, and the item asked again; it never counts as a failed answer."""
        text = latest_text(tracker).strip()
        if requested not in FIELDS or not LOOKS_LIKE_A_QUESTION.search(text):
            return None
        selection = faq_selection(tracker)
        if selection.get("confidence", 0.0) >= 0.5 and selection.get("intent_response_key"):
            dispatcher.utter_message(response=f"utter_{selection['intent_response_key']}")
        else:
            dispatcher.utter_message(
                text="Sorry, I didn't catch that question. You can ask it again after this one."
            )
        return [SlotSet(requested, None), SlotSet("requested_slot", requested)]

    async def _correction_of_another_item(self, dispatcher, tracker, domain, requested: str):
        """ "actually the address is 7 Thames St, Oamaru 9400" while the contact name is asked: the
        address is changed (checked and said back) and the contact name asked again."""
        text = latest_text(tracker)
        item = checks.item_named(text)
        if (
            item in (None, requested)
            or requested == "renewal_confirmed"
            or tracker.get_slot(requested) != text
        ):
            return None
        value = checks.stated_value(text, item)
        if value is None:
            return None
        tracker.slots[requested] = None
        validated = await getattr(self, f"validate_{item}")(value, dispatcher, tracker, domain)
        return [SlotSet(name, value) for name, value in validated.items()] + [
            SlotSet(requested, None),
            SlotSet("requested_slot", requested),
        ]

    def _picked_item(self, dispatcher, tracker: Tracker, requested: str) -> List[Dict[Text, Any]]:
        """The reply to "Which detail would you like to change?"."""
        text = latest_text(tracker)
        restore = [SlotSet(requested, None)]
        item = checks.item_named(text)
        if item is not None:
            return restore + self._clear_for_correction(item)
        answer = opening_yes_or_no(text)
        if answer is None and latest_intent(tracker) in ("confirm_details", "affirm"):
            answer = True  # "ha ok. yes the details are all correct"
        if answer is True and requested == "renewal_confirmed" and latest_intent(tracker) != "change_details":
            return [SlotSet("renewal_confirmed", CONFIRMED), SlotSet("correcting", None)]
        if answer is False or answer is True:
            # Nothing to change after all: back to the question (the summary shows again).
            return restore + [SlotSet("correcting", None), SlotSet("requested_slot", requested)]
        self._ask_which_item(dispatcher)
        return restore + [SlotSet("requested_slot", requested)]

    @staticmethod
    def _ask_to_confirm(dispatcher, question: str) -> None:
        dispatcher.utter_message(
            text=f"{question} Say yes to send it, or tell me what to change "
            '(for example "change the email").',
            buttons=[
                {"title": "Confirm", "payload": "Confirm, those details are correct"},
                {"title": "Change something", "payload": "I need to change something"},
            ],
        )

    @staticmethod
    def _ask_which_item(dispatcher) -> None:
        dispatcher.utter_message(
            text="Which detail would you like to change?",
            buttons=[{"title": label, "payload": f"change the {label.lower()}"} for label in FIELDS.values()],
        )

    @staticmethod
    def _clear_for_correction(item: str) -> List[Dict[Text, Any]]:
        events = [SlotSet(item, None), SlotSet("correcting", item), SlotSet("requested_slot", item)]
        if item == "product":
            events.append(SlotSet("platform", None))
        return events

    def _failures(self, tracker: Tracker) -> Dict[str, int]:
        return dict(tracker.get_slot("form_failures") or {})

    def _not_an_answer(self, tracker: Tracker, slot: str, value: Any) -> bool:
        """No value, or the whole reply taken as the asked item while the reply corrected
        another item ("oh wait, the phone is 0412 555 987" while the user count is asked)."""
        if value in (None, ""):
            return True
        if slot != tracker.get_slot("requested_slot") or value != latest_text(tracker):
            return False
        # The platform is part of a product answer ("worry free advanced on windows").
        goes_with = {"product": {"platform"}, "platform": {"product"}}.get(slot, set())
        return any(
            other in FIELDS and other != slot and other not in goes_with
            for other in tracker.slots_to_validate()
        )

    def _free_text_answer(self, tracker: Tracker, slot: str, value: Any) -> Optional[str]:
        """The words that answer a free-text item: the reply, or, when it also gave other items ("Sam
        Patel, sam.patel@waratahcivil.com.au" for the contact name), the rest of it; None if nothing."""
        if not self._not_an_answer(tracker, slot, value):
            return strip_lead_in(value)
        if value in (None, ""):
            return None
        values = [
            (entity["start"], entity["end"])
            for entity in tracker.latest_message.get("entities") or []
            if isinstance(entity.get("start"), int) and isinstance(entity.get("end"), int)
        ]
        rest = text_beside(latest_text(tracker), values)
        return strip_lead_in(rest) if rest else None

    def _accept(self, dispatcher, tracker: Tracker, slot: str, value: Any, **more: Any) -> Dict[Text, Any]:
        failures = self._failures(tracker)
        failures.pop(slot, None)
        requested = tracker.get_slot("requested_slot")
        if requested and requested != slot:
            label, shown = FIELDS[slot].lower(), _shown(slot, value)
            before = tracker.get_slot(slot)
            changed = value_before_latest_message(tracker, slot) is not None or before not in (None, value)
            dispatcher.utter_message(
                text=f"Got it: I've changed the {label} to {shown}."
                if changed
                else f"Got it: the {label} is {shown}."
            )
        if tracker.get_slot("correcting") == slot:
            more["correcting"] = None
        return {slot: value, "form_failures": failures, **more}

    def _reject(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, reason: str
    ) -> Dict[Text, Any]:
        failures = self._failures(tracker)
        failures[slot] = failures.get(slot, 0) + 1
        if checks.offers_a_person(failures[slot]):
            # The form goes on: a valid answer continues it, a yes hands over (see _answer_to_open_question).
            dispatcher.utter_message(
                text=f"{reason}\n\nThat's try number {failures[slot]} for the {FIELDS[slot].lower()}. Would "
                "you like a "
                "person from the support team to help? The details you've given so far are kept. "
                "Or just try again.",
                buttons=[
                    {"title": "Yes, a person please", "payload": "yes"},
                    {"title": "No, I'll try again", "payload": "no"},
                ],
            )
            return {slot: None, "form_failures": failures, "offer": HANDOFF}
        dispatcher.utter_message(text=reason)
        return {slot: None, "form_failures": failures}

    def _check(
        self, dispatcher, tracker, slot: str, result: checks.FieldCheck, shown=lambda v: v
    ) -> Dict[Text, Any]:
        if not result.ok:
            return self._reject(dispatcher, tracker, slot, result.reason or "")
        if result.notice:
            dispatcher.utter_message(text=result.notice)
        return self._accept(dispatcher, tracker, slot, shown(result.value))

    async def validate_company_name(self, value, dispatcher, tracker, domain):
        answer = self._free_text_answer(tracker, "company_name", value)
        if answer is None:
            return {"company_name": None}
        if checks.looks_like_address(answer) and not tracker.get_slot("address"):
            # "Level 3, 50 Pitt Street, Sydney NSW 2000" for the company name: the address, given first.
            checked = checks.validate_address(answer)
            return {**self._check(dispatcher, tracker, "address", checked), "company_name": None}
        return self._check(dispatcher, tracker, "company_name", checks.validate_company_name(answer))

    async def validate_address(self, value, dispatcher, tracker, domain):
        answer = self._free_text_answer(tracker, "address", value)
        if answer is None:
            return {"address": None}
        return self._check(dispatcher, tracker, "address", checks.validate_address(answer))

    async def validate_phone(self, value, dispatcher, tracker, domain):
        if self._not_an_answer(tracker, "phone", value):
            return {"phone": None}
        if value == on_file_checklist.contact_details(await _licence(tracker)).get("phone"):
            return self._accept(dispatcher, tracker, "phone", value)  # the record's own number
        region = await _customer_region(tracker) or "AU"
        return self._check(dispatcher, tracker, "phone", checks.validate_phone(value, region))

    async def validate_contact_name(self, value, dispatcher, tracker, domain):
        answer = self._free_text_answer(tracker, "contact_name", value)
        if answer is None:
            return {"contact_name": None}
        return self._check(dispatcher, tracker, "contact_name", checks.validate_contact_name(answer))

    async def validate_contact_email(self, value, dispatcher, tracker, domain):
        if self._not_an_answer(tracker, "contact_email", value):
            return {"contact_email": None}
        return self._check(dispatcher, tracker, "contact_email", checks.validate_email(value))

    async def validate_product(self, value, dispatcher, tracker, domain):
        if self._not_an_answer(tracker, "product", value):
            return {"product": None}
        match = await call(lambda service: service.match_product(value))
        if match is None:
            candidates = await call(lambda service: service.product_candidates(value))
            names = [
                await call(lambda service, c=c: service.product(c.product_code).name) for c in candidates
            ]
            hint = f" Did you mean {' or '.join(names)}?" if names else ""
            return self._reject(
                dispatcher,
                tracker,
                "product",
                f"I couldn't match that to one of our products.{hint} Please type the product name, "
                "for example Worry-Free Business Security Advanced or Apex One.",
            )
        product = await call(lambda service: service.product(match.product_code))
        if not match.exact:
            dispatcher.utter_message(
                text=f"I've taken that as {product.name}. If that's not right, say \"change the product\"."
            )
        platform = match.platform or (product.platforms[0] if len(product.platforms) == 1 else None)
        more = {"platform": platform} if platform else {}
        if tracker.get_slot("platform") and tracker.get_slot("platform") not in product.platforms:
            more.setdefault("platform", None)
        return self._accept(dispatcher, tracker, "product", product.code, **more)

    async def validate_platform(self, value, dispatcher, tracker, domain):
        if self._not_an_answer(tracker, "platform", value):
            return {"platform": None}
        if "product" in tracker.slots_to_validate():
            return {}  # the product came in the same reply: its check decides the platform
        product_code = tracker.get_slot("product")
        if not product_code:
            return {"platform": None}  # asked after the product, which decides the platforms
        product = await call(lambda service: service.product(product_code))
        platform = product.platform_in(value)
        if platform:
            return self._accept(dispatcher, tracker, "platform", platform)
        return self._reject(
            dispatcher,
            tracker,
            "platform",
            f"{product.name} is available on {', '.join(product.platforms)}. Which one is it?",
        )

    async def validate_renewal_user_count(self, value, dispatcher, tracker, domain):
        if self._not_an_answer(tracker, "renewal_user_count", value):
            return {"renewal_user_count": None}
        licence = await _licence(tracker)
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        result = checks.validate_user_count(number, previous=licence.users if licence else None)
        return self._check(dispatcher, tracker, "renewal_user_count", result, shown=float)

    async def validate_licence_expiry(self, value, dispatcher, tracker, domain):
        if self._not_an_answer(tracker, "licence_expiry", value):
            return {"licence_expiry": None}
        licence = await _licence(tracker)
        result = await call(lambda service: service.validate_expiry(value, licence))
        return self._check(dispatcher, tracker, "licence_expiry", result, shown=lambda d: d.isoformat())

    async def validate_renewal_confirmed(self, value, dispatcher, tracker, domain):
        if value in (None, "") or tracker.get_slot("requested_slot") != "renewal_confirmed":
            return {"renewal_confirmed": None}
        text = latest_text(tracker)
        intent = latest_intent(tracker)
        if any(item in FIELDS for item in tracker.slots_to_validate()):
            return {"renewal_confirmed": None}  # a value came with the reply: applied, summary shown again
        item = checks.item_named(text)
        answer = opening_yes_or_no(text)
        if item is None and (answer is True or intent in ("confirm_details", "affirm")):
            return {"renewal_confirmed": CONFIRMED}
        if item is None and answer is None and asks_the_price(tracker):
            # "before I confirm, whats the total going to be?": the quote for this licence, then the summary.
            quoted = await LicenceConversation(dispatcher, tracker).run(QUOTE)
            self._ask_to_confirm(dispatcher, BACK_TO_THE_SUMMARY)
            slots = {e["name"]: e["value"] for e in quoted if e.get("event") == "slot"}
            return {**slots, "renewal_confirmed": None, "correcting": PICK}
        if item is None:
            if (
                answer is False
                or intent in ("change_details", "deny", "correct_detail")
                or WANTS_A_CHANGE.search(text)
            ):
                self._ask_which_item(dispatcher)
            elif intent == "out_of_scope":
                # "do you have a good recipe for lamingtons?" at the summary: said so, then back to it.
                dispatcher.utter_message(response="utter_out_of_scope")
                self._ask_to_confirm(dispatcher, BACK_TO_THE_SUMMARY)
            else:
                self._ask_to_confirm(
                    dispatcher, "Sorry, I didn't catch that. Is everything in the summary correct?"
                )
            return {"renewal_confirmed": None, "correcting": PICK}
        new_value = checks.stated_value(text, item)
        if new_value is not None:
            validated = await getattr(self, f"validate_{item}")(new_value, dispatcher, tracker, domain)
            if validated.get(item) is not None:
                return {**validated, "renewal_confirmed": None}
        return {
            "renewal_confirmed": None,
            **{e["name"]: e["value"] for e in self._clear_for_correction(item)},
        }


QUESTIONS: Dict[str, str] = {
    "company_name": "What's the company name on the licence?",
    "address": "What's the company's address?",
    "contact_name": "What's the name of the contact person for this renewal?",
    "contact_email": "What's the contact's email address? The updated licence certificate will be sent "
    "there.",
    "product": "Which product is it, including the platform? (for example Worry-Free Business Security "
    "Advanced on Windows)",
    "renewal_user_count": "How many users should the renewal cover?",
    "licence_expiry": "When does the current licence expire? (day first, for example 29/10/2026)",
}


def _picking_item(tracker: Tracker) -> bool:
    """The customer is choosing which item to change: that question is already on screen."""
    return tracker.get_slot("correcting") == PICK


def _question_action(slot: str, question: str) -> type:
    """`action_ask_<slot>`: the form's question for one checklist item."""

    class AskForItem(Action):
        def name(self) -> Text:
            return f"action_ask_{slot}"

        async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
            if not _picking_item(tracker):
                dispatcher.utter_message(text=question)
            return []

    AskForItem.__name__ = f"ActionAsk_{slot}"
    return AskForItem


QUESTION_ACTIONS = [_question_action(slot, question) for slot, question in QUESTIONS.items()]


async def _customer_region(tracker: Tracker) -> Optional[str]:
    """The customer's region: their licence's, else the one their address names, else None."""
    licence = await _licence(tracker)
    return licence.region if licence is not None else region_of_address(tracker.get_slot("address"))


class ActionAskPhone(Action):
    """The phone question, with examples as the customer's country writes numbers."""

    def name(self) -> Text:
        return "action_ask_phone"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        if not _picking_item(tracker):
            examples = checks.phone_examples(await _customer_region(tracker))
            dispatcher.utter_message(
                text=f"What phone number should the reseller call? (for example {examples})"
            )
        return []


class ActionAskPlatform(Action):
    def name(self) -> Text:
        return "action_ask_platform"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        if _picking_item(tracker):
            return []
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
        if _picking_item(tracker):
            return []
        licence = await _licence(tracker)
        on_file = on_file_checklist.contact_details(licence)
        product = await call(lambda service: service.product(tracker.get_slot("product")))
        lines, notes = [], ""
        for slot, label in FIELDS.items():
            value = tracker.get_slot(slot)
            if slot == "platform":
                continue
            if slot == "product":
                value = f"{product.name} ({tracker.get_slot('platform')})"
            elif slot == "renewal_user_count":
                value = f"{int(value)}"
                if licence and int(tracker.get_slot(slot)) < licence.users:
                    value += f" (a downsize from {licence.users})"
                    notes = f"\n\n{checks.DOWNSIZE_RULE}"
            elif slot in on_file and value == on_file[slot]:
                value = f"{on_file_checklist.masked(slot, value)} (on file)"
            else:
                value = _shown(slot, value)
            lines.append(f"- {label}: {value}")
        dispatcher.utter_message(
            text="Here's what I'll send:\n" + "\n".join(lines) + notes + "\n\nIs everything correct?",
            buttons=[
                {"title": "Confirm", "payload": "Confirm, those details are correct"},
                {"title": "Change something", "payload": "I need to change something"},
            ],
        )
        return []


def discarded_checklist() -> List[Dict[Text, Any]]:
    """Clears the checklist, so a second renewal in the conversation starts afresh."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [
        SlotSet("renewal_licence_code", None),
        SlotSet("form_failures", None),
        SlotSet("correcting", None),
        SlotSet("requested_slot", None),
    ]


class ActionSubmitRenewal(Action):
    """The end of the renewal form: a case when confirmed, or a person when one was accepted."""

    def name(self) -> Text:
        return "action_submit_renewal"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        outcome = tracker.get_slot("renewal_confirmed")
        if outcome == HANDED_OVER:
            return [SlotSet("renewal_confirmed", None)] + await hand_over(dispatcher, tracker)
        if outcome != CONFIRMED:
            return []
        checklist = gathered_checklist(tracker)
        channel = tracker.get_latest_input_channel() or "unknown"
        try:
            licence = await _licence(tracker)
            case = await call(
                lambda service: service.open_renewal_case(
                    checklist, tracker.sender_id, channel, licence=licence
                )
            )
        except Exception as error:  # the database or a check failed: say so, keep the details, offer a person
            log.error("Could not open a renewal case: %s", type(error).__name__)
            dispatcher.utter_message(text=CASE_NOT_OPENED, buttons=buttons("human_handoff"))
            return [SlotSet("renewal_confirmed", None), SlotSet("offer", HANDOFF)]
        who = "Trend Micro Technical Support"
        reseller_id = case.reseller_id
        if reseller_id:
            name = await call(lambda service: service.reseller_name(reseller_id))
            who = name or "Your reseller"
        # Details that came from the licence on file are never shown (see ActionAskRenewalConfirmed).
        on_file = on_file_checklist.contact_details(licence)
        contact = (
            "the contact on file"
            if checklist.contact_name == on_file.get("contact_name")
            else checklist.contact_name
        )
        email = (
            "the email address on file"
            if checklist.contact_email == on_file.get("contact_email")
            else checklist.contact_email
        )
        dispatcher.utter_message(
            text=f"Done: your renewal case is {case.reference}. {who} will contact {contact} about the "
            f"renewal, and once it's processed the updated licence certificate will be emailed to {email}. "
            f"Quote {case.reference} if you get in touch about it."
        )
        return discarded_checklist() + [SlotSet("case_reference", case.reference)]


class ActionChangeDetail(Action):
    """ "I need to change the phone number" or "the company is actually Acme Pty Ltd" during the form:
    a value given is checked by the form and said back; without one, that item is asked next."""

    def name(self) -> Text:
        return "action_change_detail"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        text = latest_text(tracker)
        item = checks.item_named(text)
        requested = tracker.get_slot("requested_slot")
        if item is None and requested in FREE_TEXT_ITEMS and not WANTS_A_CHANGE.search(text):
            return [
                SlotSet(requested, text)
            ]  # "Waitaki Community Trust" taken for a change: it is the answer
        if item is None:
            ValidateRenewalForm._ask_which_item(dispatcher)
            return [SlotSet("correcting", PICK)]
        value = checks.stated_value(text, item)
        if value is not None:
            return [SlotSet(item, value)]
        return ValidateRenewalForm._clear_for_correction(item)[:2]


class ActionExplainField(Action):
    def name(self) -> Text:
        return "action_explain_field"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        slot = checks.item_named(latest_text(tracker)) or tracker.get_slot("requested_slot")
        if slot in WHY_NEEDED:
            dispatcher.utter_message(text=WHY_NEEDED[slot] + " Your details are only used for this renewal.")
        else:
            dispatcher.utter_message(
                text="Your reseller needs the eight checklist details to find your licence, price the "
                "renewal and "
                "send you the updated certificate. They're only used for this renewal."
            )
        return []
