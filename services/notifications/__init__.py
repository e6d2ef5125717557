"""Notifications: emails citizens and districts and tracks the 14- and 30-day deadlines."""
