"""What a sync did, counted as it goes: the progress it reports and the report it returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class FlowWindow:
    """The executions one flow's listing asked for: created in [created_from, created_to)."""

    flow_sid: str
    created_from: dt.datetime
    created_to: dt.datetime


@dataclass
class SyncReport:
    """The counts of one sync, updated while it runs (progress callbacks see them live).

    executions_new: executions stored for the first time.
    executions_updated: stored ones written again (an active one that moved on or ended).
    executions_unchanged: stored active ones revisited that had not changed.
    executions_missing: stored ones Twilio answered 404 for: kept, marked missing_since.
    steps_added / step_contexts_added: rows new to the database.
    throttled: 429 answers the client received during the sync.
    fraction_done: an estimate between 0 and 1 (the listing's position in its window,
        then the revisits done), for an ETA.
    """

    database: str
    flows: list[FlowWindow] = field(default_factory=list)
    executions_new: int = 0
    executions_updated: int = 0
    executions_unchanged: int = 0
    executions_missing: int = 0
    steps_added: int = 0
    step_contexts_added: int = 0
    throttled: int = 0
    fraction_done: float = 0.0
    complete: bool = False

    @property
    def executions_done(self) -> int:
        return (
            self.executions_new
            + self.executions_updated
            + self.executions_unchanged
            + self.executions_missing
        )

    def summary(self) -> str:
        """One line for a log."""
        missing = (
            f", {self.executions_missing:,} gone from Twilio" if self.executions_missing else ""
        )
        return (
            f"{len(self.flows)} flow(s): {self.executions_new:,} new executions, "
            f"{self.executions_updated:,} updated, {self.executions_unchanged:,} still active "
            f"unchanged{missing}; {self.steps_added:,} new steps, "
            f"{self.step_contexts_added:,} new step contexts; {self.throttled:,} 429s"
        )
