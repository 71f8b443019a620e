"""What the shared validators' codes (orderhub.db.validation: "validation.*"; orderhub.images:
"image.*") say to a person next to a form field (English msgids, translated when shown;
`%(name)s` from the error's params)."""

from __future__ import annotations

from orderhub.db import validation as v

MESSAGES: dict[str, str] = {
    v.REQUIRED: "Please fill this in.",
    v.EMPTY: "Please fill this in.",
    v.NOT_OBJECT: "Please fill this in.",
    v.NOT_LIST: "Please fill this in.",
    v.TOO_FEW_ITEMS: "Use %(n)s or more.",
    v.TOO_MANY_ITEMS: "Use at most %(n)s entries.",
    v.NOT_STRING: "Use letters, numbers and punctuation only.",
    v.NOT_TEXT: "Use letters, numbers and punctuation only.",
    v.TOO_LONG: "Use at most %(n)s characters.",
    v.CONTROL_CHARACTERS: "Use letters, numbers and punctuation only.",
    v.NOT_PLAIN_TEXT: "Use plain text, without < or >.",
    v.NOT_CHOICE: "Choose one of the options.",
    v.NOT_BOOLEAN: "Choose yes or no.",
    v.NOT_WHOLE_NUMBER: "Enter a whole number.",
    v.TOO_SMALL: "Use %(n)s or more.",
    v.TOO_LARGE: "Use %(n)s or less.",
    v.OUT_OF_RANGE: "Enter a whole number from %(low)s to %(high)s.",
    v.NOT_AMOUNT: "Enter an amount such as 500 or 5.00.",
    v.NOT_RATE: "Enter a rate such as 0.10.",
    v.RATE_OUT_OF_RANGE: "Enter a rate such as 0.10.",
    v.NOT_TIMESTAMP: "Enter a date like 2026-11-01.",
    v.NOT_DATE: "Enter a date like 2026-11-01.",
    v.NOT_TIME: "Enter a time such as 21:00.",
    v.NOT_TIMEZONE: "Choose a time zone such as Asia/Tokyo.",
    v.NOT_WEB_URL: "Enter a web address starting with https://.",
    v.NOT_EMAIL: "Enter an email address such as help@example.com.",
    v.NOT_HEX_COLOR: "Enter a colour as # and six hexadecimal digits, for example #1F5F3F.",
    v.UNKNOWN_KEY: "Choose one of the options.",
    # uploaded pictures (orderhub.images.ImageRejected)
    "image.empty": "The file is empty.",
    "image.too_large": "The picture is too large (at most %(mb)s MB).",
    "image.not_a_picture": "Only pictures can be uploaded (PNG, JPEG or WebP).",
    "image.too_many_pixels": "The picture has too many pixels (at most %(mp)s megapixels).",
    "image.unreadable": "The file is not a readable picture.",
}
