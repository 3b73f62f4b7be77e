"""CloudFormation / SAM templates -> Resources: properties, intrinsics, parameters, outputs, spans."""

from __future__ import annotations

import textwrap
from pathlib import Path

from aiaas_iac.context import ScanContext
from aiaas_iac.discover import SourceFile
from aiaas_iac.iam.aws import is_unscoped_bedrock_resource
from aiaas_iac.model import Span, Unknown
from aiaas_iac.parsers import parse_file


def parse(tmp_path: Path, text: str, name: str = "template.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return parse_file(SourceFile(path, name, "structured"))


def by_address(parsed) -> dict:
    return {r.address: r for r in parsed.resources}


POLICY_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Bedrock invoker
Parameters:
  ModelId:
    Type: String
    Default: anthropic.claude-3-5-sonnet-20240620-v1:0
  Environment:
    Type: String
Resources:
  InvokerUser:
    Type: AWS::IAM::User

  InvokePolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: bedrock-invoke
      Users:
        - !Ref InvokerUser
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action:
              - bedrock:InvokeModel
            Resource: !Sub arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${ModelId}

  AccessKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref InvokerUser
Outputs:
  SecretKey:
    Value: !GetAtt AccessKey.SecretAccessKey
"""


def test_each_resource_has_its_type_logical_id_and_properties(tmp_path):
    parsed = parse(tmp_path, POLICY_TEMPLATE)
    policy = by_address(parsed)["InvokePolicy"]
    assert parsed.errors == ()
    assert (policy.format, policy.kind, policy.type, policy.name) == (
        "cloudformation", "resource", "AWS::IAM::Policy", "InvokePolicy")
    assert (policy.file, policy.module) == ("template.yaml", "template.yaml")
    assert policy.get("PolicyName") == "bedrock-invoke"
    assert policy.get("PolicyDocument", "Statement", 0, "Action") == ["bedrock:InvokeModel"]


def test_resource_span_is_the_logical_id_entry_and_property_spans_are_relative(tmp_path):
    policy = by_address(parse(tmp_path, POLICY_TEMPLATE))["InvokePolicy"]
    assert (policy.span.start_line, policy.span.end_line) == (13, 25)
    assert policy.span_of("PolicyDocument", "Statement", 0, "Action") == Span(23, 24, 13, None)
    assert policy.span_of("PolicyDocument", "Statement", 0, "Resource") == Span(25, 25, 13, 101)
    assert policy.spans[("Users", 0)].start_line == 18


def test_unquoted_policy_version_stays_the_text_written(tmp_path):
    policy = by_address(parse(tmp_path, POLICY_TEMPLATE))["InvokePolicy"]
    assert policy.get("PolicyDocument", "Version") == "2012-10-17"


def test_ref_to_a_resource_is_unknown_and_followable(tmp_path):
    parsed = parse(tmp_path, POLICY_TEMPLATE)
    resources = by_address(parsed)
    user_ref = resources["InvokePolicy"].get("Users", 0)
    assert user_ref == Unknown("!Ref InvokerUser", ("InvokerUser",))
    ctx = ScanContext(parsed.resources)
    assert ctx.referenced(resources["AccessKey"], resources["AccessKey"].get("UserName")) == [resources["InvokerUser"]]


def test_sub_with_pseudo_parameters_keeps_the_arn_resource_part(tmp_path):
    policy = by_address(parse(tmp_path, POLICY_TEMPLATE))["InvokePolicy"]
    resource = policy.get("PolicyDocument", "Statement", 0, "Resource")
    assert resource == ("arn:<partition>:bedrock:<region>::foundation-model/"
                        "anthropic.claude-3-5-sonnet-20240620-v1:0")
    assert not is_unscoped_bedrock_resource(resource)


def test_sub_wildcard_foundation_model_arn_is_known_to_be_unscoped(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: bedrock:InvokeModel
                    Resource: !Sub "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/*"
        """)
    resource = parsed.resources[0].get("PolicyDocument", "Statement", 0, "Resource")
    assert resource == "arn:<partition>:bedrock:<region>::foundation-model/*"
    assert is_unscoped_bedrock_resource(resource)


def test_join_building_an_arn_from_pseudo_parameters_keeps_its_structure(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Summarizer:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Policies:
                - Statement:
                    - Effect: Allow
                      Action: bedrock:InvokeModel
                      Resource: !Join
                        - ""
                        - - "arn:"
                          - !Ref AWS::Partition
                          - ":bedrock:"
                          - !Ref AWS::Region
                          - "::foundation-model/*"
        """)
    resource = parsed.resources[0].get("Policies", 0, "Statement", 0, "Resource")
    assert resource == "arn:<partition>:bedrock:<region>::foundation-model/*"
    assert is_unscoped_bedrock_resource(resource)


def test_getatt_in_an_output_names_the_attribute(tmp_path):
    output = by_address(parse(tmp_path, POLICY_TEMPLATE))["Outputs.SecretKey"]
    assert (output.kind, output.type, output.name) == ("output", "output", "SecretKey")
    assert output.get("Value") == Unknown("!GetAtt AccessKey.SecretAccessKey", ("AccessKey.SecretAccessKey",))
    assert output.span == Span(32, 33, 3, None)


def test_getatt_list_form_is_the_same_reference(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Key: {Type: AWS::IAM::AccessKey, Properties: {UserName: bot}}
        Outputs:
          Secret:
            Value: !GetAtt [Key, SecretAccessKey]
          Long:
            Value: {"Fn::GetAtt": ["Key", "SecretAccessKey"]}
        """)
    outputs = by_address(parsed)
    expected = Unknown("!GetAtt Key.SecretAccessKey", ("Key.SecretAccessKey",))
    assert outputs["Outputs.Secret"].get("Value") == expected
    assert outputs["Outputs.Long"].get("Value") == expected


def test_parameters_are_resources_with_their_mapping(tmp_path):
    parameter = by_address(parse(tmp_path, POLICY_TEMPLATE))["ModelId"]
    assert (parameter.kind, parameter.type, parameter.name) == ("parameter", "parameter", "ModelId")
    assert parameter.attributes == {"Type": "String", "Default": "anthropic.claude-3-5-sonnet-20240620-v1:0"}
    assert (parameter.span.start_line, parameter.span.end_line) == (4, 6)


def test_ref_to_a_parameter_takes_its_default_or_stays_unknown(tmp_path):
    parsed = parse(tmp_path, """\
        Parameters:
          Model: {Type: String, Default: amazon.titan-text-express-v1}
          Stage: {Type: String}
          KeyFromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /prod/openai-key}
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Environment:
                Variables:
                  MODEL_ID: !Ref Model
                  STAGE: !Ref Stage
                  OPENAI_API_KEY: !Ref KeyFromSsm
        """)
    variables = by_address(parsed)["Fn"].get("Environment", "Variables")
    assert variables["MODEL_ID"] == "amazon.titan-text-express-v1"
    assert variables["STAGE"] == Unknown("!Ref Stage", ("Stage",))
    # An SSM parameter's default is the parameter's name, not its value.
    assert variables["OPENAI_API_KEY"] == Unknown("!Ref KeyFromSsm", ("KeyFromSsm",))


def test_pseudo_parameter_outside_sub_is_unknown(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Ref AWS::StackName
        """)
    assert parsed.resources[0].get("BucketName") == Unknown("!Ref AWS::StackName")


def test_join_of_known_parts_is_a_string_and_of_a_reference_is_unknown(tmp_path):
    parsed = parse(tmp_path, """\
        Parameters:
          Model: {Type: String, Default: anthropic.claude-3-haiku-20240307-v1:0}
        Resources:
          Role:
            Type: AWS::IAM::Role
          Policy:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: !Join ["-", [bedrock, invoke]]
              Roles: [!Ref Role]
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: bedrock:InvokeModel
                    Resource:
                      - !Join ["", ["arn:aws:bedrock:us-east-1::foundation-model/", !Ref Model]]
                      - !Join ["", [!GetAtt Role.Arn, "/x"]]
        """)
    policy = by_address(parsed)["Policy"]
    assert policy.get("PolicyName") == "bedrock-invoke"
    resources = policy.get("PolicyDocument", "Statement", 0, "Resource")
    assert resources[0] == "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    assert resources[1] == Unknown('!Join ["", [!GetAtt Role.Arn, "/x"]]', ("Role.Arn",))


def test_sub_naming_a_resource_attribute_is_unknown_with_that_reference(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Agent:
            Type: AWS::Bedrock::Agent
            Properties:
              AgentName: helper
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: bedrock:InvokeAgent
                    Resource: !Sub "${Agent.AgentArn}/*"
        """)
    resource = by_address(parsed)["Policy"].get("PolicyDocument", "Statement", 0, "Resource")
    assert resource == Unknown("!Sub ${Agent.AgentArn}/*", ("Agent.AgentArn",))


def test_if_and_import_value_are_unknown(tmp_path):
    parsed = parse(tmp_path, """\
        Conditions:
          IsProd: !Equals [!Ref "AWS::AccountId", "111122223333"]
        Resources:
          Key:
            Type: AWS::KMS::Key
          Agent:
            Type: AWS::Bedrock::Agent
            Properties:
              CustomerEncryptionKeyArn: !If [IsProd, !GetAtt Key.Arn, !Ref "AWS::NoValue"]
              AgentResourceRoleArn: !ImportValue shared-agent-role-arn
        """)
    agent = by_address(parsed)["Agent"]
    assert agent.get("CustomerEncryptionKeyArn") == Unknown(
        '!If ["IsProd", !GetAtt Key.Arn, !Ref AWS::NoValue]', ("Key.Arn",))
    assert agent.get("AgentResourceRoleArn") == Unknown("!ImportValue shared-agent-role-arn")


def test_ref_no_value_removes_the_property(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Guardrail:
            Type: AWS::Bedrock::Guardrail
            Properties:
              Name: g
              KmsKeyArn: !Ref AWS::NoValue
        """)
    assert parsed.resources[0].attributes == {"Name": "g"}


def test_find_in_map_with_literal_keys_is_resolved(tmp_path):
    parsed = parse(tmp_path, """\
        Mappings:
          Models:
            Chat: {Id: anthropic.claude-3-haiku-20240307-v1:0}
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Environment:
                Variables:
                  MODEL_ID: !FindInMap [Models, Chat, Id]
        """)
    assert parsed.resources[0].get("Environment", "Variables", "MODEL_ID") == "anthropic.claude-3-haiku-20240307-v1:0"


def test_policy_document_written_as_a_json_string_stays_a_string(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}'
        """)
    document = parsed.resources[0].get("PolicyDocument")
    assert isinstance(document, str) and document.startswith('{"Version"')


def test_json_template_gives_the_same_resources_with_json_lines(tmp_path):
    parsed = parse(tmp_path, """\
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Resources": {
            "InvokerUser": {"Type": "AWS::IAM::User"},
            "AccessKey": {
              "Type": "AWS::IAM::AccessKey",
              "Properties": {
                "UserName": {"Ref": "InvokerUser"},
                "Status": "Active"
              }
            }
          }
        }
        """, name="template.json")
    key = by_address(parsed)["AccessKey"]
    assert key.attributes == {"UserName": Unknown("!Ref InvokerUser", ("InvokerUser",)), "Status": "Active"}
    assert (key.span.start_line, key.span.end_line) == (5, 11)
    assert key.span_of("Status").start_line == 9


def test_sam_function_keeps_its_policies(tmp_path):
    parsed = parse(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::Serverless-2016-10-31
        Resources:
          ChatFunction:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Policies:
                - Statement:
                    - Effect: Allow
                      Action: bedrock:*
                      Resource: "*"
        """)
    function = parsed.resources[0]
    assert function.type == "AWS::Serverless::Function"
    assert function.get("Policies", 0, "Statement", 0, "Action") == "bedrock:*"
    assert function.span_of("Policies", 0, "Statement", 0).start_line == 11


def test_yaml_with_resources_key_that_is_not_a_template_is_ignored(tmp_path):
    parsed = parse(tmp_path, """\
        # serverless.yml: the template is nested, and this is not CloudFormation itself
        service: chat-api
        provider:
          name: aws
        resources:
          Resources:
            Table:
              Type: AWS::DynamoDB::Table
        """, name="serverless.yml")
    assert parsed == type(parsed)()


def test_syntax_error_in_a_template_names_the_line(tmp_path):
    parsed = parse(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties: {BucketName: [logs
        """)
    assert parsed.resources == ()
    assert [(e.file, e.line) for e in parsed.errors] == [("template.yaml", 6)]
    assert parsed.errors[0].message.startswith("invalid template:")


def test_duplicate_key_is_reported_without_its_name(tmp_path):
    parsed = parse(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
          Bucket:
            Type: AWS::S3::Bucket
        """)
    assert [(e.message, e.line) for e in parsed.errors] == [("invalid template: duplicate key", 5)]


def test_every_short_form_reads_as_its_long_form(tmp_path):
    short = parse(tmp_path, """\
        Parameters:
          Stage: {Type: String, Default: prod}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
          NotProd: !Not [!Condition IsProd]
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              FunctionName: !Sub ["${Stage}-${Suffix}", {Suffix: !Select [0, !Split ["-", !ImportValue app-id]]}]
              Role: !GetAtt [Role, Arn]
              KmsKeyArn: !If [IsProd, !GetAtt Key.Arn, !Ref "AWS::NoValue"]
              Environment:
                Variables:
                  MODEL: !FindInMap [Models, !Ref Stage, Id]
                  ZONE: !Select [0, !GetAZs ""]
                  SUBNET: !Select [0, !Cidr [10.0.0.0/16, 4, 8]]
                  BLOB: !Base64 {"Fn::Join": ["", [a, b]]}
        """, name="short.yaml")
    long = parse(tmp_path, """\
        Parameters:
          Stage: {Type: String, Default: prod}
        Conditions:
          IsProd: {"Fn::Equals": [{Ref: Stage}, prod]}
          NotProd: {"Fn::Not": [{Condition: IsProd}]}
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              FunctionName: {"Fn::Sub": ["${Stage}-${Suffix}", {Suffix: {"Fn::Select": [0, {"Fn::Split": ["-", {"Fn::ImportValue": app-id}]}]}}]}
              Role: {"Fn::GetAtt": [Role, Arn]}
              KmsKeyArn: {"Fn::If": [IsProd, {"Fn::GetAtt": [Key, Arn]}, {Ref: "AWS::NoValue"}]}
              Environment:
                Variables:
                  MODEL: {"Fn::FindInMap": [Models, {Ref: Stage}, Id]}
                  ZONE: {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
                  SUBNET: {"Fn::Select": [0, {"Fn::Cidr": [10.0.0.0/16, 4, 8]}]}
                  BLOB: {"Fn::Base64": {"Fn::Join": ["", [a, b]]}}
        """, name="long.yaml")
    assert short.errors == long.errors == ()
    assert by_address(short)["Fn"].attributes == by_address(long)["Fn"].attributes
    assert by_address(short)["Fn"].get("Environment", "Variables", "BLOB") == "YWI="


def test_loader_gives_the_long_form_with_the_tagged_nodes_span():
    from aiaas_iac.parsers.positioned_yaml import load_yaml_documents

    (document,) = load_yaml_documents(textwrap.dedent("""\
        Resources:
          Key:
            Type: AWS::KMS::Key
            Properties:
              Description: !Sub
                - "Key for ${Env}"
                - Env: !Ref Stage
              KeyPolicy: !GetAtt Policy.Document
        """), cloudformation=True)
    properties = document.value["Resources"]["Key"]["Properties"]
    assert properties == {
        "Description": {"Fn::Sub": ["Key for ${Env}", {"Env": {"Ref": "Stage"}}]},
        "KeyPolicy": {"Fn::GetAtt": ["Policy", "Document"]},
    }
    prefix = ("Resources", "Key", "Properties")
    assert document.spans[prefix + ("Description",)] == Span(5, 7, 7, None)
    assert document.spans[prefix + ("Description", "Fn::Sub")] == Span(5, 7, 20, None)
    assert document.spans[prefix + ("Description", "Fn::Sub", 1, "Env", "Ref")] == Span(7, 7, 16, 26)
    assert document.spans[prefix + ("KeyPolicy",)] == Span(8, 8, 7, 41)
    assert document.spans[prefix + ("KeyPolicy", "Fn::GetAtt")] == Span(8, 8, 18, 41)


def test_tags_outside_cloudformation_keep_their_plain_value():
    from aiaas_iac.parsers.positioned_yaml import load_yaml_documents

    (document,) = load_yaml_documents("region: !Ref AWS::Region\nzones: !Split [',', 'a,b']\n")
    assert document.value == {"region": "AWS::Region", "zones": [",", "a,b"]}


def test_a_number_property_spans_to_the_end_of_its_value(tmp_path):
    parsed = parse(tmp_path, """\
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: 900
        """)
    assert parsed.resources[0].span_of("Timeout") == Span(5, 5, 7, 19)


def test_anchor_merge_overriding_a_key_is_not_a_duplicate(tmp_path):
    parsed = parse(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          ChatQueue:
            Type: AWS::SQS::Queue
            Properties: &queue
              KmsMasterKeyId: alias/aws/sqs
              VisibilityTimeout: 60
          SummaryQueue:
            Type: AWS::SQS::Queue
            Properties:
              <<: *queue
              VisibilityTimeout: 300
        """)
    assert parsed.errors == ()
    assert by_address(parsed)["SummaryQueue"].attributes == {"KmsMasterKeyId": "alias/aws/sqs",
                                                             "VisibilityTimeout": 300}


def test_duplicate_key_in_a_json_template_names_its_second_line(tmp_path):
    parsed = parse(tmp_path, """\
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Resources": {
            "Logs": {"Type": "AWS::S3::Bucket", "Properties": {
              "BucketName": "chat-logs",
              "BucketName": "chat-logs-eu"
            }}
          }
        }
        """, name="template.json")
    assert [(e.message, e.line) for e in parsed.errors] == [("invalid template: duplicate key", 6)]


def test_a_second_yaml_document_is_an_error_at_its_start(tmp_path):
    parsed = parse(tmp_path, """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Logs: {Type: AWS::S3::Bucket}
        ---
        Resources:
          Archive: {Type: AWS::S3::Bucket}
        """)
    assert [(e.message, e.line) for e in parsed.errors] == [
        ("invalid template: expected a single document in the stream, but found another document", 4)]


def test_json_template_with_the_classic_template_extension(tmp_path):
    parsed = parse(tmp_path, """\
        {
        \t"AWSTemplateFormatVersion": "2010-09-09",
        \t"Resources": {
        \t\t"Logs": {"Type": "AWS::S3::Bucket", "Properties": {"ObjectLockEnabled": true}}
        \t}
        }
        """, name="storage.template")
    logs = by_address(parsed)["Logs"]
    assert logs.attributes == {"ObjectLockEnabled": True}
    assert logs.span == Span(4, 4, 3, 81)


def test_json_template_with_a_trailing_comma_is_still_read(tmp_path):
    parsed = parse(tmp_path, """\
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Resources": {
            "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "chat-logs"}},
          }
        }
        """, name="template.json")
    assert parsed.errors == ()
    assert [(r.address, r.span.start_line, r.get("BucketName")) for r in parsed.resources] == [("Logs", 4, "chat-logs")]


def test_templates_parsed_in_worker_processes_match_a_serial_scan(tmp_path):
    from conftest import scan_dir, write_tree

    agent = "    Type: AWS::Bedrock::Agent\n    Properties: {AgentName: !Sub 'agent-${AWS::Region}'}\n"
    files = {f"stacks/agent{n}.yaml": f"Resources:\n  Agent{n}:\n{agent}" for n in range(50)}
    files["stacks/broken.yaml"] = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {Logs: [\n"
    write_tree(tmp_path, files)

    def summary(report):
        return ([(f.code, f.location.file, f.location.span.start_line) for f in report.findings],
                [(e.file, e.line, e.message) for e in report.errors])

    serial = scan_dir(tmp_path, jobs=1, use_cache=False)
    parallel = scan_dir(tmp_path, jobs=2, use_cache=False)
    assert summary(parallel) == summary(serial)
    assert len([f for f in serial.findings if f.code == "AIA105"]) == 50
    assert [(e.file, e.line) for e in serial.errors] == [("stacks/broken.yaml", 3)]
