import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from orders.cache import MemoryCache
from orders.db import create_schema, make_engine, make_session_factory
from orders.logging import JsonFormatter
from orders.models import OrderStatus
from orders.schemas import LineIn, OrderIn
from orders.service import ALLOWED, InvalidTransition, OrderService

lines = st.builds(
    LineIn,
    sku=st.from_regex(r"[A-Z0-9-]{1,32}", fullmatch=True),
    quantity=st.integers(min_value=1, max_value=1_000),
    unit_price_cents=st.integers(min_value=0, max_value=10_000_000),
)
orders = st.builds(
    OrderIn,
    customer=st.sampled_from(["ada", "grace", "linus"]),
    lines=st.lists(lines, min_size=1, max_size=5),
)


small_orders = st.builds(
    OrderIn, customer=st.just("ada"), lines=st.lists(lines, min_size=1, max_size=2)
)


@contextmanager
def fresh_service() -> Iterator[OrderService]:
    engine = make_engine("sqlite://")
    create_schema(engine)
    try:
        yield OrderService(make_session_factory(engine), MemoryCache())
    finally:
        engine.dispose()


@given(orders)
def test_total_is_the_sum_of_the_lines(data: OrderIn) -> None:
    with fresh_service() as service:
        order = service.create_order(data)
        assert order.total_cents == sum(
            line.quantity * line.unit_price_cents for line in data.lines
        )
        assert service.get_order(order.id) == order  # from the database
        assert service.get_order(order.id) == order  # from the cache


RECORD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
keys = st.sampled_from(["time", "level", "order_id", "customer"]) | st.from_regex(
    r"[a-z]{1,10}", fullmatch=True
).filter(lambda key: key not in RECORD_ATTRIBUTES)
values = st.none() | st.booleans() | st.integers() | st.text()


@given(message=st.text(), extra=st.dictionaries(keys, values))
def test_every_log_line_is_one_json_object(message: str, extra: dict[str, object]) -> None:
    record = logging.makeLogRecord(
        {"name": "orders.test", "levelname": "INFO", "msg": message, **extra}
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "orders.test", message)
    for key, value in extra.items():
        if key not in ("time", "level"):
            assert entry[key] == value


class OrderLifecycle(RuleBasedStateMachine):
    """Random sequences of calls, checked against a dict that models the rules."""

    order_ids = Bundle("order_ids")

    def __init__(self) -> None:
        super().__init__()
        self.engine = make_engine("sqlite://")
        create_schema(self.engine)
        self.service = OrderService(make_session_factory(self.engine), MemoryCache())
        self.expected: dict[int, OrderStatus] = {}

    def teardown(self) -> None:
        self.engine.dispose()

    @rule(target=order_ids, data=small_orders)
    def create(self, data: OrderIn) -> int:
        order = self.service.create_order(data)
        self.expected[order.id] = OrderStatus.PENDING
        return order.id

    @rule(order_id=order_ids)
    def read(self, order_id: int) -> None:  # fills the cache
        assert self.service.get_order(order_id).status == self.expected[order_id]

    @rule(order_id=order_ids, wanted=st.sampled_from([OrderStatus.PAID, OrderStatus.CANCELLED]))
    def change(self, order_id: int, wanted: OrderStatus) -> None:
        allowed = wanted in ALLOWED[self.expected[order_id]]
        transition = self.service.pay if wanted is OrderStatus.PAID else self.service.cancel
        try:
            transition(order_id)
        except InvalidTransition:
            assert not allowed
        else:
            assert allowed
            self.expected[order_id] = wanted

    @invariant()
    def cache_agrees_with_the_database(self) -> None:
        for order_id, status in self.expected.items():
            assert self.service.get_order(order_id).status == status


TestOrderLifecycle = OrderLifecycle.TestCase
TestOrderLifecycle.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
