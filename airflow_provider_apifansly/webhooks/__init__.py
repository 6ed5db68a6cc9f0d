"""apifansly webhooks turned into Airflow asset events.

A receiver (``python -m airflow_provider_apifansly.webhooks``), the parser it shares with the trigger, and the
Redis layout.

Importing this package loads neither Airflow nor the receiver's web stack (extra ``[events]``).
"""
