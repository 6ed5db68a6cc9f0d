"""The API's resource groups, one module each, as the apifansly docs group them.

Each module holds its handlers, its store and its ``ROUTES``; ``ROUTES`` here is
the table the dispatch walks, so a new module is registered by one line below.
"""

from airflow_provider_apifansly.sandbox.resources import (
    accounts,
    analytics,
    automated_messages,
    chat_messages,
    chats,
    earnings,
    fans,
    mass_messaging,
    media,
    posts,
    top_supporters,
)

ROUTES = (
    *accounts.ROUTES,
    *chats.ROUTES,
    *chat_messages.ROUTES,
    *fans.ROUTES,
    *mass_messaging.ROUTES,
    *media.ROUTES,
    *earnings.ROUTES,
    *automated_messages.ROUTES,
    *posts.ROUTES,
    *analytics.ROUTES,
    *top_supporters.ROUTES,
)
