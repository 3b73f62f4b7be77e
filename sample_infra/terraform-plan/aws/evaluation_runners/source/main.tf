# Nightly and weekly model evaluation suites run from a CI system outside AWS, one IAM user each.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  suites = ["nightly", "weekly"]
}

module "evaluation" {
  source = "./modules/evaluation"
  count  = length(local.suites)

  suite = local.suites[count.index]
}
