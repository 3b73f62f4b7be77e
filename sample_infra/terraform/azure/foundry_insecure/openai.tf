# The chat model answers questions over the RAG index; its content filter was relaxed
# "because the jailbreak filter blocked legitimate prompts".
resource "azurerm_cognitive_account" "openai" {
  name                  = "oai-rag-dev"
  location              = azurerm_resource_group.rag.location
  resource_group_name   = azurerm_resource_group.rag.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "oai-rag-dev"
}

resource "azurerm_cognitive_account_rai_policy" "relaxed" {
  name                 = "relaxed"
  cognitive_account_id = azurerm_cognitive_account.openai.id
  base_policy_name     = "Microsoft.Default"

  content_filter {
    name               = "Jailbreak"
    filter_enabled     = true
    block_enabled      = false
    severity_threshold = "High"
    source             = "Prompt"
  }

  content_filter {
    name               = "Indirect Attack"
    filter_enabled     = false
    block_enabled      = false
    severity_threshold = "High"
    source             = "Prompt"
  }

  content_filter {
    name               = "Hate"
    filter_enabled     = true
    block_enabled      = true
    severity_threshold = "High"
    source             = "Prompt"
  }
}

resource "azurerm_cognitive_deployment" "chat" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.openai.id
  rai_policy_name      = azurerm_cognitive_account_rai_policy.relaxed.name

  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-11-20"
  }

  sku {
    name = "Standard"
  }
}

# The embedding model keeps the platform default policy.
resource "azurerm_cognitive_deployment" "embeddings" {
  name                 = "text-embedding-3-large"
  cognitive_account_id = azurerm_cognitive_account.openai.id

  model {
    format  = "OpenAI"
    name    = "text-embedding-3-large"
    version = "1"
  }

  sku {
    name = "Standard"
  }
}
