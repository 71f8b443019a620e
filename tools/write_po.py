"""Write a Japanese catalog for one area from a dict {msgid | (singular, plural): msgstr | [msgstr]}.

    python tools/write_po.py core tools/core_ja.py

The dict module defines JA. Keeps the catalog a plain, reviewable .po file.
"""

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po


def main(area: str, source: str) -> None:
    ja = runpy.run_path(source)["JA"]
    catalog = Catalog(locale="ja", domain=area, project="orderhub", charset="UTF-8")
    for msgid, msgstr in ja.items():
        catalog.add(msgid, msgstr if isinstance(msgstr, str) else tuple(msgstr))
    target = Path(__file__).resolve().parent.parent / "orderhub" / "locale" / "ja" / "LC_MESSAGES" / f"{area}.po"
    with target.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    print(f"wrote {len(ja)} messages to {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
