"""Yes/no answers to what the assistant last offered (the `offer` slot)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_over
from actions.licences import QUOTE, LicenceConversation
from actions.renewal_form import ActionStartRenewal
from actions.topics import buttons


def current_offer(tracker: Tracker):
    """What the assistant offered in its last turn, if anything.

    An offer made earlier and not taken up has lapsed: a "yes" now answers
    whatever was said since, not the old offer.
    """
    user_messages_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_messages_seen += 1
            if user_messages_seen == 2:
                return None
        elif event.get("event") == "slot" and event.get("name") == "offer" and user_messages_seen == 1:
            return event.get("value")
    return None


class ActionAcceptOffer(Action):
    def name(self) -> Text:
        return "action_accept_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        offer = current_offer(tracker)
        events: List[Dict[Text, Any]] = [SlotSet("offer", None)]
        if offer == QUOTE:
            return events + await LicenceConversation(dispatcher, tracker).run(QUOTE)
        if offer == "handoff":
            return events + await hand_over(dispatcher, tracker)
        if offer == "renewal":
            started = await ActionStartRenewal().run(dispatcher, tracker, domain)
            return events + started + [FollowupAction("renewal_form")]
        dispatcher.utter_message(
            text="Great. What would you like to do next?",
            buttons=buttons("check_license_expiry", "lapse_charge_quote", "faq/how_to_renew"),
        )
        return events


class ActionDeclineOffer(Action):
    def name(self) -> Text:
        return "action_decline_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text="No problem. Is there anything else I can help with?")
        return [SlotSet("offer", None), SlotSet("pending_task", None)]
