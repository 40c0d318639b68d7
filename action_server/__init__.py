"""The action server: rasa_sdk's application running the actions in `actions/`, behind a shared secret."""
