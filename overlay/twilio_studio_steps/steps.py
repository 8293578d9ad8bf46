"""The Steps service's generated binding, under the names this package gives it.

The clients, the page class and the operation declarations are written by
scripts/generate.py from spec/studio_v2_steps/ into studio_v2_steps_api; this module
only names them here.
"""

from studio_v2_steps_api.clients import AsyncStepsClient, StepsClient
from studio_v2_steps_api.operations import LIST_STEPS, StepsPage

__all__ = ["LIST_STEPS", "AsyncStepsClient", "StepsClient", "StepsPage"]
