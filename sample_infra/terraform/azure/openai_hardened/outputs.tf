output "openai_endpoint" {
  value = azurerm_cognitive_account.openai.endpoint
}

output "openai_account_id" {
  value = azurerm_cognitive_account.openai.id
}
