"""The providers' HTTP APIs, each a `rules.Sender`: LINE's Messaging API push and a Twilio-compatible
SMS API. They take the `httpx.AsyncClient` (in production `orderhub.outbound.client()`, in tests a
MockTransport) and answer a `SendResult`; 429, 5xx and timeouts are retried by the job."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from orderhub.db.channels import line_bot_rules as bot_rules
from orderhub.db.channels import rules
from orderhub.db.channels.rules import ChannelMessage, Credentials, SendResult

TIMEOUT_SECONDS = 10.0
#: what any transport failure says in the log (never which port or address answered what)
TRANSPORT_ERROR = "the provider could not be reached"


async def _post(client: httpx.AsyncClient, url: str, **kwargs: object) -> httpx.Response | SendResult:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await client.post(url, **kwargs)  # type: ignore[arg-type]
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
        return SendResult(ok=False, error=TRANSPORT_ERROR)


async def send_line(client: httpx.AsyncClient, message: ChannelMessage, credentials: Credentials) -> SendResult:
    """POST {api}/v2/bot/message/push with the channel access token; the message id is the retry key
    (LINE drops a repeat of the same X-Line-Retry-Key, so a retry after a lost answer is not sent twice)."""
    answer = await _post(
        client, f"{credentials.api_url.rstrip('/')}/v2/bot/message/push",
        json={"to": message.recipient, "messages": [{"type": "text", "text": message.text[:5000]}]},
        headers={"Authorization": f"Bearer {credentials.get('access_token')}",
                 "X-Line-Retry-Key": _retry_key(message)},
    )
    if isinstance(answer, SendResult):
        return answer
    if answer.status_code == 409:  # the retry key was accepted before: it went out once
        return SendResult(ok=True, provider_id=answer.headers.get("x-line-request-id", ""))
    result = rules.result_of_status(answer.status_code, answer.text, gone=(404,))
    if result.ok:
        return SendResult(ok=True, provider_id=answer.headers.get("x-line-request-id", ""))
    return result


def _retry_key(message: ChannelMessage) -> str:
    """A UUID made from the message id and channel (LINE wants a UUID): the same for every attempt."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"orderhub:channel-message:{message.id}"))


async def send_sms(client: httpx.AsyncClient, message: ChannelMessage, credentials: Credentials) -> SendResult:
    """POST {api}/2010-04-01/Accounts/{sid}/Messages.json, basic auth, form To / From / Body."""
    sid = credentials.get("account_sid")
    answer = await _post(
        client, f"{credentials.api_url.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json",
        data={"To": message.recipient, "From": credentials.get("sender"), "Body": message.text[:1600]},
        auth=(sid, credentials.get("auth_token")),
    )
    if isinstance(answer, SendResult):
        return answer
    # Twilio answers 400 with code 21211/21614 for a number that cannot receive texts: the number is gone
    result = rules.result_of_status(answer.status_code, answer.text, gone=(404,))
    if result.ok:
        try:
            sid_out = str(answer.json().get("sid") or "")
        except ValueError:
            sid_out = ""
        return SendResult(ok=True, provider_id=sid_out)
    return result


# --- the LINE bot's half of the account link (db/channels/line_bot_rules) ----------------------------------


async def line_link_token(client: httpx.AsyncClient, api_url: str, access_token: str, user_id: str) -> str | None:
    """POST {api}/v2/bot/user/{userId}/linkToken -> the link token LINE issued (valid 10 minutes), or
    None when LINE refused or could not be reached (the bot then says so; nothing is stored)."""
    if not bot_rules.user_id_ok(user_id):
        return None
    answer = await _post(client, f"{api_url.rstrip('/')}/v2/bot/user/{user_id}/linkToken",
                         headers={"Authorization": f"Bearer {access_token}"})
    if isinstance(answer, SendResult) or answer.status_code != 200:
        return None
    try:
        token = answer.json().get("linkToken")
    except (ValueError, AttributeError):
        return None
    return token if bot_rules.link_token_ok(token) else None


async def line_reply(client: httpx.AsyncClient, api_url: str, access_token: str, reply_token: str, text: str) -> bool:
    """POST {api}/v2/bot/message/reply: one text message in answer to the event. -> LINE took it."""
    if not reply_token or len(reply_token) > 200:
        return False
    answer = await _post(client, f"{api_url.rstrip('/')}/v2/bot/message/reply",
                         json={"replyToken": reply_token, "messages": [{"type": "text", "text": text[:5000]}]},
                         headers={"Authorization": f"Bearer {access_token}"})
    return not isinstance(answer, SendResult) and answer.status_code == 200
