"""DIET's prediction is averaged with a logistic regression on the same features."""

from __future__ import annotations

import pytest
import scipy.sparse
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.linear_ensemble import LinearEnsemble, averaged

VOCABULARY = ["renew", "cost", "expire", "when", "how", "much", "weather", "reminder", "lapse"]


def featurized(text: str, **data) -> Message:
    message = Message(data={"text": text, **data})
    counts = [[text.split().count(word) for word in VOCABULARY]]
    message.add_features(Features(scipy.sparse.coo_matrix(counts), "sentence", "text", "counts"))
    return message


EXAMPLES = [
    ("how much renew cost", "lapse_charge_quote", None),
    ("renew cost how much", "lapse_charge_quote", None),
    ("when expire", "check_license_expiry", None),
    ("expire when", "check_license_expiry", None),
    ("how weather", "out_of_scope", None),
    ("weather when", "out_of_scope", None),
    ("reminder expire", "faq", "renewal_notice"),
    ("reminder renew", "faq", "renewal_notice"),
    ("lapse renew", "faq", "lapsed_maintenance"),
    ("lapse cost", "faq", "lapsed_maintenance"),
]


@pytest.fixture
def ensemble(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("ensemble")
    config = LinearEnsemble.get_default_config()
    component = LinearEnsemble.create(config, storage, resource, None)
    examples = [
        featurized(text, intent=intent, **({"intent_response_key": f"faq/{topic}"} if topic else {}))
        for text, intent, topic in EXAMPLES
    ]
    responses = {
        "utter_faq/renewal_notice": [{"text": "30 days"}],
        "utter_faq/lapsed_maintenance": [{"text": "…"}],
    }
    component.train(TrainingData(training_examples=examples, responses=responses))
    return LinearEnsemble.load(config, storage, resource, None)


def predicted(text: str, ranking, topics=()) -> Message:
    message = featurized(text)
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    if topics:
        message.set(
            "response_selector",
            {
                "faq": {
                    "response": {"intent_response_key": topics[0][0], "confidence": topics[0][1]},
                    "ranking": [{"intent_response_key": t, "confidence": c} for t, c in topics],
                }
            },
        )
    return message


def test_equal_weights_average_two_opinions_and_rank_them():
    ranked = averaged({"a": 0.6, "b": 0.4}, {"a": 0.2, "b": 0.8}, 0.5)
    assert [name for name, _ in ranked] == ["b", "a"]
    assert [confidence for _, confidence in ranked] == pytest.approx([0.6, 0.4])
    assert averaged({"a": 1.0}, {}, 0.5) == [("a", 1.0)]


def test_a_lucky_diet_guess_is_outvoted_when_the_regression_is_sure_of_the_other_intent(ensemble):
    message = predicted("how much renew cost", [("out_of_scope", 0.55), ("lapse_charge_quote", 0.45)])
    ensemble.process([message])
    assert message.get("intent")["name"] == "lapse_charge_quote"
    ranking = message.get("intent_ranking")
    assert (
        ranking[0]["name"] == "lapse_charge_quote"
        and ranking[0]["confidence"] == message.get("intent")["confidence"]
    )


def test_the_faq_topic_is_averaged_too_and_its_answer_follows_it(ensemble):
    message = predicted(
        "lapse renew cost",
        [("faq", 0.9), ("lapse_charge_quote", 0.1)],
        topics=[("faq/renewal_notice", 0.5), ("faq/lapsed_maintenance", 0.5)],
    )
    ensemble.process([message])
    prediction = message.get("response_selector")["faq"]["response"]
    assert prediction["intent_response_key"] == "faq/lapsed_maintenance"
    assert prediction["utter_action"] == "utter_faq/lapsed_maintenance"
    assert message.get("intent")["full_retrieval_intent_name"] == "faq/lapsed_maintenance"
