"""Licensing and renewal domain: licences, price list, quotes, cases, storage.

Pure Python: nothing here imports Rasa, so the rules are tested without servers.
"""
