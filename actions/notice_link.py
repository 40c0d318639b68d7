"""A renewal notice's "Check my renewal" link, opened in the web chat.

The web service passes the link's token to Rasa as the external intent EXTERNAL_renewal_link (entity
`notice_link`). A valid token names one licence: the chat starts with that licence's status and offers
the quote and the checklist, so no Activation Code has to be typed. An expired or altered link gets a
clear message and an ordinary chat.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions import replies
from actions.backend import call
from actions.licences import EXPIRY, LicenceConversation
from actions.topics import buttons
from renewals.notice_links import LinkState

LINK_ENTITY = "notice_link"


def _link_token(tracker: Tracker) -> Optional[str]:
    return next(
        (
            str(entity.get("value"))
            for entity in tracker.latest_message.get("entities", [])
            if entity.get("entity") == LINK_ENTITY
        ),
        None,
    )


class ActionOpenRenewalLink(Action):
    def name(self) -> Text:
        return "action_open_renewal_link"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        token = _link_token(tracker)
        opening = await call(lambda service: service.open_notice_link(token))
        if opening.state is LinkState.VALID and opening.licence is not None:
            licence = opening.licence
            dispatcher.utter_message(text=replies.notice_link_greeting(licence))
            events = await LicenceConversation(dispatcher, tracker).run(EXPIRY, licence.activation_code)
            return [SlotSet("activation_code", licence.activation_code), *events]
        text = replies.LINK_EXPIRED if opening.state is LinkState.EXPIRED else replies.LINK_INVALID
        dispatcher.utter_message(
            text=text, buttons=buttons("check_license_expiry", "lapse_charge_quote", "renewal_request")
        )
        return []
