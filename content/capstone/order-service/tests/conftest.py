import os
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from orders.api import create_app
from orders.cache import Cache, MemoryCache
from orders.db import create_schema, make_engine, make_session_factory
from orders.service import OrderService

# Database work makes examples slower than Hypothesis's 200 ms default deadline on a busy
# CI machine; "ci" also derandomizes, so a red build can be rerun with the same inputs.
settings.register_profile("dev", deadline=None, max_examples=50)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=200,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def new_service(cache: Cache | None = None) -> OrderService:
    """A service over a fresh in-memory database."""
    engine = make_engine("sqlite://")
    create_schema(engine)
    return OrderService(make_session_factory(engine), cache, cache_ttl=60)


@pytest.fixture
def make_service() -> Callable[[Cache | None], OrderService]:
    return new_service


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(clock: FakeClock) -> MemoryCache:
    return MemoryCache(clock=clock)


@pytest.fixture
def service(cache: MemoryCache) -> OrderService:
    return new_service(cache)


@pytest.fixture
def client(service: OrderService) -> Iterator[TestClient]:
    with TestClient(create_app(service)) as test_client:
        yield test_client


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    return url
