"""Terraform blocks for AWS: plain infrastructure (most of any real repository); Bedrock is in templates_bedrock.

Each builder takes the corpus's random generator and a unique resource name and
returns HCL text. Insecure and hardened variants are both drawn, so both tools
have findings to report and resources to pass.
"""

from __future__ import annotations

from random import Random

import templates_bedrock
from templates_aws_iam import iam_policy_document, iam_policy_heredoc, iam_role_jsonencode

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


def variables(rng: Random, name: str) -> str:
    region = rng.choice(REGIONS)
    return f'''variable "environment" {{
  description = "Deployment stage, used in names and tags."
  type        = string
  default     = "{rng.choice(["dev", "staging", "prod"])}"

  validation {{
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }}
}}

variable "region" {{
  type    = string
  default = "{region}"
}}

variable "availability_zones" {{
  type    = list(string)
  default = ["{region}a", "{region}b", "{region}c"]
}}

variable "tags" {{
  description = "Extra tags merged into every resource."
  type        = map(string)
  default     = {{}}
}}

variable "vpc_id" {{
  type    = string
  default = null
}}

variable "subnet_ids" {{
  type    = list(string)
  default = []
}}

variable "security_group_ids" {{
  type    = list(string)
  default = []
}}

variable "database_subnet_ids" {{
  type    = list(string)
  default = []
}}

variable "bedrock_logging_role_arn" {{
  type    = string
  default = null
}}
'''


def locals_block(rng: Random, name: str) -> str:
    return f'''locals {{
  name_prefix = "${{var.environment}}-{name}"
  common_tags = merge(var.tags, {{
    Environment = var.environment
    Service     = "{name}"
    ManagedBy   = "terraform"
    CostCenter  = "{rng.randrange(1000, 9999)}"
  }})
}}
'''


def vpc(rng: Random, name: str) -> str:
    octet = rng.randrange(0, 250)
    return f'''resource "aws_vpc" "{name}" {{
  cidr_block           = "10.{octet}.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(local.common_tags, {{
    Name = "${{local.name_prefix}}-vpc"
  }})
}}

resource "aws_subnet" "{name}_private" {{
  count             = length(var.availability_zones)
  vpc_id            = aws_vpc.{name}.id
  cidr_block        = cidrsubnet(aws_vpc.{name}.cidr_block, 4, count.index)
  availability_zone = var.availability_zones[count.index]

  tags = merge(local.common_tags, {{
    Tier = "private"
  }})
}}

resource "aws_subnet" "{name}_public" {{
  count                   = length(var.availability_zones)
  vpc_id                  = aws_vpc.{name}.id
  cidr_block              = cidrsubnet(aws_vpc.{name}.cidr_block, 4, count.index + 8)
  availability_zone       = var.availability_zones[count.index]
  map_public_ip_on_launch = false
}}

resource "aws_internet_gateway" "{name}" {{
  vpc_id = aws_vpc.{name}.id
}}

resource "aws_route_table" "{name}_public" {{
  vpc_id = aws_vpc.{name}.id

  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.{name}.id
  }}
}}

resource "aws_flow_log" "{name}" {{
  vpc_id          = aws_vpc.{name}.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.{name}_flow.arn
  iam_role_arn    = aws_iam_role.{name}_flow.arn
}}

resource "aws_cloudwatch_log_group" "{name}_flow" {{
  name              = "/vpc/${{local.name_prefix}}"
  retention_in_days = {rng.choice([30, 90, 365])}
}}
'''


def security_group(rng: Random, name: str) -> str:
    ports = rng.sample([22, 80, 443, 5432, 6379, 8080, 8443, 9090], rng.randrange(1, 4))
    ingress = "".join(f'''
  ingress {{
    description = "port {port}"
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["{rng.choice(["10.0.0.0/8", "172.16.0.0/12", "0.0.0.0/0"])}"]
  }}
''' for port in ports)
    return f'''resource "aws_security_group" "{name}" {{
  name        = "${{local.name_prefix}}-{name}"
  description = "Traffic for {name}"
  vpc_id      = var.vpc_id
{ingress}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = local.common_tags
}}

''' if rng.random() < 0.6 else f'''resource "aws_security_group" "{name}" {{
  name        = "${{local.name_prefix}}-{name}"
  description = "Traffic for {name}"
  vpc_id      = var.vpc_id

  dynamic "ingress" {{
    for_each = toset({sorted(ports)!r})
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }}
  }}
{ingress}}}
'''


def s3_bucket(rng: Random, name: str) -> str:
    algorithm = rng.choice(['"aws:kms"', '"AES256"'])
    return f'''resource "aws_s3_bucket" "{name}" {{
  bucket        = "${{local.name_prefix}}-{name.replace("_", "-")}"
  force_destroy = false
  tags          = local.common_tags
}}

resource "aws_s3_bucket_versioning" "{name}" {{
  bucket = aws_s3_bucket.{name}.id
  versioning_configuration {{
    status = "{rng.choice(["Enabled", "Suspended"])}"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{
  bucket = aws_s3_bucket.{name}.id

  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = {algorithm}
    }}
    bucket_key_enabled = true
  }}
}}

resource "aws_s3_bucket_public_access_block" "{name}" {{
  bucket                  = aws_s3_bucket.{name}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = {rng.choice(["true", "false"])}
}}

resource "aws_s3_bucket_lifecycle_configuration" "{name}" {{
  bucket = aws_s3_bucket.{name}.id

  rule {{
    id     = "expire-old-versions"
    status = "Enabled"

    filter {{
      prefix = "logs/"
    }}

    noncurrent_version_expiration {{
      noncurrent_days = {rng.choice([30, 60, 90])}
    }}
  }}
}}
'''


def ec2_instance(rng: Random, name: str) -> str:
    return f'''data "aws_ami" "{name}" {{
  most_recent = true
  owners      = ["amazon"]

  filter {{
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }}
}}

resource "aws_instance" "{name}" {{
  ami                    = data.aws_ami.{name}.id
  instance_type          = "{rng.choice(["t3.micro", "t3.medium", "m6i.large", "c6i.xlarge"])}"
  subnet_id              = var.subnet_ids[0]
  vpc_security_group_ids = var.security_group_ids
  monitoring             = {rng.choice(["true", "false"])}
  ebs_optimized          = true

  metadata_options {{
    http_endpoint = "enabled"
    http_tokens   = "{rng.choice(["required", "optional"])}"
  }}

  root_block_device {{
    volume_size = {rng.choice([20, 50, 100])}
    volume_type = "gp3"
    encrypted   = true
  }}

  user_data = <<-EOT
    #!/bin/bash
    dnf install -y amazon-cloudwatch-agent
    systemctl enable --now amazon-cloudwatch-agent
  EOT

  tags = merge(local.common_tags, {{
    Name = "${{local.name_prefix}}-{name}"
  }})
}}


'''


def rds(rng: Random, name: str) -> str:
    engine = rng.choice([("postgres", "16.3"), ("mysql", "8.0.36")])
    return f'''resource "aws_db_subnet_group" "{name}" {{
  name       = "${{local.name_prefix}}-{name.replace("_", "-")}"
  subnet_ids = var.database_subnet_ids
}}

resource "aws_db_instance" "{name}" {{
  identifier                      = "${{local.name_prefix}}-{name.replace("_", "-")}"
  engine                          = "{engine[0]}"
  engine_version                  = "{engine[1]}"
  instance_class                  = "{rng.choice(["db.t4g.medium", "db.r6g.large"])}"
  allocated_storage               = {rng.choice([20, 100, 500])}
  storage_encrypted               = true
  db_subnet_group_name            = aws_db_subnet_group.{name}.name
  multi_az                        = {rng.choice(["true", "false"])}
  backup_retention_period         = {rng.choice([1, 7, 35])}
  deletion_protection             = true
  copy_tags_to_snapshot           = true
  iam_database_authentication_enabled = true
  performance_insights_enabled    = true
  manage_master_user_password     = true
  username                        = "app"
  enabled_cloudwatch_logs_exports = ["{"postgresql" if engine[0] == "postgres" else "error"}"]
  skip_final_snapshot             = false
  tags                            = local.common_tags
}}

'''


def lambda_function(rng: Random, name: str) -> str:
    return f'''resource "aws_lambda_function" "{name}" {{
  function_name = "${{local.name_prefix}}-{name}"
  role          = aws_iam_role.{name}_exec.arn
  handler       = "app.handler"
  runtime       = "{rng.choice(["python3.12", "nodejs20.x", "python3.11"])}"
  filename      = "${{path.module}}/build/{name}.zip"
  memory_size   = {rng.choice([128, 256, 512, 1024])}
  timeout       = {rng.choice([10, 30, 60])}

  tracing_config {{
    mode = "Active"
  }}

  environment {{
    variables = {{
      LOG_LEVEL   = "info"
      TABLE_NAME  = "${{local.name_prefix}}-{name}"
      ENVIRONMENT = var.environment
    }}
  }}

  tags = local.common_tags
}}

resource "aws_iam_role" "{name}_exec" {{
  name = "${{local.name_prefix}}-{name}-exec"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }} }}]
  }})
}}

resource "aws_cloudwatch_log_group" "{name}" {{
  name              = "/aws/lambda/${{aws_lambda_function.{name}.function_name}}"
  retention_in_days = 30
}}
'''


def outputs(rng: Random, name: str) -> str:
    return f'''output "{name}_name_prefix" {{
  description = "Prefix used in every resource name."
  value       = local.name_prefix
}}

output "{name}_tags" {{
  value = local.common_tags
}}
'''


PROVIDER = '''terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }
}

provider "aws" {
  region = var.region
}
'''

PLAIN = [vpc, security_group, s3_bucket, ec2_instance, rds, iam_role_jsonencode, iam_policy_heredoc,
         iam_policy_document, lambda_function]
AI = templates_bedrock.AI
