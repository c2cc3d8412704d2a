"""The business rules. No HTTP and no command line in here."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from orders.cache import Cache, NullCache
from orders.models import Order, OrderLine, OrderStatus
from orders.schemas import OrderIn, OrderOut

logger = logging.getLogger(__name__)


class OrderError(Exception):
    """Base class of the errors this service raises on purpose."""


class OrderNotFound(OrderError):
    def __init__(self, order_id: int) -> None:
        super().__init__(f"order {order_id} does not exist")
        self.order_id = order_id


class InvalidTransition(OrderError):
    def __init__(self, order_id: int, current: OrderStatus, wanted: OrderStatus) -> None:
        super().__init__(f"order {order_id} is {current}; it cannot become {wanted}")
        self.order_id = order_id


ALLOWED = {
    OrderStatus.PENDING: {OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.PAID: set(),
    OrderStatus.CANCELLED: set(),
}


class OrderService:
    def __init__(
        self, sessions: sessionmaker[Session], cache: Cache | None = None, cache_ttl: int = 300
    ) -> None:
        self._sessions = sessions
        self._cache = cache if cache is not None else NullCache()
        self._ttl = cache_ttl

    def create_order(self, data: OrderIn) -> OrderOut:
        order = Order(
            customer=data.customer,
            lines=[OrderLine(**line.model_dump()) for line in data.lines],
        )
        with self._sessions.begin() as session:
            session.add(order)
            session.flush()  # assigns order.id inside the transaction
            result = OrderOut.model_validate(order)
        logger.info(
            "order created",
            extra={
                "order_id": result.id,
                "customer": result.customer,
                "total_cents": result.total_cents,
            },
        )
        return result

    def get_order(self, order_id: int) -> OrderOut:
        key = f"order:{order_id}"
        if (cached := self._cache.get(key)) is not None:
            logger.debug("cache hit", extra={"order_id": order_id})
            return OrderOut.model_validate_json(cached)
        logger.debug("cache miss", extra={"order_id": order_id})
        with self._sessions() as session:
            order = session.get(Order, order_id)
            if order is None:
                raise OrderNotFound(order_id)
            result = OrderOut.model_validate(order)
        self._cache.set(key, result.model_dump_json(), self._ttl)
        return result

    def list_orders(self, status: OrderStatus | None = None) -> list[OrderOut]:
        query = select(Order).order_by(Order.id)
        if status is not None:
            query = query.where(Order.status == status)
        with self._sessions() as session:
            return [OrderOut.model_validate(o) for o in session.scalars(query)]

    def pay(self, order_id: int) -> OrderOut:
        return self._transition(order_id, OrderStatus.PAID)

    def cancel(self, order_id: int) -> OrderOut:
        return self._transition(order_id, OrderStatus.CANCELLED)

    def _transition(self, order_id: int, wanted: OrderStatus) -> OrderOut:
        with self._sessions.begin() as session:
            order = session.get(Order, order_id, with_for_update=True)
            if order is None:
                raise OrderNotFound(order_id)
            current = OrderStatus(order.status)
            if wanted not in ALLOWED[current]:
                raise InvalidTransition(order_id, current, wanted)
            order.status = wanted
            result = OrderOut.model_validate(order)
        # Committed: now drop the cached copy, so the next read sees the change.
        self._cache.delete(f"order:{order_id}")
        logger.info("order %s", wanted, extra={"order_id": order_id})
        return result
