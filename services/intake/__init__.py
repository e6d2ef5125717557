"""Intake: citizens' form and API; validates, stores and publishes orders."""
