import json
import logging

import pytest
from fastapi.testclient import TestClient

ORDER = {"customer": "ada", "lines": [{"sku": "BOOK-1", "quantity": 2, "unit_price_cents": 1999}]}


def test_create_returns_201_and_a_location(client: TestClient) -> None:
    response = client.post("/orders", json=ORDER)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/orders/{body['id']}"
    assert body == {
        "id": body["id"],
        "customer": "ada",
        "status": "pending",
        "lines": ORDER["lines"],
        "total_cents": 3998,
    }
    assert client.get(response.headers["location"]).json() == body


@pytest.mark.parametrize(
    "change, field",
    [
        ({"customer": "  "}, "customer"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "BOOK-1", "quantity": 0, "unit_price_cents": 1999}]}, "quantity"),
        ({"lines": [{"sku": "book 1", "quantity": 1, "unit_price_cents": 1999}]}, "sku"),
        ({"discount": 100}, "discount"),
    ],
)
def test_invalid_orders_are_422(client: TestClient, change: dict[str, object], field: str) -> None:
    response = client.post("/orders", json=ORDER | change)
    assert response.status_code == 422
    assert field in {str(part) for error in response.json()["detail"] for part in error["loc"]}


def test_unknown_order_is_404(client: TestClient) -> None:
    response = client.get("/orders/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "order 999 does not exist"}


def test_a_forbidden_transition_is_409(client: TestClient) -> None:
    order_id = client.post("/orders", json=ORDER).json()["id"]
    assert client.post(f"/orders/{order_id}/cancel").status_code == 200
    response = client.post(f"/orders/{order_id}/pay")
    assert response.status_code == 409
    assert response.json() == {"detail": f"order {order_id} is cancelled; it cannot become paid"}


def test_list_filters_by_status(client: TestClient) -> None:
    first = client.post("/orders", json=ORDER).json()["id"]
    second = client.post("/orders", json=ORDER).json()["id"]
    client.post(f"/orders/{second}/pay")
    assert [o["id"] for o in client.get("/orders").json()] == [first, second]
    assert [o["id"] for o in client.get("/orders", params={"status": "paid"}).json()] == [second]
    assert client.get("/orders", params={"status": "lost"}).status_code == 422


def test_every_request_is_logged_as_json(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    from orders.logging import JsonFormatter

    with caplog.at_level(logging.INFO, logger="orders.api"):
        client.get("/orders/7")
    entry = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert entry["message"] == "request"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/orders/7", 404)
