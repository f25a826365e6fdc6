"""moto_server with fixes that make it answer as AWS does where the build relies on it.

1. moto 5.x executes a CREATE change set without re-reading the stack's template, so the stack reports no
   Outputs (a stack made with CreateStack does). The build deploys every stack through a change set and wires
   stacks together by their outputs: without this no local rehearsal gets past the first stack.
2. !Ref of an AWS::EFS::AccessPoint gives moto's object, not the access point's ID.
3. AWS::ECS::CapacityProvider, AWS::ECS::ClusterCapacityProviderAssociations and
   AWS::CertificateManager::Certificate are skipped by moto's CloudFormation although its ECS and ACM APIs
   have them; they are mapped onto those APIs here.
4. A CREATE change set on a stack that is REVIEW_IN_PROGRESS (a change set made and never executed, e.g. by a
   run that was stopped) goes to that stack, as in CloudFormation; moto made a second stack of the same name,
   and executing the change set then failed inside moto (HTTP 500). On any other existing stack CloudFormation
   refuses CREATE with AlreadyExistsException. Source: CloudFormation API reference, CreateChangeSet,
   ChangeSetType ("the stack will be in the REVIEW_IN_PROGRESS state until you execute the change set"); the aws
   CLI's `cloudformation deploy` relies on it (aws/aws-cli, awscli/customizations/cloudformation/deployer.py,
   has_stack: "we treat like this stack does not exist and call CreateChangeSet with ChangeSetType set to CREATE").
5. Executing a change set gives the stack the change set's tags and parameters, as CloudFormation does (API
   reference, CreateChangeSet, Tags: "Key-value pairs to associate with this stack"); moto kept the old ones, so
   a template that changed and changed back read as unchanged by its fingerprint tag.
6. A resource an update modifies whose moto model has no update stays as it was; moto dropped it, and with it
   every output that refers to it (an AWS::EFS::FileSystem's FileSystemId). CloudFormation updates such a resource
   in place (the resource reference's "Update requires: No interruption"). Gap left: the resource keeps its old
   properties, and a change that needs a replacement does not replace it.
7. ECS CreateService keeps capacityProviderStrategy, deploymentConfiguration, healthCheckGracePeriodSeconds,
   enableECSManagedTags, placementConstraints, placementStrategy and enableExecuteCommand, and DescribeServices
   returns them, as ECS does (ECS API reference, CreateService request and the Service data type); moto dropped
   them, so a service made by the build differed from its own file until an UpdateService sent them again.
Everything else is moto as installed. Usage: python3 tools/moto/serve.py -H 127.0.0.1 -p PORT
"""
import sys

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import AlreadyExistsException, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend
from moto.cloudformation.utils import generate_changeset_id, validate_create_change_set
from moto.acm.models import acm_backends
from moto.core.common_models import CloudFormationModel
from moto.core.utils import camelcase_to_underscores
from moto.ecs.models import ecs_backends
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.efs.models import AccessPoint
from moto.server import main

_create_change_set = CloudFormationBackend.create_change_set
_execute_change_set = CloudFormationBackend.execute_change_set
_parse_and_update_resource = parsing.parse_and_update_resource
_create_service = EC2ContainerServiceResponse.create_service


def _create_change_set_on_review_stack(
    self, stack_name, change_set_name, template, parameters, description, change_set_type,
    notification_arns=None, tags=None, role_arn=None,
):
    existing = next((stack for stack in self.stacks.values() if stack.name == stack_name), None)
    if change_set_type != "CREATE" or existing is None:
        return _create_change_set(
            self, stack_name, change_set_name, template, parameters, description, change_set_type,
            notification_arns, tags, role_arn,
        )
    if existing.status != "REVIEW_IN_PROGRESS":
        raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
    validate_create_change_set(change_set_name)
    change_set_id = generate_changeset_id(change_set_name, self.region_name, self.account_id)
    change_set = ChangeSet(
        change_set_type="CREATE",
        change_set_id=change_set_id,
        change_set_name=change_set_name,
        stack=existing,
        template=template,
        parameters=parameters,
        description=description,
        notification_arns=notification_arns,
        tags=tags,
        role_arn=role_arn,
    )
    change_set.status = "CREATE_COMPLETE"
    change_set.execution_status = "AVAILABLE"
    self.change_sets[change_set_id] = change_set
    return change_set_id, existing.stack_id


def _execute_change_set_as_cloudformation(self, change_set_name, stack_name=None):
    change_set = self.change_sets.get(change_set_name) or next(
        (cs for cs in self.change_sets.values()
         if cs.change_set_name == change_set_name and stack_name in (None, cs.stack_name, cs.stack_id)),
        None,
    )
    if change_set is None:
        raise ValidationError(stack_name, f"ChangeSet [{change_set_name}] does not exist")
    _execute_change_set(self, change_set.change_set_id, stack_name)
    stack = self.stacks[change_set.stack_id]
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    if change_set.tags is not None:
        stack.tags = change_set.tags
    stack.parameters = change_set.parameters


def _update_keeping_resources_without_update(logical_id, resource_json, resources_map, account_id, region_name):
    updated = _parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    if updated is None and resources_map._parsed_resources.get(logical_id) is not None:
        return resources_map._parsed_resources[logical_id]
    return updated


# The members of ECS's CreateService request that moto's create drops (and its UpdateService stores).
_SERVICE_MEMBERS_MOTO_DROPS = [
    "capacityProviderStrategy", "deploymentConfiguration", "healthCheckGracePeriodSeconds", "enableECSManagedTags",
    "placementConstraints", "placementStrategy", "enableExecuteCommand",
]


def _create_service_keeping_members(self):
    result = _create_service(self)
    service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
    for member in _SERVICE_MEMBERS_MOTO_DROPS:
        value = self._get_param(member)
        if value is not None:
            # The attribute names moto's UpdateService stores them under, which DescribeServices reads.
            setattr(service, camelcase_to_underscores(member), value)
    return result


def _camel(properties):
    """CloudFormation's PascalCase keys as the ECS API's camelCase."""
    return {key[0].lower() + key[1:]: value for key, value in properties.items()}


def _api_backed(resource_type, service, create):
    """A CloudFormation model for resource_type whose creation is one call of moto's own API.

    create(resource_name, properties, account_id, region_name) returns the resource's physical ID.
    """

    class Model(CloudFormationModel):
        # moto's model registry keys every model by the service module it was defined in.
        __module__ = f"moto.{service}.cloudformation_fix"

        def __init__(self, physical_id):
            self.physical_id = physical_id

        @property
        def physical_resource_id(self):
            return self.physical_id

        @staticmethod
        def cloudformation_type():
            return resource_type

        @staticmethod
        def cloudformation_name_type():
            return ""

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            return cls(create(resource_name, cloudformation_json.get("Properties", {}), account_id, region_name))

    return Model


def _create_capacity_provider(name, properties, account_id, region_name):
    asg = properties.get("AutoScalingGroupProvider", {})
    details = {
        "autoScalingGroupArn": asg.get("AutoScalingGroupArn"),
        "managedScaling": _camel(asg.get("ManagedScaling", {})),
        "managedTerminationProtection": asg.get("ManagedTerminationProtection", "DISABLED"),
    }
    return ecs_backends[account_id][region_name].create_capacity_provider(name, details, []).name


def _associate_capacity_providers(name, properties, account_id, region_name):
    cluster = properties["Cluster"].split("/")[-1]
    strategy = [_camel(item) for item in properties.get("DefaultCapacityProviderStrategy", [])]
    ecs_backends[account_id][region_name].put_cluster_capacity_providers(cluster, properties.get("CapacityProviders", []), strategy)
    return cluster


def _request_certificate(name, properties, account_id, region_name):
    return acm_backends[account_id][region_name].request_certificate(
        properties["DomainName"], name, properties.get("SubjectAlternativeNames", []), []
    )


# moto finds models through CloudFormationModel.__subclasses__(), which holds them weakly: keep them alive.
_MODELS = [
    _api_backed("AWS::ECS::CapacityProvider", "ecs", _create_capacity_provider),
    _api_backed("AWS::ECS::ClusterCapacityProviderAssociations", "ecs", _associate_capacity_providers),
    _api_backed("AWS::CertificateManager::Certificate", "acm", _request_certificate),
]

CloudFormationBackend.create_change_set = _create_change_set_on_review_stack
CloudFormationBackend.execute_change_set = _execute_change_set_as_cloudformation
parsing.parse_and_update_resource = _update_keeping_resources_without_update
EC2ContainerServiceResponse.create_service = _create_service_keeping_members
AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
