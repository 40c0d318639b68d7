"""The selector-confidence check that Rasa's FallbackClassifier does not make."""

from rasa.shared.nlu.training_data.message import Message

from nlu_components.retrieval_fallback import RetrievalConfidenceFallback


def faq_message(top: float, runner_up: float, intent_confidence: float = 0.97) -> Message:
    ranking = [
        {"confidence": top, "intent_response_key": "faq/lost_activation_code"},
        {"confidence": runner_up, "intent_response_key": "faq/activation_code_after_renewal"},
    ]
    return Message(
        data={
            "text": "activation code question",
            "intent": {"name": "faq", "confidence": intent_confidence},
            "intent_ranking": [{"name": "faq", "confidence": intent_confidence}],
            "response_selector": {
                "all_retrieval_intents": ["faq"],
                "faq": {
                    "response": {
                        "confidence": top,
                        "intent_response_key": "faq/lost_activation_code",
                        "utter_action": "utter_faq/lost_activation_code",
                        "responses": [{"text": "..."}],
                    },
                    "ranking": ranking,
                },
            },
        }
    )


def component() -> RetrievalConfidenceFallback:
    return RetrievalConfidenceFallback({"threshold": 0.6, "ambiguity_threshold": 0.1})


def test_confident_faq_topic_is_left_alone():
    message = component().process([faq_message(top=0.92, runner_up=0.05)])[0]
    assert message.get("intent")["name"] == "faq"


def test_confident_intent_but_unsure_topic_becomes_nlu_fallback():
    message = component().process([faq_message(top=0.45, runner_up=0.30)])[0]
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.6}
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"
    # The original guesses stay available for "did you mean" suggestions.
    assert message.get("intent_ranking")[1]["name"] == "faq"
    assert message.get("response_selector")["faq"]["ranking"][0]["confidence"] == 0.45


def test_two_topics_almost_tied_is_ambiguous():
    message = component().process([faq_message(top=0.66, runner_up=0.61)])[0]
    assert message.get("intent")["name"] == "nlu_fallback"


def test_non_retrieval_intents_are_not_checked():
    message = Message(
        data={
            "text": "hi",
            "intent": {"name": "greet", "confidence": 0.99},
            "intent_ranking": [{"name": "greet", "confidence": 0.99}],
            "response_selector": faq_message(0.1, 0.05).get("response_selector"),
        }
    )
    assert component().process([message])[0].get("intent")["name"] == "greet"


def test_an_existing_fallback_is_not_doubled():
    message = faq_message(top=0.2, runner_up=0.1)
    message.data["intent"] = {"name": "nlu_fallback", "confidence": 0.6}
    message.data["intent_ranking"].insert(0, {"name": "nlu_fallback", "confidence": 0.6})
    component().process([message])
    assert [r["name"] for r in message.get("intent_ranking")].count("nlu_fallback") == 1
