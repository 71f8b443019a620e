"""REUSABLE UI: one Jinja macro per file plus pure filters; no DB, no HTTP."""
