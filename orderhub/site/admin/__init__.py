"""Merchant admin (/admin): sign-in and settings (ADMIN-CORE), dashboard and operations lists (admin_ops)."""
