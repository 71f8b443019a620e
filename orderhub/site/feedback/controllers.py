"""Every controller of the feedback area, for the app factory's CONTROLLERS list."""

from orderhub.site.admin.feedback import FeedbackAdminController
from orderhub.site.feedback.api import EmbedController, ReviewsApi
from orderhub.site.feedback.routes import FeedbackController

CONTROLLERS = [FeedbackController, ReviewsApi, EmbedController, FeedbackAdminController]
