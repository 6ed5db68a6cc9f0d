"""The hook's endpoints, one module per resource group of the apifansly docs.

``FanslyHook`` inherits every group, so its methods stay flat (``hook.list_chats``):
account, chats, chat messages, fans, mass messaging, media, earnings, automated messages and posts.
"""
