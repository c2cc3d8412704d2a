"""The command line: `orders create`, `orders list`, `orders serve`, ..."""

import click
from pydantic import ValidationError

from orders.bootstrap import build_service
from orders.config import Settings
from orders.logging import configure_logging
from orders.models import OrderStatus
from orders.schemas import OrderIn, OrderOut
from orders.service import OrderError, OrderService


def show(order: OrderOut) -> str:
    items = ", ".join(f"{line.quantity} x {line.sku}" for line in order.lines)
    total = f"{order.total_cents / 100:.2f}"
    return f"#{order.id}  {order.customer:<8} {order.status:<9} {total:>9}  {items}"


@click.group()
@click.option(
    "--log-level",
    default="warning",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
)
@click.pass_context
def main(ctx: click.Context, log_level: str) -> None:
    """Manage orders."""
    configure_logging(log_level)
    ctx.obj = Settings.from_env()


def _service(ctx: click.Context) -> OrderService:
    settings: Settings = ctx.obj
    return build_service(settings)


@main.command()
@click.argument("customer")
@click.option(
    "--line",
    "lines",
    multiple=True,
    required=True,
    metavar="SKU:QTY:CENTS",
    help="An order line, e.g. BOOK-1:2:1999. Repeat for more lines.",
)
@click.pass_context
def create(ctx: click.Context, customer: str, lines: tuple[str, ...]) -> None:
    """Create an order for CUSTOMER."""
    parsed = []
    for text in lines:
        sku, _, rest = text.partition(":")
        quantity, _, cents = rest.partition(":")
        parsed.append({"sku": sku, "quantity": quantity, "unit_price_cents": cents})
    try:
        data = OrderIn.model_validate({"customer": customer, "lines": parsed})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.BadParameter(problems, param_hint="--line") from None
    click.echo(show(_service(ctx).create_order(data)))


@main.command("list")
@click.option("--status", type=click.Choice([s.value for s in OrderStatus]))
@click.pass_context
def list_orders(ctx: click.Context, status: str | None) -> None:
    """List orders, oldest first."""
    wanted = OrderStatus(status) if status else None
    for order in _service(ctx).list_orders(wanted):
        click.echo(show(order))


@main.command("show")
@click.argument("order_id", type=int)
@click.pass_context
def show_order(ctx: click.Context, order_id: int) -> None:
    """Print ORDER_ID as JSON."""
    try:
        click.echo(_service(ctx).get_order(order_id).model_dump_json(indent=2))
    except OrderError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("order_id", type=int)
@click.pass_context
def pay(ctx: click.Context, order_id: int) -> None:
    """Mark ORDER_ID as paid."""
    try:
        click.echo(show(_service(ctx).pay(order_id)))
    except OrderError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("order_id", type=int)
@click.pass_context
def cancel(ctx: click.Context, order_id: int) -> None:
    """Cancel ORDER_ID."""
    try:
        click.echo(show(_service(ctx).cancel(order_id)))
    except OrderError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Run the REST API with uvicorn."""
    import uvicorn

    from orders.api import create_app

    uvicorn.run(create_app(_service(ctx)), host=host, port=port, log_config=None)
