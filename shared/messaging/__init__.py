"""Kafka plumbing every service shares: broker factory, outbox, idempotent consumer, DLQ."""
