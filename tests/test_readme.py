"""The README's default-world ids are real: a newcomer's curl walkthrough works as written."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from emulator.app import create_app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _value(name: str) -> str:
    match = re.search(rf"^{name}=(\S+)$", README, re.M)
    assert match, f"README has no {name}=..."
    return match.group(1)


def test_readme_absorb_walkthrough_ids_exist_in_the_seed_42_world():
    world = create_app({"seed": 42}).state.store.tenants["default"].world("absorb")
    assert _value("KEY") == world.api_key
    learner, course = _value("LEARNER"), _value("COURSE")
    assert learner in world.users and course in world.courses
    assert not world.courses[course].is_ilc and (learner, course) not in world.active  # enrolling gives 201


def test_readme_ispring_and_pearson_ids_exist_in_the_seed_42_world():
    tenant = create_app({"seed": 42}).state.store.tenants["default"]
    ispring = tenant.world("ispring").credentials()
    owner = next(c for c in ispring["clients"] if c["name"] == "owner")
    assert owner["clientId"] in README and owner["clientSecret"] in README
    assert ispring["sessions"][0] in README and ispring["accountUrl"] in README
    assert _value("SESSION") == ispring["sessions"][0]
    assert "shared/" not in README  # the project's docs stand alone
    pearson = {u["id"]: u for u in tenant.world("pearson").credentials()["users"]}
    for user_id in re.findall(r"/users/([0-9a-f-]{36})/(?:sessions|encounters)", README):
        assert user_id in pearson


ROOT = Path(__file__).resolve().parents[1]


def _world(seed: int = 42):
    return create_app({"seed": seed})


def test_readme_world_counts_are_the_seed_42_worlds():
    absorb = _world().state.store.tenants["default"].world("absorb")
    counts = absorb.counts()
    learners = [u for u in absorb.users.values() if not u.is_admin]
    online = sum(1 for c in absorb.courses.values() if not c.is_ilc)
    said = re.search(r"and (\d+) more\. (\d+) courses \((\d+) online.*?(\d+) instructor-led.*?(\d+) course enrollments"
                     r".*?(\d+) lesson enrollments and (\d+) attempts", README, re.S)
    assert said, "README's world paragraph changed shape"
    assert [int(n) for n in said.groups()] == [len(learners) - 3, counts["courses"], online,
                                               counts["courses"] - online, counts["courseEnrollments"],
                                               counts["lessonEnrollments"], counts["attempts"]]


def test_readme_start_up_output_is_what_serve_prints():
    from emulator import startup

    block = README.split("lms-emulator 0.1.0 listening on", 1)[1].split("```", 1)[0]
    shown = ("lms-emulator 0.1.0 listening on" + block).rstrip("\n").splitlines()
    printed = startup.report(_world(), "http://127.0.0.1:8080").splitlines()
    assert shown[0].startswith(printed[0].rstrip(")"))  # the first line also says how long the start took
    assert shown[1:] == printed[1:]


def test_readme_and_docs_stand_alone_and_gitignore_matches_the_state_file():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w-])(\.\./)?shared/", text), f"{doc.name} refers to shared/"
    state_file = re.search(r"--state-file (\S+)", README).group(1)
    ignored = subprocess.run(["git", "check-ignore", "-q", state_file], cwd=ROOT)
    assert ignored.returncode == 0, f".gitignore does not ignore the README's state file {state_file}"


def test_readme_shell_walkthroughs_run_against_a_live_server(tmp_path):
    """Every ```sh block that talks to the server runs as written (host and port replaced), in one bash."""
    from emulator.testing import EmulatorServer

    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    skipped = ("make ", "lms-emulator serve", "schemathesis ", "  -H \"x-api-key: $KEY\" -H \"Authorization: $TOKEN\"",
               "  -c not_a_server_error")
    lines = [line for block in blocks for line in block.splitlines() if not line.startswith(skipped)]
    with EmulatorServer({"seed": 42}) as server:
        script = "set -euo pipefail\n" + "\n".join(lines).replace("http://127.0.0.1:8080", server.url) + "\n"
        (tmp_path / "readme.sh").write_text(script)
        run = subprocess.run(["bash", str(tmp_path / "readme.sh")], capture_output=True, text=True, timeout=120,
                             cwd=tmp_path)
    out = run.stdout
    assert run.returncode == 0, run.stderr + out
    assert '"enrollmentId"' in out and '"code":422' in out  # enroll, then enroll again
    assert '"displayingName"' in out  # iSpring's attributes list
    assert '"StartDateTime"' in out or "null" in out  # Pearson's session answer
    assert '"id":"suite-1"' in out
    journal = re.search(r'\{"count":(\d+),"total":(\d+),"entries":\[\{[^\n]*?"tenant":"([^"]+)","method":"POST",'
                        r'"path":"([^"]+)"', out)
    assert journal and journal.groups() == ("1", "1", "suite-1", "/absorb/authenticate"), out[-3000:]
    assert out.count("204") >= 2  # un-enroll and the tenant's delete


def test_readme_quotes_the_real_error_for_a_bad_port(monkeypatch, capsys):
    from emulator import cli

    quoted = re.search(r"`(lms-emulator: LMS_EMULATOR_PORT: [^`]+)`", README).group(1)
    monkeypatch.setenv("LMS_EMULATOR_PORT", "xyz")
    assert cli.main(["serve"]) == 2
    assert capsys.readouterr().err.strip() == quoted


def test_readme_is_for_users_first():
    """What it is, install, first calls, then the plugin with every helper, within the first 150 lines; the
    performance diary lives in docs/PERFORMANCE.md."""
    lines = README.splitlines()
    plugin = next(i for i, line in enumerate(lines) if line.startswith("## pytest plugin"))
    assert plugin < 150
    section = "\n".join(lines[plugin:]).split("\n## ", 1)[0]
    for helper in ("lms_tenant.absorb(", "lms_tenant.ispring(", "lms_tenant.pearson(", "lms_tenant.admin(",
                   "lms_tenant.data()", "lms_tenant.stub(", "lms_emulator", "EmulatorProcess", "--lms-emulator-tls"):
        assert helper in section, helper
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[:3] == ["## Install and start", "## The default world (seed 42)", "## First calls"]
    performance = README.split("\n## Performance\n", 1)[1].split("\n## ", 1)[0]
    assert len(performance.splitlines()) < 10 and "docs/PERFORMANCE.md" in performance  # the diary moved there
    for linked in re.findall(r"\]\((docs/[^)#]+)\)", README):
        assert (ROOT / linked).is_file(), linked
