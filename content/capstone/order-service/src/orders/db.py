"""Engine and session set-up for SQLAlchemy 2.x."""

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from orders.models import Base


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {}
    if url in ("sqlite://", "sqlite:///:memory:"):
        # One in-memory database shared by every thread (tests, TestClient).
        kwargs = {"connect_args": {"check_same_thread": False}, "poolclass": StaticPool}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_foreign_keys)
    return engine


def _enable_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Create missing tables. A long-lived service would run migrations instead."""
    Base.metadata.create_all(engine)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
