"""The public overview (`/tal`): per district and month, what was ordered and what the police did.

Fed by the agencies' stream (`public.orders.v1`), so it holds no personal data by construction.
"""
