"""`python -m twilio_studio_steps.cli`: the same as the `studio-steps` command."""

import sys

from .main import main

sys.exit(main())
