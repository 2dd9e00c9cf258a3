"""Lead tests use the shared ``enquiry`` fixture and ``lead_input`` helper of tests/conftest.py."""
