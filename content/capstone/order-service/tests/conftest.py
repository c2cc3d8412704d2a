import os
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine

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


@pytest.fixture
def make_service() -> Iterator[Callable[[Cache | None], OrderService]]:
    """A factory of services, each over a fresh in-memory database."""
    engines: list[Engine] = []

    def factory(cache: Cache | None = None) -> OrderService:
        engine = make_engine("sqlite://")
        engines.append(engine)
        create_schema(engine)
        return OrderService(make_session_factory(engine), cache, cache_ttl=60)

    yield factory
    for engine in engines:
        engine.dispose()  # close the connections: Python 3.13 warns about unclosed ones


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(clock: FakeClock) -> MemoryCache:
    return MemoryCache(clock=clock)


@pytest.fixture
def service(
    make_service: Callable[[Cache | None], OrderService], cache: MemoryCache
) -> OrderService:
    return make_service(cache)


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
