"""Screening: the districts' queues; officers decide, schedule, complete and re-route orders."""
