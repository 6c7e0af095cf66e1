"""The seeded account's learning: the catalogue (``content.seed_catalogue``), enrollments
(``enrollments.seed_enrollments``), their progress (``results.seed_progress``), points and certificates
(``gamification.seed_points``) and trainings (``training.seed_trainings``), drawn from the world's
generator after everything else (so the people and sessions keep their ids). The generator then stays with
the world, for the ids of what clients create later (enrollments, courses, confirmation codes)."""
from __future__ import annotations

from datetime import datetime
from random import Random

from . import content, enrollments, gamification, results, training
from .models import ISpringWorld


def seed_learning(world: ISpringWorld, rng: Random, anchor: datetime) -> None:
    content.seed_catalogue(world, rng, anchor)
    made = enrollments.seed_enrollments(world, rng, anchor)
    results.seed_progress(world, made, rng, anchor)
    gamification.seed_points(world, rng, anchor)
    training.seed_trainings(world, rng, anchor)
    world.rng = rng
