"""The REST API: HTTP in, service calls, HTTP out."""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response, status
from fastapi.responses import JSONResponse

from orders.models import OrderStatus
from orders.schemas import OrderIn, OrderOut
from orders.service import InvalidTransition, OrderNotFound, OrderService

logger = logging.getLogger(__name__)


def get_service(request: Request) -> OrderService:
    service: OrderService = request.app.state.service
    return service


Service = Annotated[OrderService, Depends(get_service)]


def create_app(service: OrderService) -> FastAPI:
    app = FastAPI(title="Order service", version="0.1.0")
    app.state.service = service

    @app.post("/orders", status_code=status.HTTP_201_CREATED)
    def create_order(data: OrderIn, service: Service, response: Response) -> OrderOut:
        order = service.create_order(data)
        response.headers["Location"] = f"/orders/{order.id}"
        return order

    @app.get("/orders")
    def list_orders(service: Service, status: OrderStatus | None = None) -> list[OrderOut]:
        return service.list_orders(status)

    @app.get("/orders/{order_id}")
    def get_order(order_id: int, service: Service) -> OrderOut:
        return service.get_order(order_id)

    @app.post("/orders/{order_id}/pay")
    def pay_order(order_id: int, service: Service) -> OrderOut:
        return service.pay(order_id)

    @app.post("/orders/{order_id}/cancel")
    def cancel_order(order_id: int, service: Service) -> OrderOut:
        return service.cancel(order_id)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(OrderNotFound)
    async def not_found(request: Request, exc: OrderNotFound) -> JSONResponse:
        return JSONResponse(status_code=status.HTTP_404_NOT_FOUND, content={"detail": str(exc)})

    @app.exception_handler(InvalidTransition)
    async def conflict(request: Request, exc: InvalidTransition) -> JSONResponse:
        return JSONResponse(status_code=status.HTTP_409_CONFLICT, content={"detail": str(exc)})

    @app.middleware("http")
    async def log_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    return app
