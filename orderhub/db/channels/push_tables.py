"""Browser notifications (Web Push): the server's VAPID key and the shoppers' subscriptions. Schema only."""

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order


class PushKey(Table, tablename="push_keys"):
    """The server's VAPID key pair, made once by whichever process needs it first (`name` unique)."""

    id: Serial
    name = Varchar(length=20, unique=True)
    #: the private key (PEM), encrypted with a key derived from the secret key (Fernet)
    private_key = Text()
    #: the public key as browsers want it: the uncompressed P-256 point, base64url without padding
    public_key = Varchar(length=100)
    created_at = Timestamptz()


class PushSubscription(Table, tablename="push_subscriptions"):
    """A browser that asked for notifications about one order (the Push API's subscription)."""

    id: Serial
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: "<order id>:<sha256 of the endpoint>": the same browser subscribing twice is stored once
    key = Varchar(length=100, unique=True)
    endpoint = Text()
    p256dh = Varchar(length=100)
    auth = Varchar(length=40)
    #: the page's language when it subscribed (the notification's words)
    locale = Varchar(length=8, default="en")
    #: where the consent was given ("hub"), and when
    source = Varchar(length=20, default="hub")
    created_at = Timestamptz()
