"""The Fansly operators, one module per resource, on the bases of ``base.py`` and ``once.py``."""
