# A documentation knowledge base whose role reads more than the documentation bucket.

resource "aws_s3_bucket" "docs" {
  bucket = "acme-kb-docs"
}

resource "aws_iam_role" "docs_kb" {
  name = "docs-kb"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "bedrock.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "docs_kb" {
  role = aws_iam_role.docs_kb.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-kb-docs/*" },
      { Effect = "Allow", Action = "s3:ListBucket", Resource = ["arn:aws:s3:::acme-kb-docs", "arn:aws:s3:::acme-finance"] },
      { Effect = "Allow", Action = "s3:Get*", Resource = "arn:aws:s3:::acme-kb-*" },
    ]
  })
}

resource "aws_iam_policy" "docs_kb_everything" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::*/*" }]
  })
}

resource "aws_iam_role_policy_attachment" "docs_kb_everything" {
  role       = aws_iam_role.docs_kb.name
  policy_arn = aws_iam_policy.docs_kb_everything.arn
}

resource "aws_bedrockagent_knowledge_base" "docs" {
  name     = "docs"
  role_arn = aws_iam_role.docs_kb.arn
  knowledge_base_configuration {
    type = "VECTOR"
    vector_knowledge_base_configuration {
      embedding_model_arn = "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0"
    }
  }
  storage_configuration {
    type = "OPENSEARCH_SERVERLESS"
    opensearch_serverless_configuration {
      collection_arn    = var.collection_arn
      vector_index_name = "docs"
      field_mapping {
        vector_field   = "vector"
        text_field     = "text"
        metadata_field = "metadata"
      }
    }
  }
}

resource "aws_bedrockagent_data_source" "docs" {
  name              = "docs"
  knowledge_base_id = aws_bedrockagent_knowledge_base.docs.id
  data_source_configuration {
    type = "S3"
    s3_configuration {
      bucket_arn = aws_s3_bucket.docs.arn
    }
  }
}

variable "collection_arn" {
  type = string
}
