# An `env/<stage>` layout (the roots live under env/, as in many repositories) calling one
# module whose settings are picked with expressions the held-out repositories use: the dev
# instance fails, the prod instance below is the passing twin.
module "ai" {
  source         = "../../modules/ai"
  stage          = "dev"
  kms_key_id     = null
  admin_roles    = ["roles/aiplatform.admin"]
  tool_actions   = ["dynamodb:PutItem"]
  create_profile = true
  accounts = {
    assistant = { kind = "AIServices", api_keys = true }
    vision    = { kind = "ComputerVision", api_keys = true }
  }
}
