"""The example's private network and volume key (shared with benchmarks/baseline_app.py)."""

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms


def private_network(stack: cdk.Stack) -> tuple[ec2.Vpc, ec2.SecurityGroup]:
    """An isolated subnet with a flow log; the notebook's security group, the only one allowed
    to reach the SageMaker API endpoint (autostop stops the instance through it)."""
    vpc = ec2.Vpc(
        stack, "Vpc", max_azs=1, nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(
            name="notebooks", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    vpc.add_flow_log("FlowLog")
    notebook_sg = ec2.SecurityGroup(stack, "NotebookSecurityGroup", vpc=vpc,
                                    description="Notebook instance: no inbound traffic")
    endpoint = vpc.add_interface_endpoint(
        "SageMakerApi", service=ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API, open=False)
    endpoint.connections.allow_default_port_from(notebook_sg, "notebook instance to the SageMaker API")
    return vpc, notebook_sg


def volume_key(stack: cdk.Stack) -> kms.Key:
    return kms.Key(stack, "VolumeKey", enable_key_rotation=True,
                   description="Notebook instance ML storage volume")
