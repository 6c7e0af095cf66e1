"""A portal's definitions and learner records around the courses: custom-field definitions, competency
definitions, question banks, self-assessments, and external training (templates and learners' submissions) --
the vendor's Custom field definitions, Competency definitions, Question banks, Self-assessments and External
training pages.

Seeded from the same derived generator as ``absorb.commerce``, after everything else. Connections: the
custom-field definitions describe the user's ``customFields`` slots (``string1``, ``bool1``, ...); a course's
``competencyDefinitionIds`` name competency definitions (filled where empty); a question bank's questions are
drawn by assessment lessons of the courses it names; a submission is a learner's, against a template.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..core.wire import new_guid
from .lookups import find
from .models import AbsorbWorld

# (name, custom field slot, type, behavior, possible values): type 0 Boolean 1 Date 2 DateTime 3 Decimal 4 Integer
# 5 Text; behavior 0 Optional 1 Required 2 Hidden 3 Locked 4 ReadOnly (the vendor's enums)
CUSTOM_FIELDS = (("Cost Centre", "String1", 5, 0, ("CC-100", "CC-200", "CC-300")), ("Region", "String2", 5, 1, ()),
                 ("Safety Officer", "Bool1", 0, 0, ()), ("Badge Expiry", "Datetime1", 2, 0, ()),
                 ("Hourly Rate", "Decimal1", 3, 2, ()))
COMPETENCIES = (("First Aid", "Health and Safety"), ("Data Handling", "Compliance"),
                ("Coaching", "Leadership"), ("Cloud Fundamentals", "Technology"))
QUESTION_BANKS = ("General Compliance Questions", "Security Awareness Questions", "Leadership Scenarios")
SELF_ASSESSMENTS = ("Leadership Readiness", "Technical Skills Check")
TEMPLATES = (("Conference Attendance", True), ("External Certification", True), ("Workshop", False))
SUBMISSION_STATUSES = (0, 1, 2)  # 0 Pending, 1 Approved, 2 Declined (the emulator's enum)


@dataclass(slots=True)
class PossibleValue:
    id: str
    custom_field_definition_id: str
    name: str


@dataclass(slots=True)
class CustomFieldDefinition:
    id: str
    name: str
    custom_field: str
    type: int
    behavior: int
    possible_values: list[PossibleValue]
    is_private: bool


@dataclass(slots=True)
class CompetencyDefinition:
    id: str
    name: str
    description: str | None
    category_name: str | None
    levels: list[str]
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class Question:
    id: str
    text: str
    type: str  # "MultipleChoice", "TrueFalse", "ShortAnswer"
    options: list[str]
    points: float


@dataclass(slots=True)
class QuestionBank:
    id: str
    name: str
    description: str | None
    course_ids: list[str]
    questions: list[Question]
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class SelfAssessmentQuestion:
    id: str
    text: str
    competency_definition_id: str | None
    scale_max: int


@dataclass(slots=True)
class SelfAssessment:
    id: str
    name: str
    description: str | None
    questions: list[SelfAssessmentQuestion]
    active_status: int
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class ExternalTrainingTemplate:
    id: str
    name: str
    description: str | None
    requires_approval: bool
    credits: float | None
    active_status: int
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class ExternalTrainingSubmission:
    id: str
    template_id: str
    user_id: str
    full_name: str
    name: str
    provider: str | None
    date_completed: datetime
    hours: float | None
    credits: float | None
    status: int
    date_submitted: datetime
    date_edited: datetime


@dataclass
class Definitions:
    """One portal's definitions and external training (``world.definitions``)."""

    custom_field_definitions: dict[str, CustomFieldDefinition] = field(default_factory=dict)
    competency_definitions: dict[str, CompetencyDefinition] = field(default_factory=dict)
    question_banks: dict[str, QuestionBank] = field(default_factory=dict)
    self_assessments: dict[str, SelfAssessment] = field(default_factory=dict)
    external_training_templates: dict[str, ExternalTrainingTemplate] = field(default_factory=dict)
    external_training_submissions: dict[str, ExternalTrainingSubmission] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"customFieldDefinitions": len(self.custom_field_definitions),
                "competencyDefinitions": len(self.competency_definitions),
                "questionBanks": len(self.question_banks), "selfAssessments": len(self.self_assessments),
                "externalTrainingTemplates": len(self.external_training_templates),
                "externalTrainingSubmissions": len(self.external_training_submissions)}


def definitions_of(world: AbsorbWorld) -> Definitions:
    if world.definitions is None:
        world.definitions = Definitions()
    found: Definitions = world.definitions
    return found


# -- seeding ---------------------------------------------------------------------------------------------------

def seed(world: AbsorbWorld, rng: random.Random, anchor: datetime) -> None:
    defs = Definitions()
    world.definitions = defs

    def added() -> tuple[datetime, datetime]:
        at = (anchor - timedelta(days=rng.randint(300, 1200), seconds=rng.randint(0, 86399))).replace(microsecond=0)
        return at, at + timedelta(days=rng.randint(0, 200))

    for name, slot, kind, behavior, values in CUSTOM_FIELDS:
        definition_id = new_guid(rng)
        possible = [PossibleValue(new_guid(rng), definition_id, v) for v in values]
        defs.custom_field_definitions[definition_id] = CustomFieldDefinition(
            definition_id, name, slot, kind, behavior, possible, name == "Hourly Rate")
    for name, category in COMPETENCIES:
        competency = CompetencyDefinition(new_guid(rng), name, f"Shows {name.lower()} in daily work.", category,
                                          ["Aware", "Practitioner", "Expert"], *added())
        defs.competency_definitions[competency.id] = competency
    competencies = list(defs.competency_definitions)
    for course in world.courses.values():
        if not course.competency_definition_ids and rng.random() < 0.3:
            course.competency_definition_ids = [rng.choice(competencies)]
    online = [c.id for c in world.courses.values() if not c.is_ilc]
    for name in QUESTION_BANKS:
        questions = [Question(new_guid(rng), f"{name.split()[0]} question {q + 1}?", kind, options, 1.0)
                     for q, (kind, options) in enumerate(
                         (("MultipleChoice", ["A", "B", "C", "D"]), ("TrueFalse", ["True", "False"]),
                          ("ShortAnswer", [])) * rng.randint(1, 2))]
        bank = QuestionBank(new_guid(rng), name, None, sorted(rng.sample(online, min(2, len(online)))), questions,
                            *added())
        defs.question_banks[bank.id] = bank
    for name in SELF_ASSESSMENTS:
        rated = [SelfAssessmentQuestion(new_guid(rng), f"How confident are you in {c.name.lower()}?", c.id, 5)
                     for c in rng.sample(list(defs.competency_definitions.values()), 2)]
        assessment = SelfAssessment(new_guid(rng), name, f"{name}: rate yourself from 1 to 5.", rated, 0,
                                    *added())
        defs.self_assessments[assessment.id] = assessment
    for name, approval in TEMPLATES:
        template = ExternalTrainingTemplate(new_guid(rng), name, f"Training taken outside the portal: {name.lower()}.",
                                            approval, rng.choice((None, 1.0, 2.5)), 0, *added())
        defs.external_training_templates[template.id] = template
    templates = list(defs.external_training_templates.values())
    learners = [u for u in world.users.values() if not u.is_admin]
    for n in range(min(8, len(learners))):
        user, template = learners[rng.randrange(len(learners))], templates[n % len(templates)]
        done = (anchor - timedelta(days=rng.randint(10, 400))).replace(microsecond=0)
        submitted = done + timedelta(days=rng.randint(0, 9))
        submission = ExternalTrainingSubmission(
            new_guid(rng), template.id, user.id, f"{user.first_name} {user.last_name}", f"{template.name} {n + 1}",
            rng.choice(("Red Cross", "AWS", "Local College", None)), done, float(rng.randint(1, 16)),
            template.credits, SUBMISSION_STATUSES[n % 3] if template.requires_approval else 1, submitted,
            submitted + timedelta(days=rng.randint(0, 5)))
        defs.external_training_submissions[submission.id] = submission


# -- reads ------------------------------------------------------------------------------------------------------

def get_custom_field_definition(world: AbsorbWorld, definition_id: str) -> CustomFieldDefinition:
    return find(definitions_of(world).custom_field_definitions, definition_id, "Custom field definition")


def get_competency_definition(world: AbsorbWorld, definition_id: str) -> CompetencyDefinition:
    return find(definitions_of(world).competency_definitions, definition_id, "Competency definition")


def get_question_bank(world: AbsorbWorld, bank_id: str) -> QuestionBank:
    return find(definitions_of(world).question_banks, bank_id, "Question bank")


def get_self_assessment(world: AbsorbWorld, assessment_id: str) -> SelfAssessment:
    return find(definitions_of(world).self_assessments, assessment_id, "Self-assessment")


def get_external_training_template(world: AbsorbWorld, template_id: str) -> ExternalTrainingTemplate:
    return find(definitions_of(world).external_training_templates, template_id, "External training template")


def get_external_training_submission(world: AbsorbWorld, submission_id: str) -> ExternalTrainingSubmission:
    return find(definitions_of(world).external_training_submissions, submission_id, "External training submission")

