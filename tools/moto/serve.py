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


class _CapacityProvider(CloudFormationModel):
    __module__ = "moto.ecs.capacity_provider_cfn"  # moto's model registry keys models by their service module

    def __init__(self, provider):
        self.provider = provider

    @property
    def physical_resource_id(self):
        return self.provider.name

    @staticmethod
    def cloudformation_type():
        return "AWS::ECS::CapacityProvider"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        asg = properties.get("AutoScalingGroupProvider", {})
        details = {
            "autoScalingGroupArn": asg.get("AutoScalingGroupArn"),
            "managedScaling": {k[0].lower() + k[1:]: v for k, v in asg.get("ManagedScaling", {}).items()},
            "managedTerminationProtection": asg.get("ManagedTerminationProtection", "DISABLED"),
        }
        provider = ecs_backends[account_id][region_name].create_capacity_provider(resource_name, details, [])
        return cls(provider)


class _ClusterCapacityProviders(CloudFormationModel):
    __module__ = "moto.ecs.capacity_provider_cfn"

    def __init__(self, cluster):
        self.cluster = cluster

    @property
    def physical_resource_id(self):
        return self.cluster

    @staticmethod
    def cloudformation_type():
        return "AWS::ECS::ClusterCapacityProviderAssociations"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        strategy = [{k[0].lower() + k[1:]: v for k, v in item.items()} for item in properties.get("DefaultCapacityProviderStrategy", [])]
        cluster = properties["Cluster"].split("/")[-1]
        ecs_backends[account_id][region_name].put_cluster_capacity_providers(cluster, properties.get("CapacityProviders", []), strategy)
        return cls(cluster)


class _Certificate(CloudFormationModel):
    __module__ = "moto.acm.certificate_cfn"

    def __init__(self, arn):
        self.arn = arn

    @property
    def physical_resource_id(self):
        return self.arn

    @staticmethod
    def cloudformation_type():
        return "AWS::CertificateManager::Certificate"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        arn = acm_backends[account_id][region_name].request_certificate(
            properties["DomainName"], resource_name, properties.get("SubjectAlternativeNames", []), []
        )
        return cls(arn)


CloudFormationBackend.execute_change_set = _execute_change_set_with_outputs
AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
