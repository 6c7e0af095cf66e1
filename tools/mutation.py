"""Mutation testing of the domain modules with mutmut, one module at a time, and a score per module.

    python tools/mutation.py                 # every module in MODULES
    python tools/mutation.py pearson/auth    # the modules whose path contains a word
    python tools/mutation.py --report        # print the scores of the last runs, run nothing

``setup.cfg``'s ``[mutmut]`` section is the configuration (``mutmut run`` in the repository mutates every
module against every test named there). Run that way each mutant of a function the seed uses would wait
for most of the suite, so here each module gets a scratch copy of the repository under ``.mutation/``
whose ``[mutmut]`` section names only that module and the tests that cover it (``MODULES``). mutmut keeps
its results there, so a second run re-tests only what changed.

The score counts logic mutants only: a mutant that changes nothing but what the code says (a string's
text, an error's message or validation lines: ``_Blank``) is counted apart as "message", and so is one
listed in ``EQUIVALENT`` (with the reason no test can tell it from the original).
Score = killed / (mutants - message - equivalent).
"""
from __future__ import annotations

import argparse
import ast
import builtins
import configparser
import difflib
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".mutation"

_ODATA = ["tests/core/test_odata.py", "tests/core/test_odata_top.py", "tests/core/test_odata_strings.py"]
_A = "tests/absorb/"
_ATTEMPTS = [_A + f for f in ("test_attempt_rules.py", "test_domain_rules.py", "test_date_precision.py",
                              "test_learning_path.py", "test_seed.py", "test_case_insensitive.py")]
_ENROLL = [_A + f for f in ("test_course_enrollments.py", "test_domain_rules.py", "test_date_precision.py",
                            "test_learning_path.py", "test_seed.py", "test_session_rules.py")]
_USERS = [_A + f for f in ("test_users.py", "test_user_lookups.py", "test_reference.py", "test_auth.py",
                           "test_user_rules.py", "test_user_writes.py", "test_course_enrollments.py",
                           "test_domain_rules.py")]
# module -> the tests that cover it (a narrow selection keeps a surviving mutant's run short).
MODULES: dict[str, list[str]] = {
    # each Absorb module against the test files that call its rules (grep of its routes and functions)
    "emulator/absorb/domain/enrollments.py": [*_ENROLL, "tests/absorb/test_users.py",
                                              "tests/absorb/test_user_lookups.py"],
    "emulator/absorb/domain/sessions.py": _ENROLL,
    "emulator/absorb/domain/lessons.py": [*_ATTEMPTS, "tests/absorb/test_course_enrollments.py"],
    "emulator/absorb/domain/attempts.py": _ATTEMPTS,
    "emulator/absorb/domain/rollup.py": _ATTEMPTS,
    "emulator/absorb/domain/lookups.py": [*_ENROLL, "tests/absorb/test_user_lookups.py",
                                          "tests/absorb/test_filter_rules.py", "tests/absorb/test_case_insensitive.py"],
    "emulator/absorb/domain/users.py": _USERS,
    "emulator/absorb/domain/reference.py": [*_USERS, "tests/absorb/test_seeded_reference.py"],
    "emulator/absorb/http/auth.py": ["tests/absorb/test_auth.py", "tests/absorb/test_auth_edges.py",
                                "tests/absorb/test_auth_rules.py", "tests/absorb/test_course_enrollments.py",
                                "tests/core/test_fastpages.py"],  # fast_page, build_page: the fast path's
    "emulator/ispring/domain/service.py": ["tests/ispring"],
    "emulator/ispring/http/auth.py": ["tests/ispring"],
    "emulator/pearson/domain/service.py": ["tests/pearson"],
    "emulator/pearson/http/auth.py": ["tests/pearson"],
    # core: each module against its own unit tests in tests/core (fast: no app, no vendor world)
    "emulator/core/odata/parser.py": _ODATA,
    "emulator/core/odata/compiler.py": _ODATA,
    "emulator/core/odata/sorting.py": [*_ODATA, "tests/core/test_sort_pages.py"],
    "emulator/core/odata/fields.py": [*_ODATA, "tests/core/test_odata_fields.py"],
    "emulator/core/paging.py": ["tests/core/test_paging.py"],
    "emulator/core/faults.py": ["tests/core/test_faults.py"],
    "emulator/core/store.py": ["tests/core/test_store.py"],
}

# Survivors judged equivalent: (module, function, text of the mutated statement) -> why no test can tell it
# from the original. Keyed by text (a part of the statement as ast.unparse writes it), not by mutmut's
# numbered names, which move when code moves.
_ABSORB = "emulator/absorb/domain"  # one key for the Absorb domain rules, split by resource (``_DOMAIN``)
_MORE = ("only makes more pending sub-enrollments than needed: materialising is deterministic, the answers are "
         "the same")
_PEARSON_AUTH = "emulator/pearson/http/auth.py"
_PEARSON_SIGNING = "emulator/pearson/domain/signing.py"  # the token crypto, out of auth since issue 26
_MEMO = ("only the memo of verified tokens is skipped or bounded otherwise: every token is then verified in full, "
         "same answer")
_ABSORB_AUTH = "emulator/absorb/http/auth.py"
_ABSORB_TOKENS = "emulator/absorb/domain/tokens.py"  # the token rules, out of auth since issue 26
_DECORATOR = ("a decorator's default is used when the routes module is imported, before mutmut switches a mutant "
              "on: no test run can see it (test_learner_token_opens_my_enrollments_only and the token-less "
              "/authenticate pin both defaults)")
_OPAQUE = "the token is opaque: its parts decode to the same JSON, spaces after separators or not"
_JTI = "the jti is a random nonce: its length is no rule (every token is unique and opaque either way)"
_ISPRING = "emulator/ispring/domain/service.py"
_DATE = "orjson writes a date as yyyy-mm-dd, and so does the XML encoder (str): the same answer either way"
_RANDOM_TOKEN = "an access token is random and opaque: its length is no rule (the document gives no format)"
_SEEDED = "the seeder gives an in-progress attempt neither a completion date nor a score (seed.py)"
# The Absorb rules live in modules by resource; their equivalents keep one key.
_DOMAIN = {m: _ABSORB for m in MODULES if m.startswith("emulator/absorb/") and not m.endswith("/auth.py")}
_PARSER = "emulator/core/odata/parser.py"
_ACCEPTS = "a parser state that meets an unexpected token accepts some terminal: the set is never empty"
_NAMED = "every terminal has a name (a test pins it): the fallback of get() is never used"
_SORTING = "emulator/core/odata/sorting.py"
_COMPILER = "emulator/core/odata/compiler.py"
_SAME_LENGTH = "the values are read off those indices: the two always have the same length, strict or not"
_ONLY_WORK = ("the split only saves work: splitting more, less or once more, or keeping more than k, leaves the same "
              "first top items (sort() cuts to top; the last key is the unique resource key, so at most one "
              "candidate is left past it)")
_BATCH = ("batch only says which items' values the next key reads: every member, or the tied ones (all of them "
          "in another order when every member is tied); reading more values, or the same in another order, sorts alike")
_CHANGED = ("changed(None) drops every cached wire form and page, this entity's included: the next read is made "
            "afresh either way, only more work")
_HISTORY = ("a re-enrolled enrollment's session enrollments are history, shown by no route (the roster lists active "
            "ones, the user's list the active enrollment's), so their dateEdited cannot be seen")
_OVERWRITTEN = "the new user's fields are then all set from the body by _apply (every body field is written)"
_NEW = ("for a new user _apply reads neither the world nor the instant (no rename, no index move, no touch; "
        "add_user files it after): new=False/None only also finds no enrollments to copy the name to")
_TEXT = "only the text of a validation line or a message changes (status and the refusal are the same)"
_UNPLACED = ("a user reaches assign_users without a country only with no province either (the seeder and the "
             "fixture format set neither), and every home country has provinces: the condition is always true")
_LAST = "last only skips finding ties after the last key: found anyway, they are never used (the loop ends)"
EQUIVALENT: dict[tuple[str, str, str], str] = {
    (_ABSORB, "_listed",
     "return found if CHOICES.lists_include_history or True else [e for e in found if e.is_active]"):
        "the choice is True: the mutant takes the branch the original takes",
    (_ABSORB, "create_ilc_enrollment", "se.is_active = None"):
        "None and False read alike everywhere (every reader tests truthiness; isActive is not on a session "
        "enrollment's wire form)",
    (_ABSORB, "create_ilc_enrollment",
     "current = [s for s in sessions_of(world, enrollment_id) if s.is_active] if enrollment_id or True else []"):
        "with no enrollment id, sessions_of(world, None) is [] as well",
    (_ABSORB, "list_lesson_enrollments_for_lesson", "materialize_all(world, None)"): _MORE,
    (_ABSORB, "list_lesson_enrollments_for_lesson", "materialize_all(world)"): _MORE,
    (_ABSORB, "list_lesson_enrollments_for_lesson",
     "materialize_all(world, world.by_course.get(course_id, None))"): _MORE,
    (_ABSORB, "list_lesson_enrollments_for_lesson", "materialize_all(world, world.by_course.get(()))"): _MORE,
    (_ABSORB, "list_lesson_enrollments_for_lesson", "materialize_all(world, world.by_course.get(course_id))"): _MORE,
    (_ABSORB, "materialize_all",
     "for enrollment_id in [e for e in (world.pending if enrollment_ids is None or True else enrollment_ids) "
     "if e in world.pending]:"): _MORE,
    (_ABSORB, "materialize", "entry = world.pending.pop(enrollment_id)"):
        "every caller checks that the id is pending first: the default is never used",
    (_ABSORB, "remove_enrollment", "world.pending.pop(None, None)"):
        "the pending entry is then made and removed by lessons_of: the same world afterwards",
    (_ABSORB, "remove_enrollment", "world.attempts.pop(attempt_id)"):
        "an attempt id on a lesson is always in world.attempts: the default is never used",
    (_ABSORB, "_seeded_attempts", "score=score if finished or True else None"): _SEEDED,
    (_ABSORB, "_seeded_attempts", "completion_date=completion if finished or True else None"): _SEEDED,
    (_ABSORB, "replay", "if status != AttemptStatus.IN_PROGRESS or completion is not None:"):
        "the seeder (seed._planned) gives a finished attempt a completion date and an in-progress one none: "
        "'or' and 'and' agree on every seeded attempt",
    ("emulator/pearson/domain/service.py", "add_encounter", "world.changed(None)"): _CHANGED,
    ("emulator/pearson/domain/service.py", "add_session", "world.changed(None)"): _CHANGED,
    (_PEARSON_SIGNING, "_b64", ".rstrip(b'XX=XX')"):
        "base64 of JSON or of an HMAC digest: only '=' padding is ever at its end, never 'X'",
    **{(_PEARSON_AUTH, "_remember", text): _MEMO for text in (
        "world.verified[token] = None", "store.add_key(None, token, tenant)", "store.add_key('pearson', token, None)")},
    # not equivalent (issue 31): once the memo is full, a drop_key or list() mutant makes every new token a 500,
    # ">" lets it pass its cap, drop_key(None, ...) keeps the dropped tokens' keys:
    # tests/pearson/test_token_rules.py::test_the_memo_starts_over_when_full_and_every_token_still_answers
    (_PEARSON_AUTH, "resolve", "if claims is None:"):
        "a token named by a store key with no claims in the world's memo happens only after a world-wide "
        "changed() on a Pearson world, which no route makes today; otherwise the mutant only verifies in full",
    **{(_PEARSON_AUTH, "resolve", text): _MEMO for text in (
        "claims = tenant.world('pearson').verified.get(None)",
        "tenant = store.tenant_for(None, token)", "_remember(store, tenant, token, None)", "claims = None")},
    (_PEARSON_SIGNING, "authenticate", "user = world.users.get(sub) if isinstance(sub, str) or True else None"):
        "a sub that is not a string is no user id either: users.get answers None the same",
    (_PEARSON_SIGNING, "_unb64", "return base64.urlsafe_b64decode(text + '=' * (+len(text) % 4))"):
        "base64 decoding accepts excess padding: 3 '=' where 1 is due decodes the same",
    (_PEARSON_SIGNING, "issue_token", "separators=None"):
        "the claims JSON is signed as written, spaces or not: the token verifies and reads the same",
    (_PEARSON_SIGNING, "issue_token", "signing_input = _b64(json.dumps(HEADER).encode())"):
        "the claims JSON is signed as written, spaces or not: the token verifies and reads the same",
    (_PEARSON_SIGNING, "issue_token", "_b64(json.dumps(claims).encode())"):
        "the claims JSON is signed as written, spaces or not: the token verifies and reads the same",
    ("emulator/core/store.py", "derive_seed", "return int.from_bytes(digest[:8])"):
        "int.from_bytes reads big-endian by default (Python 3.11+): the same integer",
    ("emulator/core/store.py", "x.Store.create_tenant", "incarnation = secrets.token_hex("):
        "an incarnation is an opaque random tag (a fresh one per creation is tested); its length is no contract",
    ("emulator/core/faults.py", "injected_error", "kind = errors.EmulatorError if status > 500 else"):
        "500 has an error class of its own (InternalError): a status without one is never 500",
    ("emulator/core/faults.py", "injected_error", "kind = errors.EmulatorError if status >= 501 else"):
        "500 has an error class of its own (InternalError): a status without one is never 500",
    ("emulator/core/faults.py", "parse_rule", "count=count, _regex=None)"):
        "the compiled glob handed over is only a cache: Rule.regex compiles the path on first use",
    ("emulator/core/faults.py", "parse_rule", "probability=float(probability), count=count)"):
        "the compiled glob handed over is only a cache: Rule.regex compiles the path on first use",
    ("emulator/core/faults.py", "x.DropMiddleware.__call__", "return lambda data: 0"):
        "what a WSGI write callable returns is ignored",
    ("emulator/core/faults.py", "x.DropMiddleware.__call__", "raise ConnectionAbortedError(None)"):
        "the exception's text reaches no client: the connection is closed without an answer",
    ("emulator/core/faults.py", "x.Glob.__init__", "if end <= 0:"):
        "the ']' is searched for from position 3 at least: find answers -1 or a position past 0",
    ("emulator/core/faults.py", "x.Glob.__init__", "if end < 1:"):
        "the ']' is searched for from position 3 at least: find answers -1 or a position past 0",
    (_PARSER, "_syntax_message", "expected: set[str] = None"): _ACCEPTS,
    (_PARSER, "_syntax_message", "expected: set[str] = set(exc.expected and ())"): _ACCEPTS,
    (_PARSER, "_syntax_message", "hint = f\" (expected {', '.join(names)})\" if names or True else ''"): _ACCEPTS,
    (_PARSER, "_syntax_message", "with contextlib.suppress(None):"):
        "accepts() raised for no input of this grammar (a best-effort guard): nothing to suppress",
    (_PARSER, "_syntax_message", "names = sorted({_TERMINAL_NAMES.get(t"): _NAMED,
    (_PARSER, "end_of", "node = node.children[+1]"):
        "a right operand with three children or more is a call or a parenthesised and/or: the suggestion is "
        "extended to its closing parenthesis either way",
    (_PARSER, "end_of", "return node.end_pos or 1"): "every token of a parse carries its end position",
    (_SORTING, "_split", "zip(candidates, values, strict=None)"): _SAME_LENGTH,
    (_SORTING, "_split", "zip(candidates, values, strict=False)"): _SAME_LENGTH,
    (_SORTING, "_split", "zip(candidates, values) if"): _SAME_LENGTH,
    (_SORTING, "_split", "values = col if isinstance(col, list) and False else"):
        "a list column is every item's value in index order, and the candidates are then every index in order: "
        "reading it through __getitem__ gives the same list",
    (_SORTING, "_split", "if len(present) <= k:"):
        "with exactly k values present, the k-th is the smallest of them: all go ahead either way, in the same order",
    (_SORTING, "_top_order", "k += len(better)"): _ONLY_WORK,
    (_SORTING, "_order", "batch = order if groups == [(0, len(order))] and False else"): _BATCH,
    (_SORTING, "_order", "batch = order if groups == [(0, len(order))] or True else"): _BATCH,
    (_SORTING, "_order", "batch = order if groups != [(0, len(order))] else"): _BATCH,
    (_SORTING, "_order", "batch = order if groups == [(1, len(order))] else"): _BATCH,
    (_SORTING, "_column", "everything = None"):
        "a dict of every index answers like the list of every item (each reader takes either): only slower",
    (_SORTING, "_column", "if None in values or True else list(map(str.lower, values))"):
        "the None-aware form lower-cases a list without None the same",
    (_SORTING, "_column", "dict(zip(indices, values, strict=None))"): _SAME_LENGTH,
    (_SORTING, "_column", "dict(zip(indices, values, strict=False))"): _SAME_LENGTH,
    (_SORTING, "_column", "dict(zip(indices, values))"): _SAME_LENGTH,
    (_SORTING, "sort", "if top is not None and top / _TOP_FACTOR < n:"): _ONLY_WORK,
    (_SORTING, "sort", "if top is not None and top * _TOP_FACTOR <= n:"): _ONLY_WORK,
    (_SORTING, "sort", "return result if top is None and False else result[:top]"): "result[:None] is all of it",
    (_SORTING, "sort", "if n < _SMALL:"):
        "a list of exactly _SMALL items goes down the tie-tracking path instead of one sort per key: the two order "
        "alike (test_odata_top pins both against sorted()), only the cost differs",
    (_SORTING, "_order", "last = None"): _LAST,
    (_SORTING, "_order", "last = level == len(keys) + 1"): _LAST,
    (_SORTING, "_top_order", "while len(candidates) > k * _TOP_FACTOR or level < len(keys):"): _ONLY_WORK,
    (_SORTING, "_top_order", "while len(candidates) >= k * _TOP_FACTOR and level < len(keys):"): _ONLY_WORK,
    (_SORTING, "_top_order", "while len(candidates) > k / _TOP_FACTOR and level < len(keys):"): _ONLY_WORK,
    (_SORTING, "_top_order", "while len(candidates) > k * _TOP_FACTOR and level <= len(keys):"): _ONLY_WORK,
    (_ABSORB_AUTH, "absorb_call", "def f(*, admin: bool=False"): _DECORATOR,
    (_ABSORB_AUTH, "absorb_call", "token: bool=False"): _DECORATOR,
    (_ABSORB_TOKENS, "_b64", "json.dumps(data, separators=None)"): _OPAQUE,
    (_ABSORB_TOKENS, "_b64", "json.dumps(data).encode()"): _OPAQUE,
    (_ABSORB_TOKENS, "_b64", ".rstrip(b'XX=XX')"):
        "the base64 of a JSON object ends in the bits of its '}': 'Q', '0' or '9' by its length mod 3, never 'X', "
        "so only '=' is ever stripped",
    (_ABSORB_TOKENS, "issue_token", "secrets.token_hex(None)"): _JTI,
    (_ABSORB_TOKENS, "issue_token", "secrets.token_hex(9)"): _JTI,
    (_ABSORB_TOKENS, "issue_token", "Token(value=None"):
        "Token.value is never read: the tokens table is keyed by the value",
    (_ABSORB_TOKENS, "issue_token", "world.tokens.pop(previous)"):
        "a token named in token_by_user is always in tokens (written together; only issue_token removes either)",
    (_ABSORB_TOKENS, "authenticate", "if user_id or True else None"):
        "with no user id, users.get(None) is None as well",
    (_ABSORB_AUTH, "token_of_request", "request.environ.get(None)"):
        "the one caller passes the header it read: None only when the request has no Authorization, so the "
        "fallback read finds none either",
    (_ABSORB_AUTH, "token_of_request", "strict.report(None)"):
        "WIRE_RULES['Authorization']['report_raw'] is None: the branch is never taken",
    (_ABSORB_AUTH, "token_of_request", "if ' ' in raw and rule['report_raw']"):
        "WIRE_RULES['Authorization']['report_raw'] is None: the branch is never taken",
    (_ABSORB_AUTH, "build_page", "now=None, user=user)"):
        "no paged list reads the clock (their pages are cached until a write, so they must not)",
    (_ABSORB_AUTH, "_single_header", "values[0].strip() if values or True else None"):
        "str.split always gives at least one part",
    (_ABSORB_AUTH, "_single_header", "return values[1].strip()"):
        "reached only when every part is the same value (else 400) and there are two or more",
    (_ISPRING, "list_departments", "if d.id == wanted), -2)"):
        "any negative start is refused alike: -2 and -1 are both below 0",
    (_ISPRING, "list_departments", "after = items[start + size:start + size + 2]"):
        "only the first item after the page is read (its id makes the next token)",
    (_ISPRING, "attributes", "if isinstance(f.value, date) and False else f.value"): _DATE,
    (_ISPRING, "profile_fields", "if isinstance(f.value, date) and False else f.value"): _DATE,
    (_ISPRING, "issue_token", "if t.expires < now]"):
        "a token at its exact expiry is refused 401 either way (client_for_token's <=): kept, it is refused as "
        "expired, purged as unknown; only the message differs",
    (_ISPRING, "check_client_may_act", "if client.user_id or True else None"):
        "with no user id, users.get(None) is None, and the check that reads it is skipped for such a client",
    (_ISPRING, "issue_token", "secrets.token_urlsafe(33)"): _RANDOM_TOKEN,
    ("emulator/ispring/http/auth.py", "grant_token", "if form['client_id'].strip() or True else None"):
        "no tenant key is blank: tenant_for answers None for a blank client id as well",
    (_ISPRING, "issue_token", "secrets.token_urlsafe(None)"): _RANDOM_TOKEN,
    ("emulator/core/paging.py", "query_array", "parse_page(args, deprecated=None)"):
        "parse_page's deprecated is only tested for truth (in _read): None is False",
    ("emulator/core/paging.py", "query_list", "if page.start > len(selected):"):
        "a page starting exactly at the end slices to [] either way (the mutant only sorts first)",
    (_ABSORB, "apply_finish", "world.changed(None)"): _CHANGED,
    **{(_ABSORB, "remove_enrollment", "world.changed(None)"): _CHANGED},
    (_ABSORB, "new_enrollment", "se.is_active = None"):
        "None and False read alike everywhere (every reader tests truthiness; isActive is not on a session "
        "enrollment's wire form)",
    (_ABSORB, "new_enrollment", "touch(world, se, None)"): _HISTORY,
    (_ABSORB, "new_enrollment", "touch(world, None, at)"): _HISTORY + "; and changed(None) drops every cached form",
    (_ABSORB, "new_session_enrollment", "world.changed(None)"): _CHANGED,
    (_ABSORB, "new_session_enrollment", "session_id=session.id, course_id=None,"):
        "a session enrollment's course id is on no wire form and read by no rule (rosters and seats go by the "
        "session id, a user's seats by the course enrollment's index)",
    (_ABSORB, "materialize", "world.changed(None)"): _CHANGED,
    (_ABSORB, "_seeded_attempts", "time_spent_ticks=ticks(start, completion) if finished or completion else 0"):
        _SEEDED + ", and a finished one always one (seed._planned)",
    (_ABSORB, "_apply", "world.changed(None)"): _CHANGED,
    (_ABSORB, "_apply", "renamed = not new or any("):
        "an update that renames nobody then copies each enrollment the name and job title it already has",
    **{(_ABSORB, "_create", t): _OVERWRITTEN for t in (
        "avatar=None, date_added=at", "username=None,", "first_name=None,", "last_name=None,",
        "department_id=None,")},
    **{(_ABSORB, "_create", t): _NEW for t in (
        "_apply(None, user, body, at, new=True)", "_apply(world, user, body, None, new=True)",
        "_apply(world, user, body, at, new=None)", "_apply(world, user, body, at)",
        "_apply(world, user, body, at, new=False)")},
    (_ABSORB, "get_department", "find(world.departments, department_id, None)"): _TEXT,
    (_ABSORB, "problems", "at = f'{where}.' if where or True else ''"): _TEXT,
    (_ABSORB, "problems", "return found + reference.problems(world, body, user, None)"): _TEXT,
    (_ABSORB, "problems", "return found + reference.problems(world, body, user)"): _TEXT,
    (_ABSORB, "problems", "for name in REQUIRED_TO_CREATE if name not in body]"): _TEXT,
    (_ABSORB, "upload_users", "break"):
        "the batch is refused either way (a body without a username is a problem): only the lines listed differ",
    (_ABSORB, "upload_users", "seen.setdefault(key"): _TEXT,
    (_ABSORB, "upload_users", "_refuse(found"): _TEXT,
    (_ABSORB, "upload_users", "found.append(None)"): _TEXT,
    (_ABSORB, "user_named", "if user_id or True else None"): "with no user id, users.get(None) is None as well",
    (_ABSORB, "save_user", "if 'username' in body or True else None"):
        "the body loader requires username for POST /users and the upload checks it first: always present",
    **{(_ABSORB, f, "world.changed(None)"): _CHANGED for f in ("add_enrollment", "add_user", "touch")},
    **{(_ABSORB, f, t): _TEXT for f, t in (("get_course", "find(world.courses, course_id, None)"),
                                            ("get_enrollment", "find(world.enrollments, enrollment_id, None)"),
                                            ("get_user", "find(world.users, user_id, None)"))},
    **{(_ABSORB, f"get_{k}", f"find(world.reference.{t}, {k}_id, None)"): _TEXT
       for k, t in (("country", "countries"), ("group", "groups"), ("province", "provinces"), ("role", "roles"))},
    **{(_ABSORB, "assign_users", t): _UNPLACED for t in (
        "if homes[code] and user.province_id is None or True else user.province_id",
        "if homes[code] or user.province_id is None else user.province_id")},
    (_ABSORB, "seed", "rng.randint(3, 12))) if learners or True else []"):
        "with no learners, sample([], min(0, n)) is [] as well; the mutant only draws n first, which moves the "
        "later groups' random GUIDs (ids are random draws: no rule names one)",
    **{(_COMPILER, "x._Compiler.applied", t):
       "the mutant only adds a .lower() after a chain that already ends in tolower, and never drops one the original "
       "adds: str.lower is idempotent (on every code point), so the value is the same"
       for t in ("op.chain[+1:] != ('lower',)", "op.chain[-2:] != ('lower',)")},
    **{(_COMPILER, "x._Compiler.call", t):
       "a string function's operand is read through its forms only (truth, tri and nullable take value[1..3]): "
       "its src is never read" for t in ("return _Operand('bool', 'bool', None, f'{name}(...)', pos, forms)",
                                         "return _Operand('bool', 'bool', forms[2], f'{name}(...)', pos, forms)")},
    (_COMPILER, "x._Compiler.call", "subject = self.applied(v, arg, comparing=None)"):
        "applied reads comparing for its truth only: None is False",
    (_COMPILER, "x._Compiler.nullable", "if op.type != 'string' and (not op.chain"):
        "the mutant sends more operands down the general path, and for a non-string (or a string with nothing to "
        "normalise) applied adds nothing there: '(None if (v := src) is None else v)' is the value itself",
    (_COMPILER, "x._Compiler.var", "self.nvars += 2"):
        "the names need only be distinct within one filter: _v2, _v4, ... are as distinct as _v1, _v2, ...",
    ("emulator/pearson/domain/service.py", "_insert", "if not ids or key(ids[-1]) < new_key:"):
        "keys are (start, id) and ids are unique: two keys are never equal, so < and <= agree",
}

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}


def slug(module: str) -> str:
    return module.removeprefix("emulator/").removesuffix(".py").replace("/", "-")


def prepare(module: str) -> Path:
    """A scratch copy of the repository whose ``[mutmut]`` section names only ``module`` and its tests."""
    where = SCRATCH / slug(module)
    where.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("emulator", "tests", "schemas", "fixtures"):
        if (where / part).exists():
            shutil.rmtree(where / part)
        shutil.copytree(ROOT / part, where / part, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    section = cfg["mutmut"]
    section["only_mutate"] = module
    section["pytest_add_cli_args_test_selection"] = "\n" + "\n".join(MODULES[module])
    with open(where / "setup.cfg", "w") as out:
        cfg.write(out)
    return where


def _lived(module: str) -> list[str]:
    """Logic mutants no test killed last time, and those that timed out (``--retry`` re-runs them: mutmut
    keeps old verdicts). A timeout is re-tried because on a loaded machine a survivor's full test run can
    outlast mutmut's wall-clock limit, which is estimated from the tests' call phase alone."""
    counts = report(module)
    # a line is "<status>: <mutant name>  [function] change"; a status may be two words ("no tests")
    return [next(w for w in line.split() if "__mutmut_" in w)
            for line in counts["survivors"] + counts["timeouts"]] if counts else []


def run(module: str, children: int, retry: bool = False) -> int:
    names = _lived(module) if retry else []
    if retry and not names:
        return 0
    where = prepare(module)
    mutmut = Path(sys.executable).with_name("mutmut")
    env = dict(os.environ, LMS_EMULATOR_SCHEMAS=str(where / "schemas"), PYTHONDONTWRITEBYTECODE="1")
    print(f"== {module}: mutmut run in {where.relative_to(ROOT)}", flush=True)
    with open(where / "mutmut.log", "w") as log:
        return subprocess.call([str(mutmut), "run", "--max-children", str(children), *names], cwd=where, env=env,
                               stdout=log, stderr=subprocess.STDOUT)


def _functions(path: Path) -> dict[str, ast.AST]:
    tree = ast.parse(path.read_text())
    found: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in node.name:
            found[node.name] = node
    return found


# Calls that build an error: their positional arguments and these keywords are its message (text, the
# per-field validation lines, the journal's reason), not its logic (status, headers).
ERROR_CALLS = {"EmulatorError", "BadRequest", "ValidationFailed", "Unauthorized", "Forbidden", "NotFound",
               "MethodNotAllowed", "NotAcceptable", "Conflict", "PayloadTooLarge", "UriTooLong", "HeaderFieldsTooLarge",
               "UnsupportedMediaType", "Unprocessable", "TooManyRequests", "InternalError", "_fail", "bad", "refused"}
MESSAGE_KEYWORDS = {"validations", "reason"}


class _Blank(ast.NodeTransformer):
    """Text shown to people made empty, nothing else: every error's message (its positional arguments, its
    validation lines and reason) and every docstring. Two functions equal after it differ only in what they say
    to a person. Any other string -- a dict key, an enum, field or header name, a literal compared, returned or
    sent on the wire -- is logic, and a mutant of it is counted as one."""

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):  # a docstring
            return ast.Expr(ast.Constant(""))
        self.generic_visit(node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in ERROR_CALLS:
            node.args = []
            node.keywords = [k for k in node.keywords if k.arg not in MESSAGE_KEYWORDS]
        return node


def stale_equivalents() -> list[tuple[str, str, str]]:
    """``EQUIVALENT`` entries that cannot match a mutant of today's code: their function is gone from the module,
    or their text names something (outside string literals) the module no longer has."""
    stale = []
    for module, function, text in EQUIVALENT:
        paths = [m for m, key in _DOMAIN.items() if key == module] or [module]
        source = "".join((ROOT / p).read_text() for p in paths if (ROOT / p).exists())
        if f"def {function.rsplit('.', 1)[-1]}(" not in source:
            stale.append((module, function, text))
            continue
        bare = re.sub(r"[bf]?'[^']*'|[bf]?\"[^\"]*\"", "", text)
        names = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", bare)) - set(keyword.kwlist) - set(dir(builtins))
        if any(not re.search(rf"\b{re.escape(n)}\b", source) for n in names):
            stale.append((module, function, text))
    return stale


def _text_only(a: ast.AST, b: ast.AST) -> bool:
    blank = _Blank()
    a2, b2 = blank.visit(ast.parse(ast.unparse(a))), blank.visit(ast.parse(ast.unparse(b)))
    a2.body[0].name = b2.body[0].name = "f"
    return ast.dump(a2) == ast.dump(b2)


def _changed_line(orig: ast.AST, mutant: ast.AST) -> str:
    """The mutated lines, the ``def`` line included (a mutated default argument shows there)."""
    a, b = (ast.unparse(orig).splitlines(), ast.unparse(mutant).splitlines())
    a[0], b[0] = a[0].replace(orig.name, "f", 1), b[0].replace(mutant.name, "f", 1)
    changed = [line[2:].strip() for line in difflib.ndiff(a, b) if line.startswith("+ ")]
    return " / ".join(changed)[:600] or "(no visible change)"


def report(module: str) -> dict | None:
    where = SCRATCH / slug(module)
    meta = where / "mutants" / (module + ".meta")
    if not meta.exists():
        return None
    for _ in range(20):  # mutmut rewrites the file while it runs
        try:
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            break
        except json.JSONDecodeError:
            time.sleep(0.1)
    else:
        return None
    functions = _functions(where / "mutants" / module)
    counts = {"mutants": len(codes), "message": 0, "equivalent": 0, "killed": 0, "timeout": 0, "survived": 0,
              "other": 0}
    survivors: list[str] = []
    timeouts: list[str] = []
    for name, code in sorted(codes.items()):
        mangled = name.rsplit(".", 1)[-1]
        orig = functions.get(mangled.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")
        mutant = functions.get(mangled)
        status = STATUS.get(code, "suspicious")
        if orig is not None and mutant is not None and _text_only(orig, mutant):
            counts["message"] += 1
            continue
        function = mangled.rsplit("__mutmut_", 1)[0].removeprefix("x_").replace("ǁ", ".")
        line = _changed_line(orig, mutant) if orig is not None and mutant is not None else "?"
        equivalent = any(m == _DOMAIN.get(module, module) and f == function and text in line
                         for m, f, text in EQUIVALENT)
        if status == "killed" or (status == "timeout" and not equivalent):
            # mutmut counts a timeout (an endless loop, a far slower path) killed; listed, as it may be a survivor
            # cut off on a loaded machine (``--retry`` runs it again)
            counts["killed"] += 1
            counts["timeout"] += status == "timeout"
            if status == "timeout":
                timeouts.append(f"timeout: {name}  [{function}] {line}")
        elif equivalent:
            counts["equivalent"] += 1
        elif status == "survived" or status == "no tests":
            counts["survived"] += 1
            survivors.append(f"{status}: {name}  [{function}] {line}")
        else:
            counts["other"] += 1
            survivors.append(f"{status}: {name}  [{function}] {line}")
    logic = counts["mutants"] - counts["message"] - counts["equivalent"]
    counts["score"] = round(100.0 * counts["killed"] / logic, 1) if logic else 100.0
    counts["survivors"] = survivors
    counts["timeouts"] = timeouts
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="run the modules whose path contains one of these")
    parser.add_argument("--report", action="store_true", help="only print the last results")
    parser.add_argument("--children", type=int, default=int(os.environ.get("MUTATION_CHILDREN", "2")))
    parser.add_argument("--survivors", action="store_true", help="list every surviving (and timed-out) logic mutant")
    parser.add_argument("--retry", action="store_true",
                        help="re-test only the last run's survivors and timeouts (after new tests)")
    args = parser.parse_args(argv)
    chosen = list(MODULES) if not args.words else list(dict.fromkeys(  # in the order of the words
        m for w in args.words for m in MODULES if w in m))
    if not chosen:
        parser.error(f"no module matches {args.words}; known: {', '.join(MODULES)}")
    failed = []
    if not args.report:
        for module in chosen:
            if run(module, args.children, args.retry) != 0:
                failed.append(module)
                print(f"   mutmut failed; see {(SCRATCH / slug(module) / 'mutmut.log').relative_to(ROOT)}")
    print(f"\n{'module':34} {'mutants':>7} {'msg':>5} {'equiv':>5} {'killed':>6} {'t/o':>4} {'lived':>5} {'other':>5} "
          f"{'score':>6}")
    for module in chosen:
        counts = report(module)
        if counts is None:
            print(f"{module:34} (not run)")
            continue
        print(f"{module:34} {counts['mutants']:7} {counts['message']:5} {counts['equivalent']:5} {counts['killed']:6} "
              f"{counts['timeout']:4} {counts['survived']:5} {counts['other']:5} {counts['score']:5.1f}%")
        if args.survivors:
            for line in counts["survivors"] + counts["timeouts"]:
                print("    " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
