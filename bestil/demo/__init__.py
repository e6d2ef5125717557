"""`bestil demo seed`: realistic demo orders at every stage, made through the public interfaces.

A newcomer who ran `bestil dev` otherwise opens an empty workspace. The seed plays both sides
over HTTP only: citizens order, withdraw and answer through intake's API; a demo national admin
(an account made with the same use cases as `bestil officer add` and `token`) asks, decides,
schedules and completes through screening's API. Every step waits until the other services
have seen the one before, so intake, routing, screening and notifications all hold the orders.

Deadlines follow from the submission time, which intake sets to now, so no order can be made
old. Near and passed deadlines come from events instead: an event a few days away is urgent
(its decision is due two days before it starts), and one just over 48 hours away (the shortest
notice the form takes) has its decision due minutes after it was ordered.
"""
