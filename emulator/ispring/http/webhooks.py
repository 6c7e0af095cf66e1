"""iSpring Learn webhook routes (tag "webhook" of the vendor's OpenAPI): thin handlers over ``webhooks``, and
the hand-over of what a request queued (``world.outbox``) to the app's sender (``core.outbound``) once the
request's write is whole and the tenant's lock is released."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from flask import Response, request

from emulator.core.errors import BadRequest
from emulator.core.openapi import Param
from emulator.core.outbound import Delivery
from emulator.core.persistence import read_only
from emulator.core.state import app_state
from emulator.core.store import Tenant
from emulator.ispring.domain import webhooks
from emulator.ispring.domain.access import require
from emulator.ispring.wire.learning import CONFIRM, SUBSCRIBE, SUBSCRIBER, SUBSCRIBER_NAME, UNSUBSCRIBE
from emulator.ispring.domain.models import ApiClient, ISpringWorld
from emulator.ispring.http.routes import ERRORS, answer, bp, learn, permitted_body
from emulator.core.exchange import current

NAME_QUERY = (Param("subscriberName", {"type": "string"}, required=True),)
DONE: dict[int, str | None] = {200: None, **ERRORS, 404: None}


def _check_url(url: str) -> None:
    outbox = app_state().outbox
    if outbox is not None:
        outbox.policy.check(url)


def _name() -> str:
    name = request.args.get("subscriberName")
    if name is None or not name.strip():
        raise BadRequest("subscriberName: required.")
    return name


def _with_callback(client: ApiClient, save: Callable[[str, str, str], object]) -> Response:
    """Register and change settings (SubscriberRequest): the body checked, then the client's permission and the
    callback URL against the webhook policy (``core.outbound``), then ``save`` (name, URL, secret); 200."""
    data = permitted_body(SUBSCRIBER, client, "webhooks")
    _check_url(data["callback_url"])
    save(data["subscriber_name"], data["callback_url"], data["secret"])
    return Response(status=200)


@learn.post("/webhook/register", "Register new subscriber", body="subscriber-request", responses={200: None, **ERRORS})
def register_subscriber(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _with_callback(client, partial(webhooks.register, world))


@learn.post("/webhook/settings/change", "Change subscriber settings", body="subscriber-request", responses=DONE)
def change_subscriber_settings(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _with_callback(client, partial(webhooks.change_settings, world))


def _on_named(client: ApiClient, act: Callable[[str], object]) -> Response:
    """The routes whose body names a subscriber only (SubscriberNameRequest): the body checked, then the
    client's permission, then ``act`` on the name; 200 with no body."""
    name = permitted_body(SUBSCRIBER_NAME, client, "webhooks")["subscriber_name"]
    act(name)
    return Response(status=200)


@learn.post("/webhook/enable", "Enable subscriber", body="subscriber-name-request", responses=DONE)
def enable_subscriber(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _on_named(client, lambda name: webhooks.set_enabled(world, name, True))


@learn.post("/webhook/disable", "Disable subscriber", body="subscriber-name-request", responses=DONE)
def disable_subscriber(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _on_named(client, lambda name: webhooks.set_enabled(world, name, False))


@learn.post("/webhook/remove", "Remove subscriber", body="subscriber-name-request", responses=DONE)
def remove_subscriber(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _on_named(client, partial(webhooks.remove, world))


@learn.post("/webhook/code/send",
            "Send a code to confirm the url (POSTed to the callback URL)", body="subscriber-name-request",
            responses=DONE)
def send_confirmation_code(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _on_named(client, partial(webhooks.send_code, world))


@learn.post("/webhook/confirm", "Confirm subscriber callback url", body="confirm-request", responses=DONE)
def confirm_subscriber(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(CONFIRM, client, "webhooks")
    webhooks.confirm(world, data["subscriber_name"], data["code"])
    return Response(status=200)


@learn.post("/webhook/subscribe", "Add subscription", body="subscribe-request", responses=DONE)
def subscribe(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(SUBSCRIBE, client, "webhooks")
    rule = data["subscription"]
    webhooks.subscribe(world, data["subscriber_name"], rule["subscription_type"],
                       [(p["name"], p["value"]) for p in rule["params"]])
    return Response(status=200)


@learn.post("/webhook/unsubscribe", "Remove subscription", body="unsubscribe-request", responses=DONE)
def unsubscribe(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(UNSUBSCRIBE, client, "webhooks")
    webhooks.unsubscribe(world, data["subscriber_name"], data["subscription_type"])
    return Response(status=200)


@learn.get("/webhook/subscription/list", "List subscriber subscriptions", query=NAME_QUERY,
           responses={200: "subscription-list", **ERRORS, 404: None})
def list_subscriptions(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    name = _name()
    require(client, "webhooks")
    rules = webhooks.get_subscriber(world, name).subscriptions.values()
    data = [{"subscriptionType": r.event_type, "params": [{"name": n, "value": v} for n, v in r.params]}
            for r in rules]
    return answer(data, "subscription-list", media)


@read_only
@learn.get("/webhook/subscriber/info", "Get information about subscriber", query=NAME_QUERY,
           responses={200: "subscriber-info", **ERRORS, 404: None})
def get_subscriber_info(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    name = _name()
    require(client, "webhooks")
    return answer(webhooks.info(world, name), "subscriber-info", media)


# -- the hand-over --------------------------------------------------------------------------------------

def _reporter(tenant: Tenant, name: str, kind: str) -> Callable[[bool, bool], None]:
    """What the sender calls after each attempt: the subscriber's status, under the tenant's lock (the
    world of the moment: a reset may have replaced the one that queued the delivery)."""
    def report(ok: bool, final: bool) -> None:
        with tenant.lock:
            webhooks.delivery_result(ISpringWorld.of(tenant), name, kind, ok, final)
    return report


@bp.after_request
def hand_over_deliveries(response: Response) -> Response:
    """Queue what the request's writes made for the sender; nothing is sent here."""
    tenant: Tenant | None = current().tenant
    outbox = app_state().outbox
    if tenant is None or outbox is None or not ISpringWorld.of(tenant).outbox:  # the common case: no lock taken
        return response
    with tenant.lock:
        world = ISpringWorld.of(tenant)
        pending, world.outbox = world.outbox, []
    for item in pending:
        outbox.put(Delivery(tenant=tenant, vendor="ispring", url=item.url, body=item.body, headers=item.headers,
                            kind=item.kind, on_result=_reporter(tenant, item.subscriber, item.kind)))
    return response
