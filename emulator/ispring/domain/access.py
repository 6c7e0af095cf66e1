"""Who may call the learning routes (content, enrollments, results, statistics, webhooks), in one table.

The help pages' "Permissions to Run the Request" name the Account Owner and Account Administrators for the
webhook requests ("Only the owner and account administrator can send requests"); for the others the
emulator asks the same (its choice), and lets Department Administrators read the catalogue too. Anyone
else: 403 "Permission denied".
"""
from __future__ import annotations

from emulator.core.errors import Forbidden
from emulator.ispring.domain.models import ACCOUNT_ADMINISTRATOR, ACCOUNT_OWNER, DEPARTMENT_ADMINISTRATOR, ApiClient

ADMINS = (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR)
ROLES = {
    "content": (*ADMINS, DEPARTMENT_ADMINISTRATOR),
    "content_write": ADMINS,
    "enrollments": ADMINS,
    "results": ADMINS,
    "statistics": ADMINS,
    "webhooks": ADMINS,
    "gamification": ADMINS,
    "training": ADMINS,
}


def require(client: ApiClient, what: str) -> None:
    if client.role not in ROLES[what]:
        raise Forbidden("Permission denied")
