"""Contains all the data models used in inputs/outputs"""

from .execution_step import ExecutionStep
from .execution_step_links_type_0 import ExecutionStepLinksType0
from .execution_step_page import ExecutionStepPage
from .page_meta import PageMeta
from .twilio_error import TwilioError
from .twilio_error_details_type_0 import TwilioErrorDetailsType0

__all__ = (
    "ExecutionStep",
    "ExecutionStepLinksType0",
    "ExecutionStepPage",
    "PageMeta",
    "TwilioError",
    "TwilioErrorDetailsType0",
)
