"""What the assistant can talk about, as buttons.

Each button's payload is a plain question that goes through NLU like anything
typed, so buttons never rely on `/intent{...}` payloads that bypass the NLU.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional


class Topic(NamedTuple):
    title: str
    question: str


# Keys are intents, or `faq/<topic>` for the FAQ's retrieval sub-intents.
TOPICS: Dict[str, Topic] = {
    "faq/licensing_details": Topic(
        "My licensing details", "How can I get my Trend Micro product licensing details?"
    ),
    "faq/no_renewal_consequences": Topic("What if I don't renew?", "What will happen if I do not renew?"),
    "faq/lapsed_maintenance": Topic(
        "Renewing after a lapse", "What will happen if my maintenance has lapsed before I decided to renew?"
    ),
    "faq/renewal_notice": Topic("Renewal reminders", "Will I be notified before my maintenance expires?"),
    "faq/renewal_notice_missing": Topic(
        "No renewal notice received", "What should I do if I do not receive any renewal notification?"
    ),
    "faq/how_to_renew": Topic("How to renew", "How do I renew my Trend Micro product maintenance?"),
    "faq/renewal_info_required": Topic(
        "Details needed to renew", "What information is required for renewal?"
    ),
    "faq/downsize_users": Topic(
        "Renewing fewer users", "Can I renew a smaller user count than my original purchase?"
    ),
    "faq/after_renewal_delivery": Topic(
        "What I receive after renewing", "Will I receive something after renewing my maintenance?"
    ),
    "faq/activation_code_after_renewal": Topic(
        "Activation Code after renewal", "Do I need a new Activation Code after renewal?"
    ),
    "faq/lost_activation_code": Topic("Lost Activation Code", "How can I replace a lost Activation Code?"),
    "faq/after_certificate_steps": Topic(
        "After the new certificate arrives",
        "What should I do after receiving the updated license certificate?",
    ),
    "faq/more_questions_contact": Topic("Who to contact", "Whom do I contact if I have more questions?"),
    "faq/payment": Topic("Paying for a renewal", "How do I pay for my renewal?"),
    "faq/both_countries": Topic("Australia and New Zealand", "Does this apply in New Zealand too?"),
    "faq/renewal_time": Topic("How long renewing takes", "How long does a renewal take?"),
    "ask_reseller": Topic("Who my reseller is", "Who is my reseller?"),
    "ask_list_prices": Topic("List prices", "What are the list prices per user?"),
    "check_license_expiry": Topic("Check my expiry date", "When does my licence expire?"),
    "lapse_charge_quote": Topic("Quote my renewal", "How much will it cost to renew my maintenance?"),
    "renewal_request": Topic("Start my renewal", "I want to renew my maintenance"),
    "human_handoff": Topic("Talk to a person", "I'd like to talk to a person"),
}


def button(key: str) -> Dict[str, str]:
    topic = TOPICS[key]
    return {"title": topic.title, "payload": topic.question}


def buttons(*keys: str) -> List[Dict[str, str]]:
    return [button(key) for key in keys]


def topic_key(intent: Optional[str], response_key: Optional[str]) -> Optional[str]:
    """The TOPICS key for an intent prediction, or None when it is not a topic."""
    key = response_key if intent == "faq" else intent
    return key if key in TOPICS else None
