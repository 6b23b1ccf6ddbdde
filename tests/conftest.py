import pytest


@pytest.fixture(autouse=True)
def _inline_jobs(settings):
    """Background jobs run synchronously after commit in tests, unless a test says otherwise."""
    settings.THUKKHON_JOBS_INLINE = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Thai); a request in English must not leak into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
