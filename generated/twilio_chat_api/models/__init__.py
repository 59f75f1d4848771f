"""Contains all the data models used in inputs/outputs"""

from .create_service_request import CreateServiceRequest
from .page_meta import PageMeta
from .service import Service
from .service_links import ServiceLinks
from .service_page import ServicePage
from .twilio_error import TwilioError
from .twilio_error_details import TwilioErrorDetails

__all__ = (
    "CreateServiceRequest",
    "PageMeta",
    "Service",
    "ServiceLinks",
    "ServicePage",
    "TwilioError",
    "TwilioErrorDetails",
)
