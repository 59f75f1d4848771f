"""Contains all the data models used in inputs/outputs"""

from .channel_notification import ChannelNotification
from .create_service_request import CreateServiceRequest
from .new_message_notification import NewMessageNotification
from .page_meta import PageMeta
from .service import Service
from .service_limits import ServiceLimits
from .service_links import ServiceLinks
from .service_media import ServiceMedia
from .service_notifications import ServiceNotifications
from .service_page import ServicePage
from .twilio_error import TwilioError
from .twilio_error_details import TwilioErrorDetails
from .update_service_request import UpdateServiceRequest
from .update_service_request_webhook_method import UpdateServiceRequestWebhookMethod

__all__ = (
    "ChannelNotification",
    "CreateServiceRequest",
    "NewMessageNotification",
    "PageMeta",
    "Service",
    "ServiceLimits",
    "ServiceLinks",
    "ServiceMedia",
    "ServiceNotifications",
    "ServicePage",
    "TwilioError",
    "TwilioErrorDetails",
    "UpdateServiceRequest",
    "UpdateServiceRequestWebhookMethod",
)
