"""Channels: adapters between a platform's messages and the engine's Inbound/Reply."""
