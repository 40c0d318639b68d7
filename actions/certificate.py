"""The brand-specific steps after a new licence certificate arrives."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionCertificateSteps(Action):
    """Answers "SMB or Enterprise?": the FAQ response picks its variation by the
    product_brand slot that the answer just set."""

    def name(self) -> Text:
        return "action_certificate_steps"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_faq/after_certificate_steps")
        return []
