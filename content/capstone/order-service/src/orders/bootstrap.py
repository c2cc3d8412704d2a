"""The composition root: the one place that knows every concrete class."""

from orders.cache import RedisCache
from orders.config import Settings
from orders.db import create_schema, make_engine, make_session_factory
from orders.service import OrderService


def build_service(settings: Settings) -> OrderService:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    cache = RedisCache.from_url(settings.redis_url) if settings.redis_url else None
    return OrderService(make_session_factory(engine), cache, settings.cache_ttl)
