"""Hidden-case style near misses for the issue 12 checks, each next to a twin that fires.

The near misses (RETURN_CONTROL executors in CloudFormation, awscc and hashicorp/aws; scoped
`source_arn`s written as `!Sub ...:agent/${Agent}`, `!GetAtt Agent.AgentArn`, a wildcard region
or an awscc reference; API keys narrowed to AI targets with referrers or IPs; `sampling_rate` 1
and 1.0; service agents and service identities as members; conditioned bindings; non-AI secrets;
placeholders and dummy values in ConfigMaps) stay silent in one scan whose positive twins (an
`agent/*` source ARN, a function without confirmation, real-looking keys in a ConfigMap) fire."""

from __future__ import annotations

from conftest import triples

NEW_CODES = {"AIA111", "AIA112", "AIA113", "AIA114", "AIA115", "AIA116", "AIA117", "AIA118", "AIA119",
             "AIA208", "AIA209", "AIA210", "AIA211", "AIA405", "AIA503", "AIA504"}

FILES = {
    'near/agent.yaml': """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ToolRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
  Tool:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: tool
      Role: !GetAtt ToolRole.Arn
      Runtime: python3.12
      Handler: index.handler
      Code: { ZipFile: "def handler(e, c): return e" }
  Agent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: support
      AgentResourceRoleArn: arn:aws:iam::111122223333:role/cfn-agent
      FoundationModel: anthropic.claude-3-5-haiku-20241022-v1:0
      ActionGroups:
        - ActionGroupName: client_side
          ActionGroupExecutor:
            CustomControl: RETURN_CONTROL
          FunctionSchema:
            Functions:
              - Name: delete_order
  ScopedPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt Tool.Arn
      Principal: bedrock.amazonaws.com
      SourceAccount: !Ref AWS::AccountId
      SourceArn: !Sub arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:agent/${Agent}
  ScopedPermission2:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Tool
      Principal: bedrock.amazonaws.com
      SourceArn: !GetAtt Agent.AgentArn
  ScopedPermission3:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Tool
      Principal: bedrock.amazonaws.com
      SourceArn: arn:aws:bedrock:*:111122223333:agent/ABCDE12345
""",
    'near/awscc.tf': """\
resource "aws_iam_role" "tool" {
  name                = "tool"
  assume_role_policy  = "{}"
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
resource "aws_lambda_function" "tool" {
  function_name = "tool"
  role          = aws_iam_role.tool.arn
  handler       = "h"
  runtime       = "python3.12"
  filename      = "x.zip"
}
resource "awscc_bedrock_agent" "a" {
  agent_name              = "a"
  agent_resource_role_arn = "arn:aws:iam::111122223333:role/agent"
  action_groups = [{
    action_group_name     = "client"
    action_group_executor = { custom_control = "RETURN_CONTROL" }
    function_schema = { functions = [{ name = "delete_order" }] }
  }]
}
resource "aws_bedrockagent_agent_action_group" "rc" {
  action_group_name = "rc"
  agent_id          = "AGENT12345"
  agent_version     = "DRAFT"
  action_group_executor {
    custom_control = "RETURN_CONTROL"
  }
  function_schema {
    member_functions {
      functions {
        name = "delete_order"
      }
    }
  }
}
resource "aws_lambda_permission" "scoped" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.tool.function_name
  principal      = "bedrock.amazonaws.com"
  source_arn     = "arn:aws:bedrock:us-east-1:111122223333:agent/ABCDE12345"
  source_account = "111122223333"
}
resource "aws_lambda_permission" "scoped_ref" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.tool.function_name
  principal     = "bedrock.amazonaws.com"
  source_arn    = awscc_bedrock_agent.a.agent_arn
}
resource "aws_lambda_permission" "other_principal" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.tool.function_name
  principal     = "apigateway.amazonaws.com"
}
""",
    'near/cm.yaml': """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: llm-config
data:
  OPENAI_API_KEY: "${OPENAI_API_KEY}"
  ANTHROPIC_API_KEY: "{{ .Values.anthropic.apiKey }}"
  GEMINI_API_KEY: "$(GEMINI_API_KEY)"
  COHERE_API_KEY: ""
  MISTRAL_API_KEY: changeme
  GROQ_API_KEY: "<your-groq-key>"
  HF_TOKEN: "your-hf-token-here"
  PINECONE_API_KEY: "REPLACE_WITH_PINECONE_KEY"
  OPENAI_API_BASE: "https://api.openai.com/v1"
  OPENAI_MODEL: gpt-4o
  AZURE_OPENAI_ENDPOINT: "https://x.openai.azure.com"
  app.env: |
    OPENAI_API_KEY=
    ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}
    LANGSMITH_API_KEY=xxxxxxxx
  settings.json: |
    {"OPENAI_API_KEY": "sk-...", "model": "gpt-4o"}
  app.properties: |
    openai.api.key=${OPENAI_KEY}
    VOYAGE_API_KEY: <voyage>
binaryData:
  DEEPSEEK_API_KEY: Y2hhbmdlbWU=
""",
    'near/gcp.tf': """\
resource "google_project_service" "gemini" {
  service = "generativelanguage.googleapis.com"
}
resource "google_apikeys_key" "browser" {
  name = "browser"
  restrictions {
    api_targets {
      service = "generativelanguage.googleapis.com"
    }
    browser_key_restrictions {
      allowed_referrers = ["https://app.example.com/*"]
    }
  }
}
resource "google_apikeys_key" "server" {
  name = "server"
  restrictions {
    api_targets {
      service = "aiplatform.googleapis.com"
    }
    server_key_restrictions {
      allowed_ips = ["203.0.113.10/32"]
    }
  }
}
resource "google_apikeys_key" "maps" {
  name = "maps"
  restrictions {
    api_targets {
      service = "maps-backend.googleapis.com"
    }
  }
}
resource "google_vertex_ai_endpoint" "full" {
  name         = "full"
  display_name = "full"
  location     = "us-central1"
  network      = "projects/1/global/networks/x"
  encryption_spec {
    kms_key_name = "k"
  }
  predict_request_response_logging_config {
    enabled       = true
    sampling_rate = 1
  }
}
resource "google_vertex_ai_endpoint" "full_float" {
  name         = "full2"
  display_name = "full2"
  location     = "us-central1"
  predict_request_response_logging_config {
    enabled       = true
    sampling_rate = 1.0
  }
}
resource "google_vertex_ai_endpoint" "default_rate" {
  name         = "full3"
  display_name = "full3"
  location     = "us-central1"
  predict_request_response_logging_config {
    enabled = true
  }
}
data "google_project" "p" {}
resource "google_project_service_identity" "vertex" {
  provider = google-beta
  service  = "aiplatform.googleapis.com"
}
resource "google_project_iam_member" "agent_literal" {
  project = "p"
  role    = "roles/aiplatform.serviceAgent"
  member  = "serviceAccount:service-${data.google_project.p.number}@gcp-sa-aiplatform.iam.gserviceaccount.com"
}
resource "google_project_iam_member" "agent_identity" {
  project = "p"
  role    = "roles/aiplatform.serviceAgent"
  member  = "serviceAccount:${google_project_service_identity.vertex.email}"
}
resource "google_project_iam_member" "agent_identity_member" {
  project = "p"
  role    = "roles/aiplatform.serviceAgent"
  member  = google_project_service_identity.vertex.member
}
resource "google_project_iam_member" "human" {
  project = "p"
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = "user:alice@example.com"
}
resource "google_project_iam_member" "cond" {
  project = "p"
  role    = "roles/aiplatform.serviceAgent"
  member  = "serviceAccount:app@p.iam.gserviceaccount.com"
  condition {
    title      = "t"
    expression = "request.time < timestamp(\\"2030-01-01T00:00:00Z\\")"
  }
}
""",
    'near/secrets.tf': """\
resource "aws_secretsmanager_secret" "db" {
  name = "prod/db-password"
}
resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({ DB_PASSWORD = var.db_password })
}
variable "db_password" {
  type = string
}
resource "google_secret_manager_secret" "smtp" {
  secret_id = "smtp-password"
  replication {
    auto {}
  }
}
resource "aws_secretsmanager_secret" "aws_keys" {
  name = "ci/aws-secret-access-key"
}
""",
    'pos/agent.yaml': """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ToolRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders
  Tool:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: tool
      Role: !GetAtt ToolRole.Arn
      Runtime: python3.12
      Handler: index.handler
      Code: { ZipFile: "def handler(e, c): return e" }
  Agent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: support
      AgentResourceRoleArn: arn:aws:iam::111122223333:role/orders-agent
      FoundationModel: anthropic.claude-3-5-haiku-20241022-v1:0
      ActionGroups:
        - ActionGroupName: orders
          ActionGroupExecutor:
            Lambda: !Sub "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:tool"
          FunctionSchema:
            Functions:
              - Name: cancel_order
                RequireConfirmation: ENABLED
              - Name: place_order
  WildPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:*
      FunctionName: !Ref Tool
      Principal: bedrock.amazonaws.com
      SourceArn: !Sub arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:agent/*
""",
    'pos/cm.yaml': """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: llm-config
data:
  ANTHROPIC_API_KEY: "q8Zr3VnLx2Pw7TbK9mYc4HdF6sJgA1eU"
  config.json: |
    {"openai_api_key": "q8Zr3VnLx2Pw7TbK9mYc4HdF6sJgA1eZ"}
binaryData:
  COHERE_API_KEY: cThacjNWbkx4MlB3N1RiSzltWWM0SGRGNnNKZ0ExZVg=
""",
}


def test_near_misses_are_silent_and_their_twins_fire(tree):
    report = tree(FILES)
    found = {t for t in triples(report) if t[0] in NEW_CODES}
    assert {t for t in found if t[1].startswith("near/")} == set()
    assert found == {
        ("AIA115", "pos/agent.yaml", 35),  # action group "orders": place_order lacks RequireConfirmation
        ("AIA114", "pos/agent.yaml", 49),  # SourceArn ...:agent/*
        ("AIA405", "pos/cm.yaml", 6),      # a real-looking key as a ConfigMap key
        ("AIA405", "pos/cm.yaml", 7),      # the same in JSON content
        ("AIA405", "pos/cm.yaml", 10),     # binaryData, base64
    }
