"""Empathy-map sessions: a facilitated, timeboxed workshop in a channel."""
