"""The routing service: assigns each order to the police district that covers it."""
