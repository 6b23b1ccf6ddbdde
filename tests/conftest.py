import pytest


@pytest.fixture(autouse=True)
def _inline_jobs(settings):
    """Background jobs run synchronously after commit in tests, unless a test says otherwise."""
    settings.THUKKHON_JOBS_INLINE = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
