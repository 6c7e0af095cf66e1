"""``python -m emulator``: the ``lms-emulator`` command."""
import sys

from .cli import main

sys.exit(main())
