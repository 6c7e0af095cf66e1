"""The seeded account's learning: the catalogue (``content.seed_catalogue``), enrollments
(``enrollments.seed_enrollments``), their progress (``results.seed_progress``), points and certificates
(``gamification.seed_points``) and trainings (``training.seed_trainings``), drawn from the seeding
generator after everything else (so the people, sessions and groups keep their ids). Ids made at run time
(enrollments, courses, confirmation codes) come from ``world.rng``, which ``seed`` sets."""
from __future__ import annotations

from datetime import datetime
from random import Random

from emulator.core.scale import Scale
from emulator.ispring.domain import content, enrollments, gamification, results, training
from emulator.ispring.domain.models import ISpringWorld


def seed_learning(world: ISpringWorld, rng: Random, anchor: datetime, scale: Scale) -> None:
    content.seed_catalogue(world, rng, anchor)
    made = enrollments.seed_enrollments(world, rng, anchor, scale)
    results.seed_progress(world, made, rng, anchor, scale)
    gamification.seed_points(world, rng, anchor)
    training.seed_trainings(world, rng, anchor)
