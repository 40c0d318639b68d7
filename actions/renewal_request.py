"""Starting a renewal."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import buttons

# The checklist form and support cases come next; until then give the customer
# everything they need to renew through their reseller.
RENEW_THROUGH_RESELLER = (
    "To renew, contact your preferred Trend Micro reseller (if you don't know your reseller, "
    "submit a case to Trend Micro Technical Support) with these details:\n"
    "- Company name\n- Address\n- Telephone number\n- Contact name\n- Contact email address\n"
    "- Product name, including the platform\n- User number\n- Licence expiry date\n\n"
    "Your reseller will email you the updated licence certificate once it's done."
)


def start_renewal(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(
        text=RENEW_THROUGH_RESELLER, buttons=buttons("check_license_expiry", "lapse_charge_quote")
    )
    return [SlotSet("offer", None), SlotSet("pending_task", None)]


class ActionRenewalRequest(Action):
    def name(self) -> Text:
        return "action_renewal_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return start_renewal(dispatcher, tracker)
