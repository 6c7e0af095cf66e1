"""A deterministic iSpring Learn account for one tenant: the same seed gives the same world, ids included.

Shape: account ``https://<tenant id>.ispringlearn.local``; DEPARTMENTS
departments; USERS users with profile fields (every SHORT_NAMES-th one has no
first or last name, so the answer falls back to the login), statuses mostly
ACTIVE with some DEACTIVATED, DELETED and TERMINATED; SESSIONS appraisal
sessions cycling NOT_STARTED / IN_PROGRESS / COMPLETED with 8..16
participants each; three API clients: owner (ACCOUNT_OWNER), administrator
(ACCOUNT_ADMINISTRATOR) and learner (LEARNER), each owned by a user of that role.
Then, from the same generator (so the entities above keep their ids): each user's
added and last-login dates, each session's manager (the account owner), dates that
fit its status, competency profile id, instructions, QUESTIONS questions, and the
users permitted to manage it (owner and administrator).

With a fixture (``ctx.fixture``, see ``schemas.FixtureSchema``) the account
holds exactly the fixture's entities instead.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from emulator.core.fake import Fake
from emulator.core.scale import Scale
from emulator.core.seedrandom import letters
from emulator.core.vendor import WorldContext
from emulator.core.wire import new_guid
from emulator.ispring.domain import service
from emulator.ispring.domain.groups import seed_groups
from emulator.ispring.domain.groups import SEEDED as SEEDED_GROUPS
from emulator.ispring.domain.models import (
    ACCOUNT_ADMINISTRATOR, ACCOUNT_OWNER, LEARNER, SESSION_STATUSES, ApiClient, AppraisalQuestion,
    AppraisalSession, Department, Group, ISpringWorld, ProfileField, User,
)
from emulator.ispring.wire.schemas import load_fixture
from emulator.ispring.wire.learning_fixture import apply_learning
from emulator.ispring.seed.draws import Draws, QuickDraws
from emulator.ispring.seed.learning import seed_learning
from emulator.ispring.seed.fixture_plan import plan_fixture

DEPARTMENTS = ("Sales", "Marketing", "Customer Success", "Engineering", "Finance", "Human Resources")
USERS = 40
SHORT_NAMES = 9  # every 9th user has neither first nor last name: displayingName falls back to the login
SESSIONS = 6
PARTICIPANTS = (8, 16)
PASSWORD_LENGTH = 12
SECRET_LETTERS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CLIENTS = (("owner", ACCOUNT_OWNER), ("administrator", ACCOUNT_ADMINISTRATOR), ("learner", LEARNER))
SESSION_TITLES = ("Annual performance review", "Mid-year check-in", "Probation review", "360° feedback",
                  "Quarterly goals review", "Leadership assessment")
QUESTIONS = (("What went well in this period?", True, ("REVIEWER_ROLE_SELF_REVIEW", "REVIEWER_ROLE_DIRECT_MANAGER")),
             ("What should change in the next period?", True,
              ("REVIEWER_ROLE_SELF_REVIEW", "REVIEWER_ROLE_DIRECT_MANAGER")),
             ("Anything else to add?", False, ("REVIEWER_ROLE_DIRECT_MANAGER",)))
SESSION_DAYS = 30  # a session runs a month
CUSTOM_FIELDS = (("USER_DEFINED_FIELD1", "Employee number"), ("USER_DEFINED_FIELD2", "Office"),
                 ("USER_DEFINED_FIELD3", "Hire date"))


def account_url(tenant_id: str) -> str:
    return f"https://{tenant_id}.ispringlearn.local"


def build_world(ctx: WorldContext) -> ISpringWorld:
    rng = ctx.rng
    world = ISpringWorld(account_url=account_url(ctx.tenant_id))
    if ctx.fixture is not None:
        apply_fixture(world, ctx.fixture, rng, ctx.anchor)
        return world
    fake, scale = Fake(rng), ctx.scale
    departments = [Department(id=new_guid(rng), name=name) for name in DEPARTMENTS]
    for n in range(scale.of(len(DEPARTMENTS)) - len(DEPARTMENTS)):  # a larger world's regional departments
        division = departments[n % len(DEPARTMENTS)]
        departments.append(Department(id=new_guid(rng), name=f"{DEPARTMENTS[n % len(DEPARTMENTS)]} {fake.city()}",
                                      parent_id=division.id))
    world.departments = {d.id: d for d in departments}
    taken: set[str] = set()
    today = ctx.anchor.date()
    hire_dates: dict[int, date] = {}  # days before the anchor -> that date, made once (shared: immutable)
    draws = (Draws if scale.default else QuickDraws)(rng, fake, departments)
    for n, (first, last, status, days, user_id, department_id, job, phone, number, office) in enumerate(
            draws.users(USERS if scale.users is None else scale.users)):
        login = fake.username(first, last, taken)
        role = ACCOUNT_OWNER if n == 0 else ACCOUNT_ADMINISTRATOR if n == 1 else LEARNER
        hired = hire_dates.get(days) or hire_dates.setdefault(days, today - timedelta(days=days))
        short = n % SHORT_NAMES == 4
        # id, login, first and last name, email, department, status, role, fields: by position, in the dataclass's
        # order (a keyword call to a dataclass costs ~1.3 us more, its __init__ gets a dict; data.json unchanged)
        world.users[user_id] = User(user_id, login, "" if short else first, "" if short else last,
                                    f"{login}@example.com", department_id, status, role, [
                                        ProfileField("JOB_TITLE", "Job title", job),
                                        ProfileField("PHONE", "Phone", phone),
                                        ProfileField(CUSTOM_FIELDS[0][0], CUSTOM_FIELDS[0][1], f"E{number}"),
                                        ProfileField(CUSTOM_FIELDS[1][0], CUSTOM_FIELDS[1][1], office),
                                        ProfileField(CUSTOM_FIELDS[2][0], CUSTOM_FIELDS[2][1], hired),
                                    ])
    users = list(world.users.values())
    for n in range(scale.of(SESSIONS)):
        year = 2024 + (n // 3) % 3  # the default six: 2024 and 2025
        session = AppraisalSession(id=new_guid(rng), title=f"{SESSION_TITLES[n % len(SESSION_TITLES)]} {year}",
                                   status=SESSION_STATUSES[n % len(SESSION_STATUSES)])
        world.sessions[session.id] = session
        service.seed_participants(world, session.id, [u.id for u in rng.sample(users, rng.randint(*PARTICIPANTS))])
    for name, role in CLIENTS:
        owner = next(u for u in users if u.role == role)
        client = ApiClient(name=name, client_id=new_guid(rng), client_secret=_secret(rng), role=role, user_id=owner.id)
        world.clients[client.client_id] = client
    _seed_details(world, rng, ctx.anchor, draws)
    _seed_people(world, rng, scale.of(len(SEEDED_GROUPS)) - len(SEEDED_GROUPS), scale)
    seed_learning(world, rng, ctx.anchor, scale)
    return world


def _seed_people(world: ISpringWorld, rng: Any, cohorts: int, scale: Scale) -> None:
    """Drawn after everything above, so nothing seeded before moved: every user's password (login mode), the
    groups, and the generator of ids made at run time."""
    if scale.default:
        for user in world.users.values():
            user.password = _secret(rng)[:12]
    else:  # a sized account's (core.scale): the passwords' letters drawn at once, 12 each (not 32 cut to 12)
        letters_drawn = letters(rng, SECRET_LETTERS, PASSWORD_LENGTH * len(world.users))
        for start, user in enumerate(world.users.values()):
            user.password = letters_drawn[start * PASSWORD_LENGTH:(start + 1) * PASSWORD_LENGTH]
    seed_groups(world, rng, cohorts)
    world.rng = random.Random(rng.getrandbits(64))


def department_code(name: str) -> str:
    return "-".join(name.split()).upper()


def _seed_details(world: ISpringWorld, rng: Any, anchor: datetime, draws: Draws) -> None:
    """What the lookups show besides the entities: dates, codes, session details (see the module docstring)."""
    for department in world.departments.values():
        department.code = department_code(department.name)
    # timedelta(days, seconds) by position: twice as fast as by keyword
    for user, (added_days, added_seconds, login_days, login_seconds) in zip(
            world.users.values(), draws.times(len(world.users)), strict=True):
        user.added = anchor - timedelta(added_days, added_seconds)
        user.last_login = max(user.added, anchor - timedelta(login_days, login_seconds))
    owner = next((u.id for u in world.users.values() if u.role == ACCOUNT_OWNER), None)
    permitted = [u.id for u in world.users.values() if u.role in (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR)]
    for session in world.sessions.values():
        offset = {"NOT_STARTED": rng.randint(5, 40), "IN_PROGRESS": -rng.randint(1, SESSION_DAYS - 1),
                  "COMPLETED": -rng.randint(SESSION_DAYS + 1, 400)}[session.status]
        session.start = anchor + timedelta(days=offset, hours=9)
        session.end = session.start + timedelta(days=SESSION_DAYS)
        session.manager_id, session.profile_id = owner, new_guid(rng)
        session.permitted_user_ids = list(permitted)
        session.description = f"{session.title}: goals, results and feedback for the period."
        session.instruction = "Rate each competency and explain your rating with examples."
        session.self_review_instruction = "Review your own work first; your manager sees your answers."
        session.questions = [AppraisalQuestion(id=new_guid(rng), text=text, is_required=required,
                                               target_roles=list(roles)) for text, required, roles in QUESTIONS]


def _secret(rng: Any) -> str:
    return letters(rng, SECRET_LETTERS, 32)  # 32 ``rng.choice`` draws, made at once


def apply_fixture(world: ISpringWorld, data: Any, rng: Any, anchor: datetime) -> None:
    """Fill the (empty) account with exactly the fixture's entities: the whole fixture is checked first
    (``fixture_plan``: every problem listed, nothing built), then built.

    ``clients`` may be left out: the three standard clients (owner, administrator,
    learner) are then created with seeded ids and secrets, so the account stays usable.
    Dates left out are the tenant's anchor (a session then runs SESSION_DAYS from it); a
    session's manager left out is the account owner (else an administrator, else its first
    participant); profile ids are seeded; sessions from a fixture have no questions. Values
    left out are drawn from ``rng`` in the fixture's order, so the same fixture builds the same account.
    """
    plan = plan_fixture(load_fixture(data))
    doc = plan.doc
    for d in doc["departments"]:
        world.departments[d["id"]] = Department(id=d["id"], name=d["name"], code=d["code"],
                                                parent_id=d["parent_department_id"])
    for u in doc["users"]:
        fields = [ProfileField(f["key"], f["title"], _date_or_text(f["value"])) for f in u["fields"]]
        world.users[u["id"]] = User(id=u["id"], login=u["login"], first_name=u["first_name"], last_name=u["last_name"],
                                    email=u["email"], department_id=u["department_id"], status=u["status"],
                                    role=u["role"], fields=fields, added=u["added_date"] or anchor,
                                    last_login=u["last_login_date"] or u["added_date"] or anchor,
                                    password=u["password"] if u["password"] is not None else _secret(rng)[:12])
    for s, manager in zip(doc["sessions"], plan.session_managers, strict=True):
        start = s["start_date"] or anchor
        world.sessions[s["id"]] = AppraisalSession(
            id=s["id"], title=s["title"], status=s["status"], description=s["description"], start=start,
            end=s["end_date"] or start + timedelta(days=SESSION_DAYS), profile_id=new_guid(rng),
            permitted_user_ids=list(plan.permitted))
        service.seed_participants(world, s["id"], s["participant_ids"])
        world.sessions[s["id"]].manager_id = manager
    for g in doc["groups"]:
        world.groups[g["id"]] = Group(id=g["id"], name=g["name"], member_ids=list(dict.fromkeys(g["user_ids"])))
    world.rng = random.Random(rng.getrandbits(64))
    _build_clients(world, doc["clients"], rng)
    apply_learning(world, doc, rng, anchor)


def _build_clients(world: ISpringWorld, clients: list[dict[str, Any]] | None, rng: Any) -> None:
    """The fixture's API clients, or (left out) the three standard ones with seeded ids and secrets."""
    if clients is None:
        clients = [{"name": name, "client_id": new_guid(rng), "client_secret": _secret(rng), "role": role,
                    "user_id": None} for name, role in CLIENTS]
    for c in clients:
        key = c["client_id"].strip().lower()
        world.clients[key] = ApiClient(name=c["name"], client_id=key, client_secret=c["client_secret"], role=c["role"],
                                       user_id=c["user_id"])


def _date_or_text(value: str) -> str | date:
    try:
        return date.fromisoformat(value) if len(value) == 10 else value
    except ValueError:
        return value


