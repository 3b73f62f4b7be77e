"""Terraform blocks for Azure: plain infrastructure and Azure OpenAI / AI Services."""

from __future__ import annotations

from random import Random

LOCATIONS = ["westeurope", "swedencentral", "eastus2", "uksouth", "australiaeast"]


def variables(rng: Random, name: str) -> str:
    return f'''variable "location" {{
  type    = string
  default = "{rng.choice(LOCATIONS)}"
}}

variable "environment" {{
  type    = string
  default = "{rng.choice(["dev", "test", "prod"])}"
}}

variable "tags" {{
  type    = map(string)
  default = {{}}
}}

variable "subnet_id" {{
  description = "Subnet for private endpoints and NICs."
  type        = string
  default     = null
}}

variable "log_analytics_workspace_id" {{
  type    = string
  default = null
}}

variable "admin_ssh_public_key" {{
  type    = string
  default = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchmarkOnlyKeyNotUsed bench@example"
}}
'''


def locals_block(rng: Random, name: str) -> str:
    return f'''locals {{
  name_prefix = "{name.replace("_", "")[:10]}-${{var.environment}}"
  tags = merge(var.tags, {{
    environment = var.environment
    workload    = "{name}"
  }})
}}

resource "azurerm_resource_group" "{name}" {{
  name     = "rg-${{local.name_prefix}}"
  location = var.location
  tags     = local.tags
}}
'''


def network(rng: Random, name: str) -> str:
    return f'''resource "azurerm_virtual_network" "{name}" {{
  name                = "vnet-${{local.name_prefix}}-{name}"
  location            = var.location
  resource_group_name = "rg-${{local.name_prefix}}"
  address_space       = ["10.{rng.randrange(0, 250)}.0.0/16"]
  tags                = local.tags
}}

resource "azurerm_subnet" "{name}_workload" {{
  name                 = "snet-workload"
  resource_group_name  = "rg-${{local.name_prefix}}"
  virtual_network_name = azurerm_virtual_network.{name}.name
  address_prefixes     = [cidrsubnet(azurerm_virtual_network.{name}.address_space[0], 8, 1)]
}}

resource "azurerm_network_security_group" "{name}" {{
  name                = "nsg-${{local.name_prefix}}-{name}"
  location            = var.location
  resource_group_name = "rg-${{local.name_prefix}}"

  security_rule {{
    name                       = "allow-https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "{rng.choice(["VirtualNetwork", "Internet", "10.0.0.0/8"])}"
    destination_address_prefix = "*"
  }}

  security_rule {{
    name                       = "allow-ssh"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = "{rng.choice(["10.0.0.0/8", "*"])}"
    destination_address_prefix = "*"
  }}
}}

resource "azurerm_subnet_network_security_group_association" "{name}" {{
  subnet_id                 = azurerm_subnet.{name}_workload.id
  network_security_group_id = azurerm_network_security_group.{name}.id
}}
'''


def storage_account(rng: Random, name: str) -> str:
    return f'''resource "azurerm_storage_account" "{name}" {{
  name                            = "st{name.replace("_", "")[:14]}{rng.randrange(100, 999)}"
  resource_group_name             = "rg-${{local.name_prefix}}"
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = "{rng.choice(["LRS", "GRS", "ZRS"])}"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  public_network_access_enabled   = {rng.choice(["true", "false"])}
  shared_access_key_enabled       = {rng.choice(["true", "false"])}
  tags                            = local.tags

  blob_properties {{
    versioning_enabled = true
    delete_retention_policy {{
      days = {rng.choice([7, 14, 30])}
    }}
  }}

  network_rules {{
    default_action = "{rng.choice(["Deny", "Allow"])}"
    bypass         = ["AzureServices"]
  }}
}}

resource "azurerm_storage_container" "{name}" {{
  name                  = "data"
  storage_account_id    = azurerm_storage_account.{name}.id
  container_access_type = "private"
}}
'''


def linux_vm(rng: Random, name: str) -> str:
    return f'''resource "azurerm_network_interface" "{name}" {{
  name                = "nic-${{local.name_prefix}}-{name}"
  location            = var.location
  resource_group_name = "rg-${{local.name_prefix}}"

  ip_configuration {{
    name                          = "internal"
    subnet_id                     = var.subnet_id
    private_ip_address_allocation = "Dynamic"
  }}
}}

resource "azurerm_linux_virtual_machine" "{name}" {{
  name                            = "vm-${{local.name_prefix}}-{name}"
  resource_group_name             = "rg-${{local.name_prefix}}"
  location                        = var.location
  size                            = "{rng.choice(["Standard_B2s", "Standard_D4s_v5", "Standard_E8s_v5"])}"
  admin_username                  = "azureuser"
  disable_password_authentication = true
  encryption_at_host_enabled      = {rng.choice(["true", "false"])}
  network_interface_ids           = [azurerm_network_interface.{name}.id]

  admin_ssh_key {{
    username   = "azureuser"
    public_key = var.admin_ssh_public_key
  }}

  os_disk {{
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }}

  source_image_reference {{
    publisher = "Canonical"
    offer     = "ubuntu-24_04-lts"
    sku       = "server"
    version   = "latest"
  }}

  identity {{
    type = "SystemAssigned"
  }}
}}
'''


def key_vault(rng: Random, name: str) -> str:
    return f'''data "azurerm_client_config" "{name}" {{}}

resource "azurerm_key_vault" "{name}" {{
  name                          = "kv-{name.replace("_", "")[:12]}-{rng.randrange(100, 999)}"
  location                      = var.location
  resource_group_name           = "rg-${{local.name_prefix}}"
  tenant_id                     = data.azurerm_client_config.{name}.tenant_id
  sku_name                      = "premium"
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  rbac_authorization_enabled    = true
  public_network_access_enabled = {rng.choice(["true", "false"])}

  network_acls {{
    default_action = "Deny"
    bypass         = "AzureServices"
  }}
}}

resource "azurerm_key_vault_key" "{name}" {{
  name            = "cmk-{name.replace("_", "-")}"
  key_vault_id    = azurerm_key_vault.{name}.id
  key_type        = "RSA-HSM"
  key_size        = 3072
  key_opts        = ["wrapKey", "unwrapKey"]
  expiration_date = "2027-12-31T00:00:00Z"
}}
'''


def openai_account(rng: Random, name: str) -> str:
    hardened = rng.random() < 0.4
    settings = '''
  local_auth_enabled                 = false
  public_network_access_enabled      = false
  outbound_network_access_restricted = true
  fqdns                              = ["${local.name_prefix}.blob.core.windows.net"]

  network_acls {
    default_action = "Deny"
  }
''' if hardened else rng.choice(["", "\n  public_network_access_enabled = true\n", "\n  local_auth_enabled = true\n"])
    cmk = f'''
resource "azurerm_cognitive_account_customer_managed_key" "{name}" {{
  cognitive_account_id = azurerm_cognitive_account.{name}.id
  key_vault_key_id     = azurerm_key_vault_key.{name}_cmk.id
  identity_client_id   = azurerm_user_assigned_identity.{name}.client_id
}}

resource "azurerm_key_vault_key" "{name}_cmk" {{
  name         = "cmk-{name.replace("_", "-")}"
  key_vault_id = var.key_vault_id
  key_type     = "RSA"
  key_size     = 2048
  key_opts     = ["wrapKey", "unwrapKey"]
}}
''' if hardened or rng.random() < 0.2 else ""
    return f'''resource "azurerm_user_assigned_identity" "{name}" {{
  name                = "id-${{local.name_prefix}}-{name}"
  location            = var.location
  resource_group_name = "rg-${{local.name_prefix}}"
}}

resource "azurerm_cognitive_account" "{name}" {{
  name                  = "oai-${{local.name_prefix}}-{name.replace("_", "-")}"
  location              = var.location
  resource_group_name   = "rg-${{local.name_prefix}}"
  kind                  = "{rng.choice(["OpenAI", "OpenAI", "AIServices"])}"
  sku_name              = "S0"
  custom_subdomain_name = "oai-${{local.name_prefix}}-{name.replace("_", "-")}"
  tags                  = local.tags
{settings}
  identity {{
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.{name}.id]
  }}
}}

resource "azurerm_cognitive_deployment" "{name}" {{
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.{name}.id

  model {{
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-11-20"
  }}

  sku {{
    name     = "GlobalStandard"
    capacity = {rng.choice([10, 50, 100])}
  }}
}}
{cmk}'''


def openai_access(rng: Random, name: str) -> str:
    scope = rng.choice([f"azurerm_cognitive_account.{name}_acct.id", f"azurerm_cognitive_account.{name}_acct.id",
                        '"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai"'])
    return f'''resource "azurerm_cognitive_account" "{name}_acct" {{
  name                          = "ais-${{local.name_prefix}}-{name.replace("_", "-")}"
  location                      = var.location
  resource_group_name           = "rg-${{local.name_prefix}}"
  kind                          = "{rng.choice(["OpenAI", "TextAnalytics", "FormRecognizer"])}"
  sku_name                      = "S0"
  local_auth_enabled            = false
  public_network_access_enabled = {rng.choice(["true", "false"])}
}}

resource "azurerm_role_assignment" "{name}_users" {{
  scope                = {scope}
  role_definition_name = "{rng.choice(["Cognitive Services OpenAI User", "Cognitive Services User", "Reader"])}"
  principal_id         = var.app_principal_id
}}

resource "azurerm_monitor_diagnostic_setting" "{name}" {{
  name                       = "diag-{name}"
  target_resource_id         = azurerm_cognitive_account.{name}_acct.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {{
    category = "Audit"
  }}

  enabled_log {{
    category = "{rng.choice(["RequestResponse", "Trace"])}"
  }}

  metric {{
    category = "AllMetrics"
  }}
}}
'''


PROVIDER = '''terraform {
  required_version = ">= 1.6"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.20"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "key_vault_id" {
  type    = string
  default = null
}

variable "app_principal_id" {
  type    = string
  default = null
}
'''

PLAIN = [network, storage_account, linux_vm, key_vault]
AI = [openai_account, openai_access]
