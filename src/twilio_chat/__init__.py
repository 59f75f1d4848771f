"""Async client for Twilio Programmable Chat services."""

__version__ = "0.1.0"
