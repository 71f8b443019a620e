"""MODEL LAYER: one Piccolo app per business area (tables, rules, queries, services)."""

import os

os.environ.setdefault("PICCOLO_CONF", "orderhub.db.piccolo_conf")
