#!/usr/bin/env python3
"""Example CDK app: a SageMaker Studio domain whose JupyterLab and Code Editor apps get their
setup from one scripts folder (examples/studio-scripts), with an administrator's built-in
configuration (examples/studio-admin) that runs first and cannot be turned off, and idle
shutdown after two hours (one for the example user).

The domain is VPC-only: its apps reach AWS through interface endpoints in isolated subnets (no
internet), its volumes are encrypted with a rotating KMS key, and its execution role may only
write the apps' logs. cdk-nag's AwsSolutions pack finds nothing to fix; the one finding left
is acknowledged with its reason below (tests/test_studio_example.py). The acknowledgment uses
CDK's Validations API (aws-cdk-lib 2.262 or newer).

    cdk synth --app "python3 examples/studio.py"
    lcc inspect cdk.out        # the three Studio lifecycle configurations
"""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from lcc_constructs import StudioApp, StudioLifecycleConfig

HERE = Path(__file__).resolve().parent
#: What every app of the team runs at start (the same folder for both apps).
TEAM_SCRIPTS = HERE / "studio-scripts"
#: What the administrator enforces in every JupyterLab app.
ADMIN_SCRIPTS = HERE / "studio-admin"
#: The service endpoints a VPC-only Studio domain needs without internet: the SageMaker API,
#: the Studio UI, the runtime, STS (credentials) and CloudWatch Logs (the lifecycle logs).
ENDPOINTS = {
    "SageMakerApi": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API,
    "SageMakerStudio": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_STUDIO,
    "SageMakerRuntime": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
    "Sts": ec2.InterfaceVpcEndpointAwsService.STS,
    "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
}


class StudioStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
            ec2.SubnetConfiguration(name="studio", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
        vpc.add_flow_log("FlowLog")
        apps = ec2.SecurityGroup(self, "AppsSecurityGroup", vpc=vpc, allow_all_outbound=False,
                                 description="Studio apps: traffic between the apps and to the endpoints")
        # Studio's apps talk to each other (and to the home folders' NFS) within the group.
        apps.connections.allow_internally(ec2.Port.all_tcp(), "Studio apps and their home folders")
        for name, service in ENDPOINTS.items():
            endpoint = vpc.add_interface_endpoint(name, service=service, open=False)
            endpoint.connections.allow_default_port_from(apps, f"Studio apps to {name}")
        key = kms.Key(self, "StudioKey", enable_key_rotation=True, description="Studio domain volumes")

        self.role = iam.Role(self, "ExecutionRole",
                             assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
                             description="Studio apps of the example domain: write their own logs only")
        self.role.add_to_principal_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[self.format_arn(service="logs", resource="log-group",
                                       resource_name="/aws/sagemaker/studio:log-stream:*",
                                       arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)]))

        self.domain = sagemaker.CfnDomain(
            self, "Domain",
            domain_name="lcc-example",
            auth_mode="IAM",
            app_network_access_type="VpcOnly",
            vpc_id=vpc.vpc_id,
            subnet_ids=vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids,
            kms_key_id=key.key_id,
            default_user_settings=sagemaker.CfnDomain.UserSettingsProperty(
                execution_role=self.role.role_arn,
                security_groups=[apps.security_group_id],
                # The team's own settings stay: attach() adds to them.
                jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
                    default_resource_spec=sagemaker.CfnDomain.ResourceSpecProperty(instance_type="ml.t3.medium"),
                ),
            ),
            default_space_settings=sagemaker.CfnDomain.DefaultSpaceSettingsProperty(
                execution_role=self.role.role_arn, security_groups=[apps.security_group_id]),
        )

        # One folder, two apps: two configurations, offered and selected by default.
        self.team = {app: StudioLifecycleConfig(self, f"Team{app.value}", app=app, on_start=TEAM_SCRIPTS)
                     for app in StudioApp}
        for config in self.team.values():
            config.attach(self.domain, default=True, idle_minutes=120)
        # The administrator's: runs first in every JupyterLab app, whatever the user selects.
        self.admin = StudioLifecycleConfig(self, "Admin", app=StudioApp.JUPYTER_LAB, on_start=ADMIN_SCRIPTS)
        self.admin.attach(self.domain, built_in=True)

        self.profile = sagemaker.CfnUserProfile(self, "DataScientist", domain_id=self.domain.attr_domain_id,
                                                user_profile_name="data-scientist")
        # This user's JupyterLab apps stop after an idle hour (the profile's setting wins).
        self.team[StudioApp.JUPYTER_LAB].attach(self.profile, idle_minutes=60)

        self.space = sagemaker.CfnSpace(
            self, "Space", domain_id=self.domain.attr_domain_id, space_name="analysis",
            ownership_settings=sagemaker.CfnSpace.OwnershipSettingsProperty(
                owner_user_profile_name=self.profile.user_profile_name),
            space_sharing_settings=sagemaker.CfnSpace.SpaceSharingSettingsProperty(sharing_type="Private"),
            space_settings=sagemaker.CfnSpace.SpaceSettingsProperty(app_type="JupyterLab"),
        )
        self.space.add_resource_dependency(self.profile)
        self.team[StudioApp.JUPYTER_LAB].attach(self.space, default=True)

        # The one cdk-nag AwsSolutions finding left, acknowledged (CDK's own Validations API).
        cdk.Validations.of(self.role).acknowledge(cdk.Acknowledgment(
            id="AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:"
               "log-group:/aws/sagemaker/studio:log-stream:*]",
            reason="Studio names each app's log stream at run time (<domain>/<space>/<app>/...): the "
                   "role may write the streams of Studio's log group only."))


def main() -> None:
    app = cdk.App()
    StudioStack(app, "LccStudioExample")
    app.synth()


if __name__ == "__main__":
    main()
