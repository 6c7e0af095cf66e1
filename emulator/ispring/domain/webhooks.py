"""iSpring Learn's webhooks: subscribers, their confirmation, their subscriptions, and the events they are sent.

Plain functions taking the world first; routes call them under the tenant's lock. Nothing here sends: an event
or a confirmation code becomes an ``Outgoing`` in ``world.outbox``, which the routes hand to the app's sender
(``core.outbound``) once the request's write is whole.

The vendor's rules (help pages "Webhooks", and each operation's page):

- A subscriber is registered ACTIVE and UNCONFIRMED; its name is unique in the account (255 characters at
  most, as are the callback URL and the secret).
- ``POST /webhook/code/send`` POSTs ``{"type": "CONFIRMATION", "payloads": ["{\\"code\\": \\"...\\"}"]}`` to the
  callback URL (the payload is a JSON string: Pipedream's source does ``JSON.parse(payloads[0])``); only the
  last code sent works; ``POST /webhook/confirm`` with it confirms the URL. Changing the URL unconfirms it.
- Events go to each subscriber that is enabled, confirmed and subscribed to the event's type, as
  ``{"type": <event type>, "payloads": [...]}``; one request carries the events of one type one write made.
  The subscription's ``params`` filter them (``userIds``, ``courseIds``, ``courseItemIds``: JSON arrays in a
  string, as the help page's sample sends them).
- With a secret, each request carries ``X-Hub-Signature``: SHA-256 (hex) of the body followed by the secret.
- A delivery that keeps failing suspends the subscriber (``notificationProcessStatus`` SUSPENDED); when it
  finally fails, the URL becomes UNCONFIRMED again (the vendor does so after a day of retries; the emulator
  after ``core.outbound``'s bounded retries).
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from emulator.core.errors import BadRequest, NotFound
from emulator.ispring.domain.lookups import lookup
from emulator.ispring.domain.models import ISpringWorld, Subscriber, SubscriptionRule

EVENT_TYPES = ("USER_REGISTERED", "LEARNERS_ENROLLED_IN_COURSE", "TRAINING_MEETING_ADDED", "TRAINING_MEETING_REMOVED",
               "TRAINING_MEETING_UPDATED", "TRAINING_SESSION_PARTICIPANTS_ADDED",
               "TRAINING_SESSION_PARTICIPANT_REMOVED", "COURSE_COMPLETED_SUCCESSFULLY", "COURSE_STATUS_CHANGED",
               "COURSE_ITEM_COMPLETED_SUCCESSFULLY", "COURSE_ITEM_STATUS_CHANGED")
FILTERS = {  # help page "Adding a Subscription": the params each event type takes
    "LEARNERS_ENROLLED_IN_COURSE": ("userIds", "courseIds"),
    "TRAINING_SESSION_PARTICIPANTS_ADDED": ("userIds",),
    "TRAINING_SESSION_PARTICIPANT_REMOVED": ("userIds",),
    "COURSE_COMPLETED_SUCCESSFULLY": ("userIds", "courseIds"),
    "COURSE_ITEM_COMPLETED_SUCCESSFULLY": ("userIds", "courseItemIds"),
    "COURSE_STATUS_CHANGED": ("userIds", "courseIds"),
    "COURSE_ITEM_STATUS_CHANGED": ("userIds", "courseItemIds"),
}
# which payload key each filter reads (a list of learners or one learner)
FILTER_KEYS = {"userIds": ("learnerIds", "learnerId", "userId"), "courseIds": ("courseId",),
               "courseItemIds": ("courseItemId",)}
TEXT_LIMIT = 255  # help pages: subscriberName, callbackUrl and secret "can have up to 255 characters"
CONFIRMATION = "CONFIRMATION"
SIGNATURE_HEADER = "X-Hub-Signature"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A request for the sender: plain data (the world may be saved to the state file while it waits)."""

    subscriber: str
    url: str
    body: bytes
    headers: tuple[tuple[str, str], ...]
    kind: str  # CONFIRMATION or an event type


def _text(name: str, value: str, *, required: bool = True) -> str:
    if required and not value.strip():
        raise BadRequest(f"{name}: must not be empty.")
    if len(value) > TEXT_LIMIT:
        raise BadRequest(f"{name}: at most {TEXT_LIMIT} characters.")
    return value


def get_subscriber(world: ISpringWorld, name: str) -> Subscriber:
    return lookup(world.subscribers, name, "Subscriber")


# -- the subscriber lifecycle ------------------------------------------------------------------------

def register(world: ISpringWorld, name: str, callback_url: str, secret: str | None) -> Subscriber:
    """A new subscriber (the URL already checked by the route: loopback or allowed)."""
    _text("subscriberName", name)
    _text("callbackUrl", callback_url)
    if secret is not None:
        _text("secret", secret, required=False)
    if name in world.subscribers:
        raise BadRequest(f"subscriberName: a subscriber named '{name}' already exists.")
    subscriber = Subscriber(name=name, callback_url=callback_url, secret=secret or None)
    world.subscribers[name] = subscriber
    return subscriber


def change_settings(world: ISpringWorld, name: str, callback_url: str, secret: str | None) -> None:
    """New URL and secret; a new URL must be confirmed again (help page)."""
    subscriber = get_subscriber(world, name)
    _text("callbackUrl", callback_url)
    if secret is not None:
        _text("secret", secret, required=False)
    if callback_url != subscriber.callback_url:
        subscriber.confirmed, subscriber.code = False, None
    subscriber.callback_url, subscriber.secret = callback_url, secret or None


def set_enabled(world: ISpringWorld, name: str, enabled: bool) -> None:
    get_subscriber(world, name).enabled = enabled


def remove(world: ISpringWorld, name: str) -> None:
    get_subscriber(world, name)
    del world.subscribers[name]


def send_code(world: ISpringWorld, name: str) -> str:
    """A new confirmation code (earlier ones stop working), queued for the callback URL."""
    subscriber = get_subscriber(world, name)
    subscriber.code = str(uuid.UUID(int=world.rng.getrandbits(128), version=1))  # the help page's codes: UUID v1
    payload = json.dumps({"code": subscriber.code})
    _queue(world, subscriber, CONFIRMATION, [payload])
    return subscriber.code


def confirm(world: ISpringWorld, name: str, code: str) -> None:
    subscriber = get_subscriber(world, name)
    if subscriber.code is None or code.strip().lower() != subscriber.code:
        raise BadRequest("code: not the last confirmation code sent to this subscriber.")
    subscriber.confirmed, subscriber.code, subscriber.suspended = True, None, False


def subscribe(world: ISpringWorld, name: str, event_type: str, params: list[tuple[str, str]]) -> None:
    """Add (or replace) the subscriber's subscription to ``event_type``."""
    subscriber = get_subscriber(world, name)
    if event_type not in EVENT_TYPES:
        raise BadRequest(f"subscription.subscriptionType: '{event_type}' is not one of {', '.join(EVENT_TYPES)}.")
    allowed = FILTERS.get(event_type, ())
    for i, (param, value) in enumerate(params):
        if param not in allowed:
            raise BadRequest(f"subscription.params[{i}].name: '{param}' is not a filter of {event_type} "
                             f"({', '.join(allowed) or 'none'}).")
        _filter_values(f"subscription.params[{i}].value", value)
    subscriber.subscriptions[event_type] = SubscriptionRule(event_type=event_type, params=list(params))


def unsubscribe(world: ISpringWorld, name: str, event_type: str) -> None:
    subscriber = get_subscriber(world, name)
    if event_type not in subscriber.subscriptions:
        raise NotFound("Subscription not found")
    del subscriber.subscriptions[event_type]


def info(world: ISpringWorld, name: str) -> dict[str, str]:
    """The document's GetSubscriberInfoResponse."""
    subscriber = get_subscriber(world, name)
    sending = subscriber.enabled and subscriber.confirmed
    return {"subscriberStatus": "ACTIVE" if subscriber.enabled else "INACTIVE",
            "confirmationStatus": "CONFIRMED" if subscriber.confirmed else "UNCONFIRMED",
            "notificationProcessStatus": "SUSPENDED" if sending and subscriber.suspended
            else "ACTIVE" if sending else "INACTIVE"}


def delivery_result(world: ISpringWorld, name: str, kind: str, ok: bool, final: bool) -> None:
    """What a delivery's outcome does to its subscriber (the sender reports it, under the tenant's lock)."""
    subscriber = world.subscribers.get(name)
    if subscriber is None or kind == CONFIRMATION:
        return
    if ok:
        subscriber.suspended = False
    elif final:
        subscriber.suspended, subscriber.confirmed = False, False
    else:
        subscriber.suspended = True


# -- events ----------------------------------------------------------------------------------------

def emit(world: ISpringWorld, event_type: str, payloads: list[dict[str, Any]]) -> int:
    """Queue ``payloads`` of ``event_type`` for every subscriber that listens to it (enabled, confirmed,
    subscribed), each filtered by the subscription's params; how many requests were queued."""
    queued = 0
    for subscriber in world.subscribers.values():
        rule = subscriber.subscriptions.get(event_type)
        if rule is None or not (subscriber.enabled and subscriber.confirmed):
            continue
        kept = [p for p in (_filtered(p, rule) for p in payloads) if p is not None]
        if kept:
            _queue(world, subscriber, event_type, kept)
            queued += 1
    return queued


def signature(body: bytes, secret: str) -> str:
    """The help page's X-Hub-Signature: SHA-256 of the body concatenated with the secret, as hex."""
    return hashlib.sha256(body + secret.encode()).hexdigest()


def _queue(world: ISpringWorld, subscriber: Subscriber, kind: str, payloads: list[Any]) -> None:
    body = json.dumps({"type": kind, "payloads": payloads}, separators=(",", ":")).encode()
    headers = [("Content-Type", "application/json")]
    if subscriber.secret:
        headers.append((SIGNATURE_HEADER, signature(body, subscriber.secret)))
    world.outbox.append(Outgoing(subscriber=subscriber.name, url=subscriber.callback_url, body=body,
                                 headers=tuple(headers), kind=kind))


def _filter_values(name: str, value: str) -> set[str]:
    try:
        values = json.loads(value)
    except ValueError:
        values = None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BadRequest(f"{name}: must be a JSON array of ids in a string, e.g. '[\"<uuid>\"]'.")
    return {v.lower() for v in values}


def _filtered(payload: dict[str, Any], rule: SubscriptionRule) -> dict[str, Any] | None:
    """The payload as the subscription lets it through (a list of learners narrowed), or None."""
    out = dict(payload)
    for param, value in rule.params:
        wanted = _filter_values(param, value)
        if not wanted:  # an empty list filters nothing (Pipedream sends "[]" for "any")
            continue
        for key in FILTER_KEYS.get(param, ()):
            if key not in out:
                continue
            if isinstance(out[key], list):
                out[key] = [v for v in out[key] if v in wanted]
                if not out[key]:
                    return None
            elif out[key] not in wanted:
                return None
    return out
