"""Error codes of the merchant admin's areas (merchants and their team, stores, branding, settings
forms) and what they say to a person (English msgids, translated when shown)."""

from __future__ import annotations

from orderhub.db.branding import queries as brand_queries
from orderhub.db.branding import rules as brand_rules
from orderhub.db.branding import services as brand_services
from orderhub.db.merchants import rules as m
from orderhub.db.orders import rules as order_rules

#: an object of this merchant that is no longer there (another tab removed it)
GONE = "This is no longer there. Please reload the page."

MESSAGES: dict[str, str] = {
    # merchants
    m.CURRENCY: "Choose a currency such as JPY or USD.",
    m.REGISTRATION_NUMBER_INVALID: "Enter T and 13 digits, as on your qualified invoice registration.",
    m.REGISTRATION_NUMBER_CHECK: ("Saved, but please check this number: its check digit does not match a corporate "
                                  "number. A sole proprietor's number can still be right; compare it with your "
                                  "registration notice or the National Tax Agency's search."),
    m.SLUG_INVALID: "Use lower-case letters, digits and - only.",
    m.SLUG_TAKEN: "A shop with this address exists. Choose another.",
    m.MERCHANT_NOT_FOUND: GONE,
    m.API_KEY_NOT_FOUND: GONE,
    # stores
    m.STORE_NOT_FOUND: "Choose one of your stores.",
    m.STORE_CODE_INVALID: "Use 1 to 64 letters, digits, - or _.",
    m.STORE_CODE_MISMATCH: "Use 1 to 64 letters, digits, - or _.",
    m.STORE_CLOSES_BEFORE_OPENING: "Closing must be after opening.",
    m.STORE_HOURS_LINES: "Write one range per line, like “mon-fri 11:00-20:00”. Days: %(days)s.",
    # the team
    m.ROLE_INVALID: "Choose owner or store staff.",
    m.STAFF_NEED_STORE: "Store staff belong to a store: choose one.",
    m.PASSWORD_TOO_SHORT: "Use at least 10 characters.",
    m.PASSWORD_TOO_LONG: "That password is too long.",
    m.PASSWORDS_DIFFER: "The two passwords don't match.",
    m.EMAIL_INVALID: "Enter an e-mail address such as name@example.com.",
    m.ALREADY_MEMBER: "This person already has an account.",
    m.CANNOT_DISABLE_SELF: "You can't disable your own account.",
    m.LAST_OWNER: "A shop needs at least one owner.",
    m.NO_INVITATION: "This invitation link doesn't work any more. Ask for a new one.",
    m.WRONG_PASSWORD: "That is not your current password.",
    m.SAME_PASSWORD: "Choose a password you have not used here.",
    m.INVITATION_USED: "This invitation was already accepted. Sign in with the e-mail address it was sent to.",
    m.INVITATION_EXPIRED: "This invitation has expired. Ask an owner of the shop for a new one.",
    m.NO_USER: GONE,
    # branding
    brand_rules.LOW_CONTRAST: "Hard to read: this colour has too little contrast (at least %(minimum)s:1 is needed).",
    brand_services.NO_DRAFT: "There is no draft to publish.",
    brand_queries.LOGO_NOT_FOUND: GONE,
    # settings forms
    m.POLICY_TAG_LINES: "Write one customer tag per line, like “member-gold: 60”.",
    # the cross-sells settings form (the orders area's validator)
    order_rules.UNKNOWN_PRODUCT: "No product with the id %(ids)s (and a product is not related to itself).",
    order_rules.UNKNOWN_RELATED: "No product with the id %(ids)s (and a product is not related to itself).",
}
