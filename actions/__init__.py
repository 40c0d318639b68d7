"""Custom actions: turn conversation state into calls on `renewals` and results into replies."""
