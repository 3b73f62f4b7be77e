module "ai" {
  source       = "../../modules/ai"
  stage        = "prod"
  kms_key_id   = "https://kv-prod.vault.azure.net/keys/openai/1"
  admin_roles  = ["roles/aiplatform.user"]
  tool_actions = ["bedrock:InvokeModel*"] # names only invoke actions: not a mutating grant
  accounts = {
    assistant = { kind = "AIServices" }
  }
  # create_profile keeps its default (false): the profile policy is not created here
}
