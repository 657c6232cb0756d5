"""Brokkr's whole workflow through the published 0.4.2 Python SDK, unchanged.

Every call goes through `brokkr_broker_client` (the generated client) or the `brokkr` wrapper; each
response must carry a status the contract documents (the client raises otherwise) and parse into
the SDK's typed models.
"""

import asyncio
import datetime
import json
import uuid

import pytest
from brokkr import BrokkrError
from brokkr_broker_client.api.admin import list_audit_logs
from brokkr_broker_client.api.agent_annotations import agents_add_annotation, agents_list_annotations
from brokkr_broker_client.api.agent_events import create_event, list_events
from brokkr_broker_client.api.agent_labels import agents_add_label, agents_list_labels, agents_remove_label
from brokkr_broker_client.api.agent_targets import add_target, list_targets, remove_target
from brokkr_broker_client.api.agents import (
    get_agent,
    get_associated_stacks,
    get_target_state,
    list_agents,
    record_heartbeat,
    search_agent,
)
from brokkr_broker_client.api.auth import verify_pak
from brokkr_broker_client.api.deployment_objects import get_deployment_object
from brokkr_broker_client.api.diagnostics import (
    claim_diagnostic,
    create_diagnostic_request,
    get_diagnostic,
    get_pending_diagnostics,
    submit_diagnostic_result,
)
from brokkr_broker_client.api.generators import create_generator, get_generator, list_generators, rotate_generator_pak
from brokkr_broker_client.api.health import get_deployment_health, update_health_status
from brokkr_broker_client.api.stacks import (
    create_deployment_object,
    create_stack,
    delete_stack,
    get_stack,
    instantiate_template,
    list_deployment_objects,
    list_stacks,
    stacks_add_annotation,
    stacks_add_label,
    stacks_list_annotations,
    stacks_list_labels,
    stacks_remove_label,
)
from brokkr_broker_client.api.templates import (
    create_template,
    get_template,
    templates_add_annotation,
    templates_add_label,
    update_template,
)
from brokkr_broker_client.api.webhooks import (
    create_webhook,
    delete_webhook,
    get_webhook,
    list_deliveries,
    list_event_types,
    test_webhook as send_test_webhook,
    update_webhook,
)
from brokkr_broker_client.api.work_orders import (
    claim_work_order,
    complete_work_order,
    create_work_order,
    get_work_order_log,
    list_pending_for_agent,
    list_work_orders,
)
from brokkr_broker_client.models import (
    AddAnnotationRequest,
    Agent,
    AgentEvent,
    AgentTarget,
    AuditLogListResponse,
    ClaimWorkOrderRequest,
    CompleteWorkOrderRequest,
    CreateDeploymentObjectRequest,
    CreateDiagnosticRequest,
    CreateTemplateRequest,
    CreateWebhookRequest,
    CreateWorkOrderRequest,
    DeploymentObject,
    DeploymentObjectHealthUpdate,
    ErrorResponse,
    HealthStatusUpdate,
    NewAgentAnnotation,
    NewAgentEvent,
    NewAgentLabel,
    NewAgentTarget,
    NewGenerator,
    NewStack,
    NewStackAnnotation,
    Stack,
    StackTemplate,
    SubmitDiagnosticResult,
    TemplateInstantiationRequest,
    UpdateTemplateRequest,
    UpdateWebhookRequest,
    WebhookResponse,
    WorkOrder,
    WorkOrderLog,
    WorkOrderTargeting,
)

from conftest import client_for, unique, wrapper_for

DEPLOYMENT = """apiVersion: v1
kind: Namespace
metadata:
  name: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: web
data:
  greeting: hello
"""


def expect(response, status: int, model=None):
    assert response.status_code == status, f"{response.status_code}: {response.content!r}"
    if model is not None:
        assert isinstance(response.parsed, model), f"{type(response.parsed)}: {response.content!r}"
    return response.parsed


def expect_error(response, status: int, code: str) -> ErrorResponse:
    error = expect(response, status, ErrorResponse)
    assert error.code == code, f"{error.code}: {error.message}"
    assert error.message
    return error


def new_stack(generator, name: str | None = None) -> Stack:
    body = NewStack(name=name or unique("stack"), generator_id=generator.id, description="web tier")
    return expect(create_stack.sync_detailed(client=generator.client, body=body), 201, Stack)


def test_identities(admin, generator, agent):
    me = expect(verify_pak.sync_detailed(client=generator.client), 200)
    assert me.generator == str(generator.id) and not me.admin
    assert expect(get_generator.sync_detailed(generator.id, client=generator.client), 200).name.startswith("ci-")
    assert generator.id in [g.id for g in expect(list_generators.sync_detailed(client=admin), 200)]
    found = expect(get_agent.sync_detailed(agent.id, client=agent.client), 200, Agent)
    assert found.status == "ACTIVE"
    searched = expect(search_agent.sync_detailed(client=agent.client, name=found.name, cluster_name=found.cluster_name), 200, Agent)
    assert searched.id == agent.id
    assert agent.id in [a.id for a in expect(list_agents.sync_detailed(client=admin), 200)]
    expect(record_heartbeat.sync_detailed(agent.id, client=agent.client), 204)
    rotated = expect(rotate_generator_pak.sync_detailed(generator.id, client=admin), 201)
    assert rotated.pak.startswith("brokkr_BR") and rotated.pak != generator.pak


def test_deploy_your_first_application(admin, generator, agent):
    """The quick start: a stack with labels and annotations, a deployment object, the generator
    targets its stack at the agent, the agent reads its target state and reports an event."""
    stack = new_stack(generator)
    assert stack.generator_id == generator.id
    label = expect(stacks_add_label.sync_detailed(stack.id, client=generator.client, body="env-prod"), 201)
    assert label.label == "env-prod"
    assert [l.label for l in expect(stacks_list_labels.sync_detailed(stack.id, client=generator.client), 200)] == ["env-prod"]
    expect(stacks_remove_label.sync_detailed(stack.id, "env-prod", client=generator.client), 204)
    annotation = NewStackAnnotation(stack_id=stack.id, key="team", value="web")
    expect(stacks_add_annotation.sync_detailed(stack.id, client=generator.client, body=annotation), 201)
    assert [(a.key, a.value) for a in expect(stacks_list_annotations.sync_detailed(stack.id, client=generator.client), 200)] == [("team", "web")]

    created = create_deployment_object.sync_detailed(stack.id, client=generator.client, body=CreateDeploymentObjectRequest(yaml_content=DEPLOYMENT))
    obj = expect(created, 201, DeploymentObject)
    assert obj.stack_id == stack.id and not obj.is_deletion_marker
    assert [o.id for o in expect(list_deployment_objects.sync_detailed(stack.id, client=generator.client), 200)] == [obj.id]
    assert expect(list_stacks.sync_detailed(client=generator.client), 200)[0].id == stack.id

    target = expect(add_target.sync_detailed(agent.id, client=generator.client, body=NewAgentTarget(agent_id=agent.id, stack_id=stack.id)), 201, AgentTarget)
    assert target.stack_id == stack.id
    assert [t.stack_id for t in expect(list_targets.sync_detailed(agent.id, client=agent.client), 200)] == [stack.id]
    assert [s.id for s in expect(get_associated_stacks.sync_detailed(agent.id, client=agent.client), 200)] == [stack.id]

    state = expect(get_target_state.sync_detailed(agent.id, client=agent.client), 200)
    assert [o.id for o in state] == [obj.id] and state[0].yaml_content == DEPLOYMENT
    assert expect(get_deployment_object.sync_detailed(obj.id, client=agent.client), 200, DeploymentObject).id == obj.id

    event = NewAgentEvent(agent_id=agent.id, deployment_object_id=obj.id, event_type="DEPLOY", status="SUCCESS", message="applied")
    reported = expect(create_event.sync_detailed(agent.id, client=agent.client, body=event), 201, AgentEvent)
    assert reported.status == "SUCCESS"
    assert [e.id for e in expect(list_events.sync_detailed(agent.id, client=agent.client), 200)] == [reported.id]
    assert expect(get_target_state.sync_detailed(agent.id, client=agent.client), 200) == [], "incremental state drops reported objects"
    assert len(expect(get_target_state.sync_detailed(agent.id, client=agent.client, mode="full"), 200)) == 1

    health = HealthStatusUpdate(deployment_objects=[DeploymentObjectHealthUpdate(
        id=obj.id, status="healthy", checked_at=datetime.datetime.now(datetime.timezone.utc))])
    expect(update_health_status.sync_detailed(agent.id, client=agent.client, body=health), 200)
    assert expect(get_deployment_health.sync_detailed(obj.id, client=admin), 200).overall_status == "healthy"

    expect(remove_target.sync_detailed(agent.id, stack.id, client=generator.client), 204)
    expect(delete_stack.sync_detailed(stack.id, client=generator.client), 204)
    expect_error(get_stack.sync_detailed(stack.id, client=generator.client), 404, "stack_not_found")


def test_agent_labels_and_annotations(admin, agent):
    expect(agents_add_label.sync_detailed(agent.id, client=admin, body=NewAgentLabel(agent_id=agent.id, label="env-prod")), 201)
    assert [l.label for l in expect(agents_list_labels.sync_detailed(agent.id, client=agent.client), 200)] == ["env-prod"]
    annotation = NewAgentAnnotation(agent_id=agent.id, key="region", value="eu-1")
    expect(agents_add_annotation.sync_detailed(agent.id, client=admin, body=annotation), 201)
    assert [(a.key, a.value) for a in expect(agents_list_annotations.sync_detailed(agent.id, client=agent.client), 200)] == [("region", "eu-1")]
    expect(agents_remove_label.sync_detailed(agent.id, "env-prod", client=admin), 204)
    expect_error(agents_remove_label.sync_detailed(agent.id, "env-prod", client=admin), 404, "agent_label_not_found")


def test_templates(generator, agent):
    schema = json.dumps({"type": "object", "required": ["replicas"], "properties": {"replicas": {"type": "integer", "minimum": 1}}})
    content = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  replicas: \"{{ replicas }}\"\n"
    body = CreateTemplateRequest(name=unique("tmpl"), template_content=content, parameters_schema=schema, description="app")
    template = expect(create_template.sync_detailed(client=generator.client, body=body), 201, StackTemplate)
    assert template.version == 1
    expect(templates_add_label.sync_detailed(template.id, client=generator.client, body="env-prod"), 201)
    expect(templates_add_annotation.sync_detailed(template.id, client=generator.client, body=AddAnnotationRequest(key="tier", value="web")), 201)
    assert expect(get_template.sync_detailed(template.id, client=generator.client), 200, StackTemplate).name == template.name
    v2 = expect(update_template.sync_detailed(template.id, client=generator.client,
                                              body=UpdateTemplateRequest(template_content=content, parameters_schema=schema)), 200, StackTemplate)
    assert v2.version == 2

    stack = new_stack(generator)
    mismatch = instantiate_template.sync_detailed(stack.id, client=generator.client,
                                                  body=TemplateInstantiationRequest(template_id=v2.id, parameters={"replicas": 2}))
    error = expect_error(mismatch, 422, "template_stack_mismatch")
    assert error.details is not None
    stacks_add_label.sync_detailed(stack.id, client=generator.client, body="env-prod")
    stacks_add_annotation.sync_detailed(stack.id, client=generator.client, body=NewStackAnnotation(stack_id=stack.id, key="tier", value="web"))
    invalid = instantiate_template.sync_detailed(stack.id, client=generator.client,
                                                 body=TemplateInstantiationRequest(template_id=v2.id, parameters={"replicas": 0}))
    expect_error(invalid, 400, "invalid_parameters")
    rendered = instantiate_template.sync_detailed(stack.id, client=generator.client,
                                                  body=TemplateInstantiationRequest(template_id=v2.id, parameters={"replicas": 3}))
    obj = expect(rendered, 201, DeploymentObject)
    assert 'replicas: "3"' in obj.yaml_content
    bad = create_template.sync_detailed(client=generator.client, body=CreateTemplateRequest(
        name=unique("bad"), template_content="{% if %}", parameters_schema="{}"))
    expect_error(bad, 400, "invalid_template_syntax")
    expect_error(get_template.sync_detailed(template.id, client=agent.client), 403, "template_not_accessible")


def test_work_orders(admin, agent):
    body = CreateWorkOrderRequest(work_type="custom", yaml_content="apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n",
                                  targeting=WorkOrderTargeting(agent_ids=[agent.id]), max_retries=1)
    order = expect(create_work_order.sync_detailed(client=admin, body=body), 201, WorkOrder)
    assert order.status == "PENDING"
    assert order.id in [o.id for o in expect(list_work_orders.sync_detailed(client=admin), 200)]
    pending = expect(list_pending_for_agent.sync_detailed(agent.id, client=agent.client), 200)
    assert [o.id for o in pending] == [order.id]
    claimed = expect(claim_work_order.sync_detailed(order.id, client=agent.client, body=ClaimWorkOrderRequest(agent_id=agent.id)), 200, WorkOrder)
    assert claimed.status == "CLAIMED"
    done = complete_work_order.sync_detailed(order.id, client=agent.client, body=CompleteWorkOrderRequest(success=True, message="sha256:abc"))
    log = expect(done, 200, WorkOrderLog)
    assert log.success and log.result_message == "sha256:abc"
    assert expect(get_work_order_log.sync_detailed(order.id, client=admin), 200, WorkOrderLog).id == order.id
    expect_error(create_work_order.sync_detailed(client=admin, body=CreateWorkOrderRequest(work_type="custom", yaml_content="a: 1")),
                 400, "no_targeting_specified")


def test_webhooks(admin):
    types = expect(list_event_types.sync_detailed(client=admin), 200)
    assert "deployment.applied" in types
    body = CreateWebhookRequest(name=unique("hook"), url="http://127.0.0.1:9/hook", event_types=["stack.created"], auth_header="Bearer s3cret")
    hook = expect(create_webhook.sync_detailed(client=admin, body=body), 201, WebhookResponse)
    assert hook.has_auth_header and hook.enabled
    updated = expect(update_webhook.sync_detailed(hook.id, client=admin, body=UpdateWebhookRequest(enabled=False)), 200, WebhookResponse)
    assert not updated.enabled
    assert expect(get_webhook.sync_detailed(hook.id, client=admin), 200, WebhookResponse).id == hook.id
    expect(send_test_webhook.sync_detailed(hook.id, client=admin), 200)
    deliveries = expect(list_deliveries.sync_detailed(hook.id, client=admin), 200)
    assert [d.event_type for d in deliveries] == ["webhook.test"]
    expect_error(create_webhook.sync_detailed(client=admin, body=CreateWebhookRequest(name="w", url="ftp://x", event_types=["stack.created"])),
                 400, "invalid_url_scheme")
    expect(delete_webhook.sync_detailed(hook.id, client=admin), 204)
    expect_error(get_webhook.sync_detailed(hook.id, client=admin), 404, "webhook_not_found")


def test_diagnostics(admin, generator, agent):
    stack = new_stack(generator)
    obj = expect(create_deployment_object.sync_detailed(stack.id, client=generator.client, body=CreateDeploymentObjectRequest(yaml_content=DEPLOYMENT)), 201)
    request = expect(create_diagnostic_request.sync_detailed(obj.id, client=admin, body=CreateDiagnosticRequest(agent_id=agent.id, requested_by="oncall")), 201)
    assert [r.id for r in expect(get_pending_diagnostics.sync_detailed(agent.id, client=agent.client), 200)] == [request.id]
    expect(claim_diagnostic.sync_detailed(request.id, client=agent.client), 200)
    expect_error(claim_diagnostic.sync_detailed(request.id, client=agent.client), 409, "diagnostic_already_claimed")
    result = SubmitDiagnosticResult(pod_statuses="[]", events="[]", log_tails="{}", collected_at=datetime.datetime.now(datetime.timezone.utc))
    expect(submit_diagnostic_result.sync_detailed(request.id, client=agent.client, body=result), 201)
    full = expect(get_diagnostic.sync_detailed(request.id, client=admin), 200)
    assert full.request.status == "completed"


def test_audit_log_records_the_workflow(admin, generator):
    stack = new_stack(generator)
    # The audit batcher (brokkr-audit) moves entries from the outbox; give it a moment.
    for _ in range(50):
        page = expect(list_audit_logs.sync_detailed(client=admin, resource_id=stack.id), 200, AuditLogListResponse)
        if page.logs:
            break
        asyncio.run(asyncio.sleep(0.2))
    assert [entry.action for entry in page.logs] == ["stack.created"]
    assert page.logs[0].actor_type == "generator" and page.logs[0].actor_id == generator.id


def test_typed_refusals(admin, generator, agent):
    stack = new_stack(generator)
    created = expect(create_generator.sync_detailed(client=admin, body=NewGenerator(name=unique("other"))), 201)
    stranger = client_for(created.pak)
    # A generator may not target, read or list-through another generator's stack.
    expect_error(add_target.sync_detailed(agent.id, client=stranger, body=NewAgentTarget(agent_id=agent.id, stack_id=stack.id)),
                 403, "target_generator_mismatch")
    expect_error(get_stack.sync_detailed(stack.id, client=stranger), 403, "stack_not_owned")
    expect_error(list_generators.sync_detailed(client=generator.client), 403, "admin_required")
    expect_error(get_agent.sync_detailed(agent.id, client=generator.client), 403, "agent_pak_mismatch")
    expect_error(add_target.sync_detailed(agent.id, client=agent.client, body=NewAgentTarget(agent_id=agent.id, stack_id=stack.id)),
                 403, "target_create_denied")
    expect_error(get_agent.sync_detailed(uuid.uuid4(), client=admin), 404, "agent_not_found")

    # The wrapper turns a documented error into a BrokkrError carrying the code.
    async def forbidden(api):
        return await list_generators.asyncio(client=api)

    with pytest.raises(BrokkrError) as raised:
        asyncio.run(wrapper_for(generator.pak).retry(forbidden))
    assert raised.value.code == "admin_required"
