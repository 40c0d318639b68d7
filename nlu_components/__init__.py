"""Custom Rasa NLU components for the renewals assistant."""
