"""Brand logos: schema only. A logo is stored re-encoded (orderhub.images), addressed by the hash of
its bytes, so its URL changes whenever the picture does and can be cached for ever."""

from piccolo.columns import Bytea, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant


class BrandLogo(Table, tablename="brand_logos"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    #: "<merchant id>:<digest>", unique per merchant
    key = Varchar(length=120, unique=True)
    #: the first 32 hex digits of the sha256 of `data`
    digest = Varchar(length=64)
    content_type = Varchar(length=32)
    data = Bytea()
    #: a small copy for PDFs (embedded as a data: URI, which the PDF fetcher caps)
    print_type = Varchar(length=32)
    print_data = Bytea()
    created_at = Timestamptz()
