import logging
from collections.abc import Callable

import pytest
import redis

from orders.cache import Cache, MemoryCache, RedisCache
from orders.models import OrderStatus
from orders.schemas import OrderIn
from orders.service import InvalidTransition, OrderNotFound, OrderService

MakeService = Callable[[Cache | None], OrderService]


def new_order(customer: str = "ada") -> OrderIn:
    return OrderIn.model_validate(
        {
            "customer": customer,
            "lines": [
                {"sku": "BOOK-1", "quantity": 2, "unit_price_cents": 1999},
                {"sku": "PEN-7", "quantity": 1, "unit_price_cents": 250},
            ],
        }
    )


def test_create_computes_the_total(service: OrderService) -> None:
    order = service.create_order(new_order())
    assert order.status is OrderStatus.PENDING
    assert order.total_cents == 2 * 1999 + 250
    assert service.get_order(order.id) == order


def test_missing_order_raises(service: OrderService) -> None:
    with pytest.raises(OrderNotFound, match="order 42 does not exist"):
        service.get_order(42)


@pytest.mark.parametrize(
    "first, second", [("pay", "pay"), ("pay", "cancel"), ("cancel", "pay"), ("cancel", "cancel")]
)
def test_only_pending_orders_change(service: OrderService, first: str, second: str) -> None:
    order = service.create_order(new_order())
    getattr(service, first)(order.id)
    with pytest.raises(InvalidTransition):
        getattr(service, second)(order.id)


def test_second_read_is_served_from_the_cache(
    service: OrderService, caplog: pytest.LogCaptureFixture
) -> None:
    order = service.create_order(new_order())
    with caplog.at_level(logging.DEBUG, logger="orders"):
        service.get_order(order.id)
        service.get_order(order.id)
    assert [r.message for r in caplog.records] == ["cache miss", "cache hit"]


def test_a_change_invalidates_the_cached_copy(service: OrderService) -> None:
    order = service.create_order(new_order())
    service.get_order(order.id)  # now cached as pending
    service.cancel(order.id)
    assert service.get_order(order.id).status is OrderStatus.CANCELLED


def test_cached_entries_expire(service: OrderService, cache: MemoryCache, clock) -> None:
    order = service.create_order(new_order())
    service.get_order(order.id)
    assert cache.get(f"order:{order.id}") is not None
    clock.now += 61  # the service's TTL is 60 s
    assert cache.get(f"order:{order.id}") is None


class BrokenRedis:
    """Stands in for a Redis server that is down."""

    def __getattr__(self, name: str) -> object:
        def fail(*args: object, **kwargs: object) -> None:
            raise redis.ConnectionError("Connection refused")

        return fail


def test_a_cache_outage_is_not_an_outage(
    make_service: MakeService, caplog: pytest.LogCaptureFixture
) -> None:
    service = make_service(RedisCache(BrokenRedis()))  # type: ignore[arg-type]
    order = service.create_order(new_order())
    assert service.get_order(order.id) == order
    assert "cache unavailable" in caplog.messages


def test_with_a_real_redis(make_service: MakeService, redis_url: str) -> None:
    service = make_service(RedisCache.from_url(redis_url))
    order = service.create_order(new_order("grace"))
    service.get_order(order.id)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert 0 < client.ttl(f"orders:order:{order.id}") <= 60
    service.pay(order.id)
    assert client.exists(f"orders:order:{order.id}") == 0
