"""Fixtures for driving a running broker only through Brokkr's published Python SDK.

The broker's base URL and admin PAK come from BROKKR_URL (e.g. http://127.0.0.1:3000) and
BROKKR_ADMIN_PAK; scripts/sdk-tests.sh starts a broker and sets both.
"""

import os
import uuid
from dataclasses import dataclass

import pytest
from brokkr import BrokkrClient
from brokkr_broker_client import AuthenticatedClient
from brokkr_broker_client.api.agents import create_agent, update_agent
from brokkr_broker_client.api.generators import create_generator
from brokkr_broker_client.models import CreateAgentResponse, CreateGeneratorResponse, NewAgent, NewGenerator


def _api_url() -> str:
    return os.environ.get("BROKKR_URL", "http://127.0.0.1:3000").rstrip("/") + "/api/v1"


def wrapper_for(pak: str) -> BrokkrClient:
    """The `brokkr-client` wrapper; its generated client fails on any status the contract does not list."""
    wrapper = BrokkrClient(_api_url(), token=pak)
    wrapper.api.raise_on_unexpected_status = True
    return wrapper


def client_for(pak: str) -> AuthenticatedClient:
    return wrapper_for(pak).api


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Principal:
    id: uuid.UUID
    pak: str
    client: AuthenticatedClient


@pytest.fixture(scope="session")
def admin() -> AuthenticatedClient:
    pak = os.environ.get("BROKKR_ADMIN_PAK")
    if not pak:
        pytest.fail("BROKKR_ADMIN_PAK is not set: run scripts/sdk-tests.sh")
    return client_for(pak)


@pytest.fixture
def generator(admin) -> Principal:
    response = create_generator.sync_detailed(client=admin, body=NewGenerator(name=unique("ci"), description="pipeline"))
    assert response.status_code == 201, response.content
    created = response.parsed
    assert isinstance(created, CreateGeneratorResponse)
    return Principal(created.generator.id, created.pak, client_for(created.pak))


@pytest.fixture
def agent(admin) -> Principal:
    """A new agent, activated by the admin (agents start INACTIVE)."""
    response = create_agent.sync_detailed(client=admin, body=NewAgent(name=unique("agent"), cluster_name=unique("cluster")))
    assert response.status_code == 201, response.content
    created = response.parsed
    assert isinstance(created, CreateAgentResponse)
    assert created.agent.status == "INACTIVE"
    activated = update_agent.sync_detailed(created.agent.id, client=admin, body={"status": "ACTIVE"})
    assert activated.status_code == 200 and activated.parsed.status == "ACTIVE"
    return Principal(created.agent.id, created.initial_pak, client_for(created.initial_pak))
