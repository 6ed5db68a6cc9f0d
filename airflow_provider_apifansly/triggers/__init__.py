"""Triggers: waits that run on Airflow's triggerer, so no worker slot is held."""
