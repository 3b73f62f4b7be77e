# dev deploys the chat backend without invocation logging: AIA104 for this configuration,
# even though prod (another root, another configuration) declares it.

module "chat" {
  source = "../../modules/chat"
}
