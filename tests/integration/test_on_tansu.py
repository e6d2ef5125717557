"""The real-broker guarantees once more on Tansu, the broker `bestil dev` runs without Java.

Wherever Java is installed the other integration tests run on Apache Kafka; these keep the
embedded default covered (pytest collects the imported tests again, under this module's mark).
"""

import pytest

from tests.integration.test_real_broker import (  # noqa: F401
    test_events_read_again_after_a_restart_before_commit_change_nothing,
    test_orders_flow_from_intake_through_routing_into_screening,
    test_orders_taken_before_the_broker_exists_are_published_when_it_comes,
    test_poison_message_is_parked_in_the_dlq_and_the_consumer_goes_on,
    test_submitted_order_goes_out_keyed_with_cloudevents_headers,
)

pytestmark = [pytest.mark.integration, pytest.mark.broker("tansu")]
