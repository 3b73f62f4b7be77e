// One account module, called twice: the sandbox call turns key authentication back on.
module chat './modules/openai.bicep' = {
  name: 'oai-chat'
  params: {
    name: 'oai-chat-prod'
  }
}

module sandbox './modules/openai.bicep' = {
  name: 'oai-sandbox'
  params: {
    name: 'oai-sandbox'
    allowKeys: true
  }
}
