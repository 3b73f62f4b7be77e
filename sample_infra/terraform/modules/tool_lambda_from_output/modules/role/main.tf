# The tool Lambda's execution role, allowed `actions` on the tool's bucket.
variable "actions" {
  type    = list(string)
  default = ["s3:GetObject"]
}

resource "aws_iam_role" "this" {
  name               = "agent-tool"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "this" {
  role = aws_iam_role.this.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "arn:aws:s3:::agent-files/*" }]
  })
}

output "arn" {
  value = aws_iam_role.this.arn
}
