"""What a portal sells and how learners get in: course bundles, coupons, e-commerce transactions and enrollment
keys (the vendor's Course bundles, Coupons, E-commerce and Enrollment keys pages), and the for-sale lists.

Seeded from a generator of its own (``seed_offerings`` in ``absorb.seed``), after everything else, so no id
seeded before it moved. What it sets on existing entities (a course's ``prices``) only fills empty fields.

Rules (the emulator's choices where the vendor is silent, in ``CHOICES`` and docs/VENDOR-NOTES.md):
- an item is *for sale* when it is active and has at least one price (``courses/for-sale``,
  ``course-bundles/for-sale``, ``curriculums/for-sale``);
- a transaction's cart names real courses and bundles at their price; a multi-seat purchase made the enrollment
  keys that name the transaction's ``referenceNumber`` as their ``externalId``;
- an enrollment key's ``timesUsed`` counts the active enrollments carrying its id (``enrollmentKeyId``) on top of
  the uses seeded before the emulator's history.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..core.wire import new_guid
from .catalogue import Curriculum, catalogue_of
from .lookups import find
from .models import ACTIVE, AbsorbWorld, Course

CURRENCY = "USD"
BUNDLES = ("Compliance Essentials Bundle", "New Manager Bundle", "Technology Starter Pack")
COUPONS = (("SPRING25", 1, 25.0), ("WELCOME10", 1, 10.0), ("SAVE50", 0, 50.0), ("EXPIRED15", 1, 15.0))
KEYS = ("Partner Onboarding", "Conference Attendees", "Customer Academy")
PAYMENT_METHODS = (1, 2, 4, 8, 16)  # CreditCard, PayPal, WireTransfer, Check, PurchaseOrder (vendor's enum)
TRANSACTION_STATUSES = ("Approved", "Declined", "PendingApproval")  # vendor's values
TRANSACTIONS = 6


@dataclass(slots=True)
class Price:
    """A price of a course or a bundle: for every department (``department_id`` None) or one."""

    id: str
    department_id: str | None
    currency: str
    amount: float


@dataclass(slots=True)
class CourseBundle:
    id: str
    name: str
    description: str | None
    course_ids: list[str]
    prices: list[Price]
    active_status: int
    external_id: str | None
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class Coupon:
    """``discount_type`` 0 an amount off, 1 a percentage off; ``course_ids``/``course_bundle_ids`` empty: any item."""

    id: str
    name: str
    description: str | None
    code: str
    discount_type: int
    discount: float
    max_uses: int | None
    times_used: int
    expiry_date: datetime | None
    course_ids: list[str]
    course_bundle_ids: list[str]
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class TransactionDetail:
    """A cart line: a course or a bundle (``item_type`` "Course" / "CourseBundle"), a quantity of seats."""

    item_id: str
    item_type: str
    name: str
    quantity: int
    unit_price: float


@dataclass(slots=True)
class Transaction:
    id: str
    payment_gateway_transaction_id: str | None
    transaction_date: datetime
    transaction_completed_date: datetime | None
    status: str
    details: list[TransactionDetail]
    payment_method: int
    card_type: str | None
    masked_card_number: str | None
    user_id: str
    billing_first_name: str
    billing_last_name: str
    billing_address: str | None
    billing_email_address: str | None
    learner_email_address: str | None
    learner_first_name: str
    learner_last_name: str
    reference_number: str
    coupon_code: str | None
    discount: float
    sub_total: float
    total: float
    currency: str = CURRENCY

    @property
    def province_tax_label(self) -> str | None:
        return None

    @property
    def province_tax(self) -> float:
        return 0.0

    @property
    def country_tax_label(self) -> str | None:
        return None

    @property
    def country_tax(self) -> float:
        return 0.0


@dataclass(slots=True)
class EnrollmentKeyCourse:
    course_id: str | None
    session_id: str | None = None
    course_collection_id: str | None = None  # a bundle's id


@dataclass(slots=True)
class EnrollmentKey:
    id: str
    name: str
    key_name: str
    department_id: str | None
    username_type: int  # 0 UserInput, 1 Email, 2 FirstNameLastName (vendor's enum)
    max_uses: int | None
    seeded_uses: int  # uses before the emulator's history; ``timesUsed`` adds the enrollments carrying the key
    date_added: datetime
    date_edited: datetime
    start_date: datetime | None
    expiry_date: datetime | None
    language_id: int
    send_new_user_message_on_enrollment: bool
    external_id: str | None
    courses: list[EnrollmentKeyCourse] = field(default_factory=list)
    signup_fields: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Commerce:
    """One portal's bundles, coupons, transactions and enrollment keys (``world.commerce``)."""

    course_bundles: dict[str, CourseBundle] = field(default_factory=dict)
    coupons: dict[str, Coupon] = field(default_factory=dict)
    transactions: dict[str, Transaction] = field(default_factory=dict)
    enrollment_keys: dict[str, EnrollmentKey] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"courseBundles": len(self.course_bundles), "coupons": len(self.coupons),
                "transactions": len(self.transactions), "enrollmentKeys": len(self.enrollment_keys)}


def commerce_of(world: AbsorbWorld) -> Commerce:
    if world.commerce is None:
        world.commerce = Commerce()
    found: Commerce = world.commerce
    return found


# -- seeding ---------------------------------------------------------------------------------------------------

def seed(world: AbsorbWorld, rng: random.Random, anchor: datetime) -> None:
    shop = Commerce()
    world.commerce = shop

    def added() -> tuple[datetime, datetime]:
        at = (anchor - timedelta(days=rng.randint(200, 900), seconds=rng.randint(0, 86399))).replace(microsecond=0)
        return at, at + timedelta(days=rng.randint(0, 150))

    def price(amount: float) -> Price:
        return Price(new_guid(rng), None, CURRENCY, amount)

    active = [c for c in world.courses.values() if c.active_status == ACTIVE]
    for course in active:
        if not course.prices and rng.random() < 0.4:
            course.prices = [{"id": new_guid(rng), "departmentId": None, "currency": CURRENCY,
                              "amount": float(rng.choice((49, 99, 149, 199, 299)))}]
    for n, name in enumerate(BUNDLES):
        picked = sorted(c.id for c in rng.sample(active, min(3, len(active))))
        bundle = CourseBundle(new_guid(rng), name, f"{name}: {len(picked)} courses at a lower price.", picked,
                              [price(float(rng.choice((199, 249, 399))))] if n < 2 else [],
                              ACTIVE, f"BUN-{n + 1:03d}", *added())
        shop.course_bundles[bundle.id] = bundle
    bundles = list(shop.course_bundles.values())
    for curriculum in list(catalogue_of(world).curricula.values())[:1]:
        if not curriculum.prices:
            curriculum.prices = [{"id": new_guid(rng), "departmentId": None, "currency": CURRENCY, "amount": 499.0}]
    for n, (code, kind, amount) in enumerate(COUPONS):
        when = added()
        expiry = anchor - timedelta(days=30) if code.startswith("EXPIRED") else anchor + timedelta(days=90 + n)
        coupon = Coupon(new_guid(rng), f"{code} promotion", None, code, kind, amount, rng.choice((None, 100, 500)),
                        0, expiry.replace(microsecond=0), [], [bundles[0].id] if n == 2 and bundles else [], *when)
        shop.coupons[coupon.id] = coupon
    learners = [u for u in world.users.values() if not u.is_admin]
    for_sale = [c for c in active if c.prices]
    for n in range(min(TRANSACTIONS, len(learners)) if for_sale else 0):
        _transaction(world, shop, rng, learners[rng.randrange(len(learners))], for_sale, n, added()[0])
    _seed_keys(world, shop, rng, added)


def _transaction(world: AbsorbWorld, shop: Commerce, rng: random.Random, buyer: Any, for_sale: list[Course],
                     n: int, at: datetime) -> None:
    course = rng.choice(for_sale)
    seats = 5 if n == 0 else 1
    unit = float(course.prices[0]["amount"])
    coupon = next((c for c in shop.coupons.values() if c.discount_type == 1), None) if n == 1 else None
    sub_total = unit * seats
    discount = round(sub_total * coupon.discount / 100, 2) if coupon is not None else 0.0
    status = TRANSACTION_STATUSES[0] if n < TRANSACTIONS - 2 else TRANSACTION_STATUSES[n - TRANSACTIONS + 3]
    method = PAYMENT_METHODS[n % len(PAYMENT_METHODS)]
    card = method == 1
    transaction = Transaction(
        new_guid(rng), f"ch_{rng.getrandbits(48):012x}" if card else None, at,
        at + timedelta(minutes=rng.randint(1, 90)) if status != "PendingApproval" else None, status,
        [TransactionDetail(course.id, "Course", course.name, seats, unit)], method, "Visa" if card else None,
        f"{rng.randint(0, 9999):04d}" if card else None, buyer.id, buyer.first_name, buyer.last_name,
        buyer.address, buyer.email_address, buyer.email_address, buyer.first_name, buyer.last_name,
        f"TX-{n + 1:05d}", coupon.code if coupon is not None else None, discount, sub_total,
        round(sub_total - discount, 2))
    if coupon is not None:
        coupon.times_used += 1
    shop.transactions[transaction.id] = transaction


def _seed_keys(world: AbsorbWorld, shop: Commerce, rng: random.Random, added: Any) -> None:
    departments = list(world.departments)
    multi_seat = [t for t in shop.transactions.values() if any(d.quantity > 1 for d in t.details)]
    for n, name in enumerate(KEYS):
        date_added, date_edited = added()
        source = multi_seat[0] if n == 0 and multi_seat else None
        courses = ([EnrollmentKeyCourse(source.details[0].item_id)] if source is not None else
                   [EnrollmentKeyCourse(c.id) for c in rng.sample(list(world.courses.values()),
                                                                  min(2, len(world.courses))) if not c.is_ilc])
        key = EnrollmentKey(
            new_guid(rng), name, f"{name.split()[0].upper()}-{rng.randint(1000, 9999)}",
            rng.choice(departments) if departments else None, n % 3,
            source.details[0].quantity if source is not None else rng.choice((None, 50)),
            rng.randint(0, 3), date_added, date_edited, date_added if n != 1 else None,
            None if n != 2 else date_edited + timedelta(days=365), 0, n == 0,
            source.reference_number if source is not None else None, courses or [])
        shop.enrollment_keys[key.id] = key


# -- reads ------------------------------------------------------------------------------------------------------

def get_course_bundle(world: AbsorbWorld, bundle_id: str) -> CourseBundle:
    return find(commerce_of(world).course_bundles, bundle_id, "Course bundle")


def get_coupon(world: AbsorbWorld, coupon_id: str) -> Coupon:
    return find(commerce_of(world).coupons, coupon_id, "Coupon")


def get_transaction(world: AbsorbWorld, transaction_id: str) -> Transaction:
    return find(commerce_of(world).transactions, transaction_id, "E-commerce transaction")


def get_enrollment_key(world: AbsorbWorld, key_id: str) -> EnrollmentKey:
    return find(commerce_of(world).enrollment_keys, key_id, "Enrollment key")


def courses_for_sale(world: AbsorbWorld) -> list[Course]:
    """``courses/for-sale``: the active courses with a price."""
    return [c for c in world.courses.values() if c.active_status == ACTIVE and c.prices]


def bundles_for_sale(world: AbsorbWorld) -> list[CourseBundle]:
    """``course-bundles/for-sale``: the active bundles with a price."""
    return [b for b in commerce_of(world).course_bundles.values() if b.active_status == ACTIVE and b.prices]


def curricula_for_sale(world: AbsorbWorld) -> list[Curriculum]:
    """``curriculums/for-sale``: the active curricula with a price."""
    return [c for c in catalogue_of(world).curricula.values() if c.active_status == ACTIVE and c.prices]


def times_used(world: AbsorbWorld, key: EnrollmentKey) -> int:
    """The seeded uses, plus the active enrollments that name the key."""
    return key.seeded_uses + sum(1 for e in world.enrollments.values() if e.is_active and e.enrollment_key_id == key.id)
