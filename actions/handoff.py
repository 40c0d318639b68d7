"""Asking for a person."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import buttons

# Until the agent console exists there is nobody to join this chat, so say so
# plainly and give the routes that do reach a person.
NO_LIVE_AGENT_YET = (
    "I can't bring a person into this chat. To reach someone:\n"
    "- For renewals, pricing or your licence records, contact your reseller.\n"
    "- If you don't know your reseller, or it's about anything else, submit a case to "
    "Trend Micro Technical Support.\n\n"
    "Meanwhile I can check your expiry date or work out a renewal quote."
)


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(
        text=NO_LIVE_AGENT_YET, buttons=buttons("check_license_expiry", "lapse_charge_quote")
    )
    return [SlotSet("offer", None), SlotSet("pending_task", None)]


class ActionHumanHandoff(Action):
    def name(self) -> Text:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return hand_over(dispatcher, tracker)
