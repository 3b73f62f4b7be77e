# Model-written code with internet egress and an AWS role (AIA117).
resource "aws_bedrockagentcore_code_interpreter" "analyst" {
  name               = "analyst_interpreter"
  execution_role_arn = aws_iam_role.interpreter.arn

  network_configuration {
    network_mode = "PUBLIC"
  }
}

resource "awscc_bedrockagentcore_code_interpreter_custom" "analyst_awscc" {
  name               = "analyst_interpreter_awscc"
  execution_role_arn = aws_iam_role.interpreter.arn
  network_configuration = {
    network_mode = "PUBLIC"
  }
}

# PUBLIC without a role: the code has no AWS credentials. Not a finding.
resource "aws_bedrockagentcore_code_interpreter" "scratch" {
  name = "scratch_interpreter"

  network_configuration {
    network_mode = "PUBLIC"
  }
}

resource "aws_iam_role" "interpreter" {
  name = "analyst-interpreter"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock-agentcore.amazonaws.com" }
    }]
  })
}
