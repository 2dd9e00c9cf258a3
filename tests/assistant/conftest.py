import pytest


@pytest.fixture
def faq(db):
    """The shipped question bank in the database."""
    from autodcc.assistant import services
    from autodcc.core.actors import SYSTEM

    services.bank_load(actor=SYSTEM)
    return services
