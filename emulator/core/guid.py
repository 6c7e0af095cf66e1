"""The one GUID pattern (``core.wire`` re-exports it): in a module of its own so the OData parser, below the wire
module (``core.wire.resource_for`` builds OData tables), can use it."""
from __future__ import annotations

import re
from typing import Any

GUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GUID_RE = re.compile(GUID_PATTERN)
# (used with fullmatch: no "\n" after)


def is_guid(value: Any) -> bool:
    return isinstance(value, str) and GUID_RE.fullmatch(value) is not None
