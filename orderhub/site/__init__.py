"""WEB LAYER: app factory, thin controllers, page templates (one folder per hub section)."""
