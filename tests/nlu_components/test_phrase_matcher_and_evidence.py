"""Exact training phrases keep their label; licensing answers need licensing evidence.

Both components are trained here on a small training set, through Rasa's own model storage,
and run on messages tokenized by the project's tokenizer.
"""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.domain_evidence import DomainEvidenceGuard
from nlu_components.phrase_matcher import TrainingPhraseMatcher
from nlu_components.tokenizer import ValuePlaceholderTokenizer

EXAMPLES = [
    ("yup", "affirm", None),
    ("spot on", "confirm_details", None),
    ("when does my licence expire", "check_license_expiry", None),
    ("how much will it cost to renew our maintenance", "lapse_charge_quote", None),
    ("what if i don't renew", "faq", "no_renewal_consequences"),
    ("what happens if we let it lapse", "faq", "no_renewal_consequences"),
    ("how much does a flight to bali cost", "out_of_scope", None),
    ("how long do eggs keep in the fridge", "out_of_scope", None),
    ("how much to get my dog spayed", "out_of_scope", None),
    ("we need a new activation code for the dental clinic", "check_license_expiry", None),
    ("we never got any reminder, bit of a worry", "faq", "renewal_notice_missing"),
    ("thats next week, can you renew it pls", "renewal_request", None),
    ("i mean the licence for the clinic", "check_license_expiry", None),
]


def tokenized(message: Message) -> Message:
    ValuePlaceholderTokenizer(ValuePlaceholderTokenizer.get_default_config()).process([message])
    return message


def training_data() -> TrainingData:
    messages = []
    for text, intent, topic in EXAMPLES:
        data = {"text": text, "intent": intent}
        if topic:
            data["intent_response_key"] = f"{intent}/{topic}"
        messages.append(tokenized(Message(data=data)))
    return TrainingData(
        training_examples=messages, responses={"utter_faq/no_renewal_consequences": [{"text": "…"}]}
    )


def predicted(text: str, intent: str, confidence: float = 0.4, entities=()) -> Message:
    message = tokenized(Message(data={"text": text}))
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    message.set("entities", list(entities))
    message.set(
        "response_selector",
        {
            "faq": {
                "response": {
                    "intent_response_key": "faq/how_to_renew",
                    "utter_action": "utter_faq/how_to_renew",
                    "confidence": 0.3,
                    "responses": [],
                },
                "ranking": [],
            }
        },
    )
    return message


@pytest.fixture
def trained(tmp_path):
    storage = LocalModelStorage(tmp_path)

    def train(component_class, name):
        resource = Resource(name)
        component = component_class.create(
            {**component_class.get_default_config()}
            if hasattr(component_class, "get_default_config")
            else {},
            storage,
            resource,
            None,
        )
        component.train(training_data())
        return component_class.load(component_class.get_default_config(), storage, resource, None)

    return train


def test_a_training_phrase_gets_its_own_label_with_full_confidence(trained):
    matcher = trained(TrainingPhraseMatcher, "matcher")
    message = matcher.process([predicted("Yup!", "nlu_fallback")])[0]
    assert message.get("intent") == {"name": "affirm", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "affirm"


def test_a_faq_training_phrase_also_picks_its_topic(trained):
    matcher = trained(TrainingPhraseMatcher, "matcher")
    message = matcher.process([predicted("What if I don't renew?", "faq")])[0]
    selection = message.get("response_selector")["faq"]["response"]
    assert selection["intent_response_key"] == "faq/no_renewal_consequences"
    assert selection["utter_action"] == "utter_faq/no_renewal_consequences" and selection["confidence"] == 1.0


def test_a_message_that_is_no_training_phrase_keeps_the_models_prediction(trained):
    matcher = trained(TrainingPhraseMatcher, "matcher")
    message = matcher.process([predicted("yup that works", "affirm", 0.7)])[0]
    assert message.get("intent") == {"name": "affirm", "confidence": 0.7}


@pytest.mark.parametrize(
    "text, intent",
    [
        ("how much does it cost to spay a puppy", "lapse_charge_quote"),  # "spay": off-topic examples only
        ("when is the egg expired", "check_license_expiry"),  # "egg", as in "eggs"
        ("what does assiduous mean", "faq"),  # a word nobody used, and no licensing question word
        ("what does spot on mean", "faq"),  # known words, but the meaning asked for is not about licensing
    ],
)
def test_a_licensing_prediction_without_licensing_evidence_is_off_topic(trained, text, intent):
    guard = trained(DomainEvidenceGuard, "guard")
    assert guard.process([predicted(text, intent)])[0].get("intent")["name"] == "out_of_scope"


@pytest.mark.parametrize(
    "text, intent, entities",
    [
        ("how much?", "lapse_charge_quote", ()),  # only known words: the conversation decides
        (
            "how much to renew our licnese for the dental clinic",
            "lapse_charge_quote",
            (),
        ),  # a licensing word, typo
        (
            "when does WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD run out",
            "check_license_expiry",
            [{"entity": "activation_code", "value": "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"}],
        ),
        ("what do ya reckon it costs for apex", "lapse_charge_quote", ()),
        ("we never got any reminder, bit rude", "faq", ()),  # "rude" is new, "reminder" asks about licensing
        ("what happens in nz btw", "faq", ()),  # "btw" is new; a country the assistant serves is evidence
        ("any news on RN-2026-004502", "ask_case_status", ()),  # "news" is new; a case reference is evidence
        ("what does lapse mean for us", "faq", ()),  # the meaning of a licensing word
    ],
)
def test_a_licensing_prediction_with_evidence_keeps_its_intent(trained, text, intent, entities):
    guard = trained(DomainEvidenceGuard, "guard")
    assert guard.process([predicted(text, intent, entities=entities)])[0].get("intent")["name"] == intent


def test_an_overruled_prediction_is_kept_for_the_conversation(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    message = guard.process([predicted("how much does it cost to spay a puppy", "lapse_charge_quote", 0.8)])[
        0
    ]
    overruled = message.get("overruled_by_evidence")
    assert overruled["name"] == "lapse_charge_quote" and overruled["confidence"] == 0.8
    assert overruled["evidence"] < 0
    assert "overruled_by_evidence" in message.as_dict(only_output_properties=True)


def test_other_predictions_are_left_alone(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    assert guard.process([predicted("zebra crossing", "greet")])[0].get("intent")["name"] == "greet"


def test_a_mangled_activation_code_taken_for_off_topic_is_a_bare_answer(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    message = guard.process([predicted("AO-R63A-E6L9E-XEMED-E7937-9G2KP-JR5Q", "out_of_scope")])[0]
    assert message.get("intent")["name"] == "inform"


def test_slang_around_a_renewal_request_is_still_a_renewal_request(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    message = guard.process([predicted("crap thats next week. renew it pls", "renewal_request")])[0]
    assert message.get("intent")["name"] == "renewal_request"


def test_a_word_only_off_topic_examples_use_makes_a_renewal_question_off_topic(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    message = guard.process([predicted("renew my flight to bali", "renewal_request")])[0]
    assert message.get("intent")["name"] == "out_of_scope"


def test_a_decided_prediction_leaves_no_ambiguity_for_the_fallback(trained):
    matcher = trained(TrainingPhraseMatcher, "matcher")
    message = predicted("spot on", "affirm", 0.95)
    message.set(
        "intent_ranking",
        [{"name": "affirm", "confidence": 0.95}, {"name": "confirm_details", "confidence": 0.9}],
    )
    ranking = matcher.process([message])[0].get("intent_ranking")
    assert ranking[0] == {"name": "confirm_details", "confidence": 1.0}
    assert all(other["confidence"] == 0.0 for other in ranking[1:])


def test_a_question_taken_for_a_bare_answer_needs_licensing_evidence_too(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    message = guard.process([predicted("how long do eggs keep in the fridge tomorrow?", "inform", 0.7)])[0]
    assert message.get("intent")["name"] == "out_of_scope"
    answer = guard.process([predicted("tomorrow", "inform", 0.7)])[0]
    assert answer.get("intent")["name"] == "inform"  # a bare answer is left alone


def test_strong_licensing_evidence_takes_back_an_off_topic_guess_for_the_licensing_intent_next(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    message = predicted("how to renew my trend micro licence", "out_of_scope", 0.55)
    message.set(
        "intent_ranking", [{"name": "out_of_scope", "confidence": 0.55}, {"name": "faq", "confidence": 0.35}]
    )
    assert guard.process([message])[0].get("intent")["name"] == "faq"


def test_an_off_topic_word_keeps_the_off_topic_guess_however_many_licensing_words(trained):
    guard = trained(DomainEvidenceGuard, "guard")
    message = predicted("renew the trend micro licence for my dog spayed", "out_of_scope", 0.55)
    message.set(
        "intent_ranking", [{"name": "out_of_scope", "confidence": 0.55}, {"name": "faq", "confidence": 0.35}]
    )
    assert guard.process([message])[0].get("intent")["name"] == "out_of_scope"
