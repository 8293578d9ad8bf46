"""`python -m twilio_studio_steps.cli`: the same as the `studio-steps` command."""

import sys

from .app import run

sys.exit(run())
