resource "aws_iam_user" "ci" {
  name = "bedrock-ci"
  path = "/automation/"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_service_specific_credential" "bedrock" {
  service_name = "bedrock.amazonaws.com"
  user_name    = aws_iam_user.ci.name
}

output "ci_access_key_id" {
  description = "Access key ID for the CI user"
  value       = aws_iam_access_key.ci.id
}

output "ci_secret_access_key" {
  description = "Paste into the CI system's secret settings"
  value       = nonsensitive(aws_iam_access_key.ci.secret)
}

output "bedrock_api_key" {
  value     = aws_iam_service_specific_credential.bedrock.service_credential_secret
  sensitive = false
}
