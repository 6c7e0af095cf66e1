"""Wire shape of issue 29's last operations: CurriculumGroupResource (the curriculum's group, naming its
curriculum). Fields: the emulator's choice, those of ``curriculumGroups`` items plus ``curriculumId``."""
from __future__ import annotations

from marshmallow import fields

from emulator.core.wire import CamelCaseSchema, Guid


class PlacedGroupSchema(CamelCaseSchema):
    id = Guid(attribute="group.id")
    curriculum_id = Guid()
    name = fields.String(attribute="group.name")
    course_ids = fields.List(Guid(), attribute="group.course_ids")
    required_course_count = fields.Integer(attribute="group.required", allow_none=True)


CURRICULUM_GROUP = PlacedGroupSchema()
