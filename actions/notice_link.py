"""A renewal notice's "Check my renewal" link, opened in the web chat.

The web service sets the slot `notice_link` to the link's token and has Rasa run this action
(`POST /conversations/<id>/execute`): the link is not something the customer said, so it never goes
through NLU or an intent, which would also change what the intent classifier learns. A valid token names
one licence: the chat starts with that licence's status and offers
the quote and the checklist, so no Activation Code has to be typed. An expired or altered link gets a
clear message and an ordinary chat.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet

from actions import replies
from actions.backend import call
from actions.licences import EXPIRY, LicenceConversation
from actions.topics import buttons
from renewals.notice_links import LinkState

LINK_SLOT = "notice_link"


class ActionOpenRenewalLink(Action):
    def name(self) -> Text:
        return "action_open_renewal_link"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        token = tracker.get_slot(LINK_SLOT)
        # Used once, so the token stays in no slot; and run by `execute`, outside Rasa's prediction loop,
        # the action ends the turn itself: the customer's next message follows an action_listen.
        forget = [SlotSet(LINK_SLOT, None), ActionExecuted("action_listen")]
        opening = await call(lambda service: service.open_notice_link(token))
        if opening.state is LinkState.VALID and opening.licence is not None:
            licence = opening.licence
            dispatcher.utter_message(text=replies.notice_link_greeting(licence))
            events = await LicenceConversation(dispatcher, tracker).run(EXPIRY, licence.activation_code)
            return [SlotSet("activation_code", licence.activation_code), *events, *forget]
        text = replies.LINK_EXPIRED if opening.state is LinkState.EXPIRED else replies.LINK_INVALID
        dispatcher.utter_message(
            text=text, buttons=buttons("check_license_expiry", "lapse_charge_quote", "renewal_request")
        )
        return forget
