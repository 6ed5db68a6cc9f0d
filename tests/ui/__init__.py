"""Browser tests of the connection form and its Test button in the Airflow UI."""
