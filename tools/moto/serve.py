"""moto_server with two fixes that make its CloudFormation answer as AWS does.

1. moto 5.x executes a CREATE change set without re-reading the stack's template, so the stack reports no
   Outputs (a stack made with CreateStack does). The build deploys every stack through a change set and wires
   stacks together by their outputs: without this no local rehearsal gets past the first stack.
2. !Ref of an AWS::EFS::AccessPoint gives moto's object, not the access point's ID.
3. AWS::ECS::CapacityProvider, AWS::ECS::ClusterCapacityProviderAssociations and
   AWS::CertificateManager::Certificate are skipped by moto's CloudFormation although its ECS and ACM APIs
   have them; they are mapped onto those APIs here.
Everything else is moto as installed. Usage: python3 tools/moto/serve.py -H 127.0.0.1 -p PORT
"""
import sys

from moto.cloudformation.models import CloudFormationBackend
from moto.acm.models import acm_backends
from moto.core.common_models import CloudFormationModel
from moto.ecs.models import ecs_backends
from moto.efs.models import AccessPoint
from moto.server import main

_execute_change_set = CloudFormationBackend.execute_change_set


def _execute_change_set_with_outputs(self, change_set_name, stack_name=None):
    _execute_change_set(self, change_set_name, stack_name)
    for stack in self.stacks.values():
        if stack.name == stack_name or stack.stack_id == stack_name or any(
            cs.change_set_name == change_set_name or cs.change_set_id == change_set_name
            for cs in self.change_sets.values() if cs.stack_id == stack.stack_id
        ):
            stack._parse_template()
            stack.output_map = stack._create_output_map()


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

CloudFormationBackend.execute_change_set = _execute_change_set_with_outputs
AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
