"""The four services of Bestil en betjent; each talks to the others only through Kafka."""
