"""Custom Rasa input channels of this assistant (see docs/channels.md)."""
