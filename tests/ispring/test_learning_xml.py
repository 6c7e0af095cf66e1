"""XML answers of the learning and webhook routes: the element names of the vendor's OpenAPI (written here from
the document, not read from our schemas), the same data as the JSON twin."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

JSON, XML = "application/json", "application/xml"


@pytest.fixture
def both(client, token):
    def call(path):
        headers = {"Authorization": f"Bearer {token('owner')}"}
        as_json = client.get(path, headers={**headers, "Accept": JSON})
        as_xml = client.get(path, headers={**headers, "Accept": XML})
        assert as_json.status_code == as_xml.status_code == 200 and as_xml.mimetype == XML
        return as_json.get_json(), ET.fromstring(as_xml.data)
    return call


def test_enrollment_list_and_one_enrollment(both, world):
    e = next(iter(world.enrollments.values()))
    data, root = both(f"/ispring/enrollment?learnerIds[]={e.learner_id}")
    assert root.tag == "response" and [c.tag for c in root] == ["enrollments"]
    items = root.find("enrollments")
    assert [i.tag for i in items] == ["enrollment"] * len(data["enrollments"])
    assert [i.findtext("enrollmentId") for i in items] == [d["enrollmentId"] for d in data["enrollments"]]
    one, root = both(f"/ispring/enrollment/{e.id}")
    assert root.tag == "response" and root.find("enrollment").findtext("enrollmentId") == one["enrollmentId"]
    assert root.find("enrollment").findtext("shouldLockAfterDueDate") == str(one["shouldLockAfterDueDate"]).lower()


def test_results_pages(both):
    data, root = both("/ispring/learners/results?pageSize=3")
    assert root.tag == "response"
    rows = root.find("results")
    assert [r.tag for r in rows] == ["result"] * 3
    assert [r.findtext("completionStatus") for r in rows] == [d["completionStatus"] for d in data["results"]]
    assert root.findtext("nextPageToken") == data["nextPageToken"]
    data, root = both("/ispring/learners/modules/results?pageSize=2")
    assert [r.findtext("moduleId") for r in root.find("results")] == [d["moduleId"] for d in data["results"]]


def test_content_answers(both, world):
    data, root = both("/ispring/content")
    assert root.tag == "response" and {c.tag for c in root} == {"contentItem"} and len(root) == len(data)
    course = next(c for c in world.content.values() if c.content_type == "Course")
    one, root = both(f"/ispring/content/{course.id}")
    item = root.find("contentItem")
    assert item.findtext("title") == one["contentItem"]["title"]
    assert [f.tag for f in item.find("courseFields")] == ["courseField"] * len(one["contentItem"]["courseFields"])
    data, root = both(f"/ispring/course/{course.id}/modules")
    assert [m.findtext("moduleId") for m in root.find("modules")] == [m["moduleId"] for m in data["modules"]]
    data, root = both(f"/ispring/content/{course.id}/final_statuses")
    assert root.tag == "statuses" and [s.findtext("userId") for s in root.findall("status")] == \
        [d["userId"] for d in data]
    data, root = both("/ispring/course_fields")
    assert [f.findtext("fieldLabel") for f in root.find("courseFields")] == [f["fieldLabel"] for f in
                                                                               data["courseFields"]]
