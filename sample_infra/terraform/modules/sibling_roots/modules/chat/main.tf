# A chat backend's permission to invoke one model.

resource "aws_iam_role_policy" "chat" {
  name = "chat-invoke"
  role = "chat-backend"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "bedrock:InvokeModel"
      Resource = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
    }]
  })
}
