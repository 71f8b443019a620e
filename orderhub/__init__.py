"""orderhub: one branded, server-rendered hub page per e-commerce order."""

__version__ = "0.1.0"
