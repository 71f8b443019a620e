"""Error codes of the feedback area (surveys, reviews), its transactional emails and outbound
webhooks, and what they say to a person (English msgids, translated when shown). The codes are
raised by orderhub.db.feedback, orderhub.db.emails and orderhub.db.outbox; `%(num)s` is the
limit of the field (orderhub.db.feedback.rules.INPUT_LIMITS)."""

from __future__ import annotations

GONE = "We couldn't find that. It may have been removed."
SURVEY_CLOSED = "This survey is not open for this order."

MESSAGES: dict[str, str] = {
    # surveys
    "survey.not_open": SURVEY_CLOSED,
    "survey.capped": SURVEY_CLOSED,
    "survey.contact_not_offered": SURVEY_CLOSED,
    "survey.detractor_not_found": GONE,
    "survey.nps_range": "Choose a score from 0 to 10.",
    "survey.csat_range": "Choose from 1 to 5.",
    "feedback.order_not_found": GONE,
    # reviews
    "review.not_open": "You can review your items once they have arrived.",
    "review.moderated": "The shop has already checked your review, so it can no longer be changed.",
    "review.bad_move": "This review can't be changed with “%(action)s”: its status is now “%(status)s”.",
    "review.no_reply": "A rejected review cannot have a public reply.",
    "review.not_found": GONE,
    "review.line_not_found": GONE,
    "review.photo_not_found": GONE,
    "review.product_not_found": GONE,
    "review.stars_range": "Choose from 1 to 5 stars.",
    "review.too_many_photos": "You can add up to %(num)s photos.",
    # what was typed (any feedback field)
    "feedback.not_text": "Please type plain text.",
    "feedback.too_long": "That is too long (at most %(num)s characters).",
    "feedback.control_chars": "Please remove the special characters.",
    # transactional emails
    "email.not_found": GONE,
    "email.not_retryable": "This email is already going out again.",
    # outbound webhooks
    "webhook.endpoint_not_found": GONE,
    "webhook.delivery_not_found": GONE,
    "webhook.bad_url": "Enter a web address starting with https://.",
    "webhook.internal_url": "This address points inside a private network. Webhooks can only go to public addresses.",
}
