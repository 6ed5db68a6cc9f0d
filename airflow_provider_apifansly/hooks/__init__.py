"""The hook (``FanslyHook``), its endpoint groups, and what it sends requests through."""
