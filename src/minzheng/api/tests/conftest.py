from collections.abc import Iterator
from typing import Any

import pytest

from minzheng.api.tests.support import api_base, issue_tokens


@pytest.fixture
def tokens(users: dict[str, Any]) -> dict[str, str]:
    """A raw bearer token for each user of the shared ``users`` fixture, by the same key."""
    return issue_tokens(users)


@pytest.fixture
def api(live_server: Any, transactional_db: None) -> Iterator[str]:
    """The base URL of the live API (``http://localhost:PORT/api/v1``)."""
    yield api_base(live_server)
