"""CloudFormation resources as Python data, written as YAML with short-form intrinsics or as JSON.

An intrinsic is an `Fn` value: YAML output writes it as `!Ref X`, `!Sub "..."`,
`!GetAtt X.Arn`, `!If [...]`; JSON output as `{"Ref": "X"}`, `{"Fn::Sub": ...}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from random import Random
from typing import Any

import yaml

MODELS = ["anthropic.claude-3-5-sonnet-20240620-v1:0", "amazon.titan-text-premier-v1:0",
          "meta.llama3-1-70b-instruct-v1:0"]


@dataclass(frozen=True)
class Fn:
    name: str  # Ref, Sub, GetAtt, If, Equals, Join, Select, GetAZs
    value: Any


def ref(name: str) -> Fn:
    return Fn("Ref", name)


def sub(text: str) -> Fn:
    return Fn("Sub", text)


def get_att(resource: str, attribute: str) -> Fn:
    return Fn("GetAtt", f"{resource}.{attribute}")


class _Dumper(yaml.SafeDumper):
    def choose_scalar_style(self) -> str:
        # PyYAML quotes every explicitly tagged scalar; people write `!Ref Name` unquoted.
        style = super().choose_scalar_style()
        if style == "'" and not self.event.style and (self.event.tag or "").startswith("!"):
            analysis = self.analysis or self.analyze_scalar(self.event.value)
            plain_ok = analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain
            if plain_ok and not analysis.empty and not analysis.multiline:
                return ""
        return style


def _represent_fn(dumper: yaml.SafeDumper, fn: Fn) -> yaml.Node:
    tag = f"!{fn.name}"
    if isinstance(fn.value, list):
        return dumper.represent_sequence(tag, fn.value, flow_style=True)
    return dumper.represent_scalar(tag, fn.value)


_Dumper.add_representer(Fn, _represent_fn)


def to_yaml(template: dict) -> str:
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)


def _long_form(value: Any) -> Any:
    if isinstance(value, Fn):
        if value.name == "Ref":
            return {"Ref": value.value}
        if value.name == "GetAtt":
            return {"Fn::GetAtt": value.value.split(".", 1)}
        return {f"Fn::{value.name}": _long_form(value.value)}
    if isinstance(value, dict):
        return {key: _long_form(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_long_form(item) for item in value]
    return value


def to_json(template: dict) -> str:
    return json.dumps(_long_form(template), indent=2) + "\n"


def skeleton(rng: Random, stack: str) -> dict:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{stack}: application stack managed by the platform team",
        "Parameters": {
            "Environment": {"Type": "String", "AllowedValues": ["dev", "staging", "prod"], "Default": rng.choice(["dev", "prod"])},
            "VpcId": {"Type": "AWS::EC2::VPC::Id"},
            "SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"},
        },
        "Conditions": {"IsProd": Fn("Equals", [ref("Environment"), "prod"])},
        "Resources": {},
        "Outputs": {},
    }


def _tags(name: str) -> list:
    return [{"Key": "Name", "Value": sub(f"${{AWS::StackName}}-{name}")},
            {"Key": "Environment", "Value": ref("Environment")}]


def bucket(rng: Random, name: str) -> dict:
    return {f"{name}Bucket": {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "Properties": {
            "BucketName": sub(f"${{AWS::StackName}}-{name.lower()}-${{AWS::AccountId}}"),
            "VersioningConfiguration": {"Status": rng.choice(["Enabled", "Suspended"])},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": rng.choice(["aws:kms", "AES256"])}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": rng.random() < 0.7},
            "LifecycleConfiguration": {"Rules": [{"Id": "expire", "Status": "Enabled",
                                                  "ExpirationInDays": rng.choice([30, 90, 365])}]},
            "Tags": _tags(name),
        },
    }}


def security_group(rng: Random, name: str) -> dict:
    ports = rng.sample([22, 80, 443, 5432, 8080], rng.randrange(1, 4))
    return {f"{name}SecurityGroup": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {
            "GroupDescription": f"{name} traffic",
            "VpcId": ref("VpcId"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": p, "ToPort": p,
                                      "CidrIp": rng.choice(["10.0.0.0/8", "0.0.0.0/0"])} for p in ports],
            "Tags": _tags(name),
        },
    }}


def lambda_with_role(rng: Random, name: str) -> dict:
    return {
        f"{name}Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                "Policies": [{"PolicyName": "table-access", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                     "Resource": get_att(f"{name}Table", "Arn")}]}}],
            },
        },
        f"{name}Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": Fn("If", ["IsProd", True, False])},
                "SSESpecification": {"SSEEnabled": True},
            },
        },
        f"{name}Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": rng.choice(["python3.12", "nodejs20.x"]),
                "Handler": "index.handler",
                "Role": get_att(f"{name}Role", "Arn"),
                "MemorySize": rng.choice([128, 256, 512]),
                "Timeout": 30,
                "TracingConfig": {"Mode": "Active"},
                "Environment": {"Variables": {"TABLE_NAME": ref(f"{name}Table"), "STAGE": ref("Environment")}},
                "Code": {"ZipFile": "import os\n\ndef handler(event, context):\n    return {'table': os.environ['TABLE_NAME']}\n"},
            },
        },
        f"{name}LogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": sub(f"/aws/lambda/${{{name}Function}}"), "RetentionInDays": 30},
        },
    }


def database(rng: Random, name: str) -> dict:
    return {
        f"{name}SubnetGroup": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
            "DBSubnetGroupDescription": f"{name} subnets", "SubnetIds": ref("SubnetIds")}},
        f"{name}Database": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "Properties": {
            "Engine": "postgres", "EngineVersion": "16.3",
            "DBInstanceClass": Fn("If", ["IsProd", "db.r6g.large", "db.t4g.medium"]),
            "AllocatedStorage": "100", "StorageEncrypted": True, "MultiAZ": Fn("If", ["IsProd", True, False]),
            "MasterUsername": "app", "ManageMasterUserPassword": True,
            "DBSubnetGroupName": ref(f"{name}SubnetGroup"), "BackupRetentionPeriod": rng.choice([1, 7, 14]),
            "EnableIAMDatabaseAuthentication": True, "Tags": _tags(name)}},
        f"{name}Queue": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": sub(f"${{AWS::StackName}}-{name.lower()}"), "KmsMasterKeyId": "alias/aws/sqs",
            "VisibilityTimeout": 60}},
    }


def bedrock_access(rng: Random, name: str) -> dict:
    resource = rng.choice(["*", sub(f"arn:aws:bedrock:${{AWS::Region}}::foundation-model/{rng.choice(MODELS)}"),
                           "arn:aws:bedrock:*::foundation-model/*"])
    return {f"{name}BedrockPolicy": {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "Description": "Model invocation for the API tier",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "Invoke", "Effect": "Allow",
                 "Action": rng.choice([["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], "bedrock:*"]),
                 "Resource": resource}]},
            "Roles": [ref(f"{name}ApiRole")],
        },
    }, f"{name}ApiRole": {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}},
    }}


def bedrock_agent(rng: Random, name: str) -> dict:
    properties: dict[str, Any] = {
        "AgentName": sub(f"${{AWS::StackName}}-{name.lower()}"),
        "AgentResourceRoleArn": get_att(f"{name}ApiRole", "Arn"),
        "FoundationModel": rng.choice(MODELS),
        "Instruction": "You help customers track their orders. Do not discuss other topics.",
        "IdleSessionTTLInSeconds": 600,
    }
    resources: dict[str, Any] = {}
    if rng.random() < 0.5:
        properties["CustomerEncryptionKeyArn"] = get_att(f"{name}Key", "Arn")
        resources[f"{name}Key"] = {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}}
    if rng.random() < 0.5:
        properties["GuardrailConfiguration"] = {"GuardrailIdentifier": get_att(f"{name}Guardrail", "GuardrailId"),
                                                "GuardrailVersion": "DRAFT"}
        resources[f"{name}Guardrail"] = {"Type": "AWS::Bedrock::Guardrail", "Properties": {
            "Name": sub(f"${{AWS::StackName}}-{name.lower()}"),
            "BlockedInputMessaging": "Sorry, I can't help with that.",
            "BlockedOutputsMessaging": "Sorry, I can't share that.",
            "ContentPolicyConfig": {"FiltersConfig": [
                {"Type": "PROMPT_ATTACK", "InputStrength": rng.choice(["HIGH", "NONE"]), "OutputStrength": "NONE"},
                {"Type": "VIOLENCE", "InputStrength": "HIGH", "OutputStrength": "HIGH"}]}}}
    resources[f"{name}Agent"] = {"Type": "AWS::Bedrock::Agent", "Properties": properties}
    return resources | bedrock_access(rng, name)


def outputs(resources: dict) -> dict:
    found = {}
    for logical_id, resource in list(resources.items())[:4]:
        found[f"{logical_id}Id"] = {"Value": ref(logical_id),
                                    "Export": {"Name": sub(f"${{AWS::StackName}}-{logical_id}")}}
    return found


PLAIN = [bucket, security_group, lambda_with_role, database]
AI = [bedrock_access, bedrock_agent]
