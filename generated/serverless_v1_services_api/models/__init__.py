"""Contains all the data models used in inputs/outputs"""

from .page_meta import PageMeta
from .service import Service
from .service_links_type_0 import ServiceLinksType0
from .service_page import ServicePage
from .twilio_error import TwilioError
from .twilio_error_details_type_0 import TwilioErrorDetailsType0

__all__ = (
    "PageMeta",
    "Service",
    "ServiceLinksType0",
    "ServicePage",
    "TwilioError",
    "TwilioErrorDetailsType0",
)
