"""The shapes that cross the service boundary, validated by Pydantic."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from orders.models import OrderStatus

Sku = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{1,32}$")]
Customer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: int = Field(gt=0, le=1_000)
    unit_price_cents: int = Field(ge=0, le=10_000_000)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: Customer
    lines: list[LineIn] = Field(min_length=1, max_length=100)


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    quantity: int
    unit_price_cents: int


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str
    status: OrderStatus
    lines: list[LineOut]
    total_cents: int
