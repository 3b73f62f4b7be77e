from aiaas_iac.check import Check
from aiaas_iac.model import Mappings, Severity, Unknown, blocks_of
from aiaas_iac.iam.instances import each_created_instance
from aiaas_iac.terraform_instances import expanded_blocks

# Guardrail resource type -> keys of (content policy, its filter list, filter type, input strength).
GUARDRAIL_FIELDS = {
    "aws_bedrock_guardrail": ("content_policy_config", "filters_config", "type", "input_strength"),
    "awscc_bedrock_guardrail": ("content_policy_config", "filters_config", "type", "input_strength"),
    "AWS::Bedrock::Guardrail": ("ContentPolicyConfig", "FiltersConfig", "Type", "InputStrength"),
}
PROMPT_ATTACK = "PROMPT_ATTACK"


def prompt_attack_state(ctx, guardrail) -> tuple[str, tuple]:
    """("filtered" | "unknown" | "missing" | "none", path) for a guardrail's PROMPT_ATTACK input
    filter. Dynamic policy and filter blocks count as the blocks their known collections make."""
    policy_key, filters_key, type_key, strength_key = GUARDRAIL_FIELDS[guardrail.type]
    if isinstance(guardrail.get(policy_key), Unknown):
        return "unknown", ()
    weak_path: tuple = ()
    for policy_path, policy, certain in _blocks(ctx, guardrail, policy_key, None):
        if not certain or isinstance(policy.get(filters_key), Unknown):
            return "unknown", ()
        if isinstance(guardrail.get(policy_key), dict):
            policy_path = (policy_key,)  # one block written as a mapping (CloudFormation, .tf.json)
        for filter_path, item, certain in _blocks(ctx, guardrail, filters_key, policy):
            if not certain:
                return "unknown", ()
            kind, strength = item.get(type_key), item.get(strength_key)
            if isinstance(kind, Unknown):
                return "unknown", ()
            if not isinstance(kind, str) or kind.strip().upper() != PROMPT_ATTACK:
                continue
            if isinstance(strength, Unknown):
                return "unknown", ()
            # The API requires an input strength: one left out filters nothing, like NONE.
            if isinstance(strength, str) and strength.strip().upper() not in ("", "NONE"):
                return "filtered", ()
            weak_path = policy_path + filter_path
    return ("none", weak_path) if weak_path else ("missing", ())


def _blocks(ctx, guardrail, key: str, container: dict | None):
    if guardrail.format == "terraform":
        return expanded_blocks(ctx, guardrail, key, container)
    source = guardrail.attributes if container is None else container
    value = source.get(key)
    return [((key, index) if isinstance(value, list) else (key,), block, True) for index, block in blocks_of(value)]


class BedrockGuardrailNoPromptAttackFilter(Check):
    """A Bedrock guardrail (`aws_bedrock_guardrail`, `awscc_bedrock_guardrail`,
    `AWS::Bedrock::Guardrail`) without a `PROMPT_ATTACK` content filter whose input strength is
    above `NONE`: it does not screen user input for jailbreaks and prompt injection."""

    code = "AIA109"
    slug = "bedrock-guardrail-no-prompt-attack-filter"
    severity = Severity.LOW
    title = "Bedrock guardrail does not filter prompt attacks"
    formats = ("terraform", "cloudformation")
    mappings = Mappings("NHI6", "AI RMF MEASURE 2.7", "CWE-1427")
    why = """
        Prompt attacks (jailbreaks, prompt injection, prompt leakage) are the main way users
        make a model or agent ignore its instructions. A guardrail that filters hate or
        violence but not prompt attacks gives a false sense of protection.
    """
    remediation = """
        Add a `filters_config` with `type = "PROMPT_ATTACK"`, `input_strength = "HIGH"` (or
        `MEDIUM`) and `output_strength = "NONE"` to the guardrail's `content_policy_config`.
    """
    failing_example = """
        resource "aws_bedrock_guardrail" "support" {
          name                      = "support"
          blocked_input_messaging   = "Sorry, I can't help with that."
          blocked_outputs_messaging = "Sorry, I can't help with that."
          content_policy_config {
            filters_config {
              type            = "HATE"
              input_strength  = "HIGH"
              output_strength = "HIGH"
            }
          }
        }
    """
    passing_example = """
        resource "aws_bedrock_guardrail" "support" {
          name                      = "support"
          blocked_input_messaging   = "Sorry, I can't help with that."
          blocked_outputs_messaging = "Sorry, I can't help with that."
          content_policy_config {
            filters_config {
              type            = "PROMPT_ATTACK"
              input_strength  = "HIGH"
              output_strength = "NONE"
            }
          }
        }
    """

    def run(self, ctx):
        # Each instance with its own values: `for_each = var.guardrails` with filters from
        # `each.value.content_filters` is judged per guardrail the caller defines.
        for guardrail, address, instance in each_created_instance(ctx, ctx.of_type(*GUARDRAIL_FIELDS)):
            state, path = prompt_attack_state(ctx, instance)
            if state == "missing":
                yield self.finding(guardrail, f"{address} has no {PROMPT_ATTACK} content filter")
            elif state == "none":
                yield self.finding(guardrail, f"{address} has a {PROMPT_ATTACK} filter with input strength NONE", path)
